import type { Incident, RecordPointer, Signal } from '@signal-factory/core';
import { tryParseReasonCode } from '@signal-factory/core';
import {
  CONFIDENCE_RANK,
  EDGE_LABELS,
  VERTEX_LABELS,
  isConfidence,
  vertexIds,
  type CausalPathResult,
  type Confidence,
} from '@signal-factory/lineage';
import type { StateReader } from '../state/state-reader';
import type {
  ConfidenceReason,
  DeploymentInfo,
  GraphCoverage,
  RcaConfidence,
  RcaConfidenceLevel,
  RcaReport,
  ReasonCodeCount,
  RecordPosition,
  ReportFailureSignature,
  ReportSignal,
  RootCause,
  RootCauseKind,
} from '../types';
import { buildBlastRadius, citeBlastRadius } from './blast-radius';
import { EvidenceCatalog, uniqueRefs } from './evidence-catalog';
import {
  deploymentRecord,
  withDeployedAt,
  type DeploymentRecord,
  type GraphReader,
  type UpstreamDataset,
} from './graph-reader';
import { buildMitigations } from './mitigations';
import type { RcaSettings } from './settings';
import { templateSummary } from './template-summary';
import { clockTime, humanDuration, iso, parseMs } from './time';

/** What the report builder needs from its surroundings. */
export interface BuildContext {
  state: StateReader;
  graph: GraphReader;
  settings: RcaSettings;
  now: () => number;
  /** Root cause of another incident (an upstream one), or undefined when it cannot be computed. */
  upstreamRootCause: (
    incidentId: string,
  ) => Promise<{ kind: RootCauseKind; statement: string; firstBadAt?: string } | undefined>;
}

const LEVELS: RcaConfidenceLevel[] = ['LOW', 'LOW', 'MEDIUM', 'HIGH'];
const levelOf = (score: number): RcaConfidenceLevel =>
  LEVELS[Math.max(1, Math.min(3, score))] as RcaConfidenceLevel;

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** Short form of a `sha256:<hex>` id for sentences. */
const shortHash = (hash: string): string =>
  hash.startsWith('sha256:') ? `sha256:${hash.slice(7, 19)}` : hash.slice(0, 24);

/** True for a signal saying data stopped arriving. */
function isStallSignal(signal: ReportSignal): boolean {
  if (signal.state === 'OK') return false;
  if (signal.signal_type === 'FRESHNESS') return true;
  if (signal.signal_type !== 'VOLUME') return false;
  for (const key of ['record_count', 'records', 'count', 'observed']) {
    if (signal.metrics[key] === 0) return true;
  }
  return false;
}

function silentForMs(signals: ReportSignal[]): number | undefined {
  for (const s of signals) {
    for (const key of ['age_seconds', 'delay_seconds', 'lag_seconds', 'silence_seconds']) {
      const value = s.metrics[key];
      if (typeof value === 'number' && Number.isFinite(value)) return value * 1000;
    }
  }
  return undefined;
}

/** The codes a signal lists with their weights in `metrics.reason_codes` ("CODE=w;CODE=w"). */
function weightedCodesOf(signal: ReportSignal): Array<{ code: string; weight: number }> {
  const text = signal.metrics.reason_codes;
  if (typeof text !== 'string' || text === '') return [];
  const out: Array<{ code: string; weight: number }> = [];
  for (const part of text.split(';')) {
    const eq = part.lastIndexOf('=');
    const code = (eq > 0 ? part.slice(0, eq) : part).trim();
    if (code !== '') out.push({ code, weight: eq > 0 ? Number(part.slice(eq + 1)) : Number.NaN });
  }
  return out;
}

/** The contract reason codes a SCHEMA_DRIFT signal names for its breaking shapes (`breaking_reason_codes`). */
function breakingCodesOf(signal: ReportSignal): string[] {
  const text = signal.metrics.breaking_reason_codes;
  if (typeof text !== 'string') return [];
  const codes = text
    .split(',')
    .map((c) => c.trim())
    .filter((c) => tryParseReasonCode(c) !== undefined);
  return [...new Set(codes)];
}

/** Records that kept arriving after the newest event time: a lagging producer or relay. */
interface LateArrivals {
  /** `FRESHNESS`: its newest arrival is long after its newest event; `VOLUME`: a window after the last record counted mostly late records. */
  source: 'FRESHNESS' | 'VOLUME';
  /** Newest arrival (FRESHNESS) or window start (VOLUME), epoch ms. */
  at: number;
  /** Newest event time the FRESHNESS signal saw, epoch ms. */
  eventAt?: number;
  /** Records (weighted) counted in the VOLUME window. */
  records?: number;
  /** Late evidence counted when that window closed. */
  late?: number;
}

/** What `lateArrivals` reads of a signal: a stored Signal v1 or a report signal. */
interface HistorySignal {
  signal_type: string;
  state: string;
  metrics?: Readonly<Record<string, unknown>>;
  window?: { start: string };
  emitted_at?: string;
  last_good?: { time?: unknown };
}

/**
 * Whether records kept arriving after the newest event time `lastGoodMs` (lagging, not stalled).
 * FRESHNESS, when it names its newest arrival (`last_arrival_time`) next to its newest event
 * (`last_event_time`), decides: the engine's own rule, arrivals within the second half of the
 * staleness. Otherwise a VOLUME window after the last record counts only when most of its records
 * were late (`late_evidence`) and FRESHNESS had not recovered yet: after a stall recovers, windows
 * fill with current records again, which says nothing about lag.
 */
function lateArrivals(
  stallSignals: ReportSignal[],
  history: readonly HistorySignal[],
  lastGoodMs: number,
  skewMs: number,
): LateArrivals | undefined {
  const fresh = stallSignals
    .filter((s) => s.signal_type === 'FRESHNESS')
    .map((s) => ({
      event: parseMs(s.metrics.last_event_time),
      arrival: parseMs(s.metrics.last_arrival_time),
      emitted: parseMs(s.emitted_at),
      ageSeconds: s.metrics.age_seconds,
    }))
    .filter(
      (f): f is typeof f & { event: number; arrival: number } =>
        f.event !== undefined && f.arrival !== undefined,
    )
    .sort((a, b) => (a.emitted ?? Infinity) - (b.emitted ?? Infinity))[0];
  let freshnessLag: LateArrivals | undefined;
  if (fresh !== undefined) {
    const age =
      typeof fresh.ageSeconds === 'number' && Number.isFinite(fresh.ageSeconds)
        ? fresh.ageSeconds * 1000
        : (fresh.emitted ?? fresh.arrival) - fresh.event;
    const behind = fresh.arrival - fresh.event;
    if (!(behind > skewMs && behind > age / 2)) return undefined;
    freshnessLag = { source: 'FRESHNESS', at: fresh.arrival, eventAt: fresh.event };
  }
  // FRESHNESS back to OK with newer events than the last record: the stall (or lag) ended there.
  let recoveredAt = Number.POSITIVE_INFINITY;
  for (const s of history) {
    if (s.signal_type !== 'FRESHNESS' || s.state !== 'OK') continue;
    const newest = parseMs(s.metrics?.last_event_time) ?? parseMs(s.last_good?.time);
    const emitted = parseMs(s.emitted_at);
    if (newest === undefined || emitted === undefined || newest <= lastGoodMs + skewMs) continue;
    recoveredAt = Math.min(recoveredAt, emitted);
  }
  let volumeLag: LateArrivals | undefined;
  for (const s of history) {
    if (s.signal_type !== 'VOLUME') continue;
    const records = s.metrics?.record_count;
    const late = s.metrics?.late_evidence;
    const counted = s.metrics?.evidence_count;
    const start = parseMs(s.window?.start);
    if (typeof records !== 'number' || !(records > 0)) continue;
    if (typeof late !== 'number' || !(late > 0)) continue;
    if (late * 2 < (typeof counted === 'number' ? counted : records)) continue;
    if (start === undefined || start <= lastGoodMs || start >= recoveredAt) continue;
    if (volumeLag === undefined || start < volumeLag.at)
      volumeLag = { source: 'VOLUME', at: start, records, late };
  }
  return volumeLag ?? freshnessLag;
}

interface DeploymentCandidate {
  record: DeploymentRecord;
  deployedAt?: number;
  gapMs?: number;
  linkedBy: 'introduced_edge' | 'time_correlation';
  edgeConfidence?: Confidence;
  /** Refs of the INTRODUCED edges / deployment vertex. */
  refs: string[];
  introducedCodes: string[];
  /** INTRODUCED edge ids from this deployment into the incident's failure signatures. */
  introducedEdges?: string[];
  /** First bad record of the failure this deployment is linked to (`badSince`), when known. */
  badSince?: BadSince;
}

/** When the failure a deployment is linked to first saw a bad record, with the evidence. */
interface BadSince {
  /** Epoch ms. */
  at: number;
  evidence_refs: string[];
}

/** Builds the deterministic RCA report of one incident. */
export async function buildReport(
  incident: Incident,
  ctx: BuildContext,
): Promise<Omit<RcaReport, 'summary'> & { summary: RcaReport['summary'] }> {
  const { graph, settings } = ctx;
  const catalog = new EvidenceCatalog();
  const incidentRef = catalog.cite(
    'incident',
    incident.incident_id,
    `incident ${incident.incident_id} (${incident.severity}, ${incident.status}) opened ${incident.opened_at}`,
  );

  // --- signals: the state store first, the graph for the rest -------------------------------
  const [stored, causal] = await Promise.all([
    ctx.state.signalsOf(incident, settings.signalLookbackMs),
    graph.queries.causalPath(incident.incident_id),
  ]);
  const causalVertices = new Map(causal.vertices.map((v) => [v.id, v]));
  const signals: ReportSignal[] = [];
  const missingSignalIds: string[] = [];
  for (const signalId of incident.signal_ids.filter((id) => id !== '')) {
    const doc = stored.get(signalId);
    if (doc !== undefined) {
      signals.push(fromSignal(doc, catalog));
      continue;
    }
    const vertex =
      causalVertices.get(vertexIds.signal(signalId)) ??
      (await graph.vertex(vertexIds.signal(signalId)));
    if (vertex === undefined) {
      missingSignalIds.push(signalId);
      continue;
    }
    const p = vertex.properties;
    const ref = catalog.cite('signal', signalId, `signal ${signalId} (graph vertex only)`);
    signals.push({
      signal_id: signalId,
      dataset_urn: str(p.datasetUrn) ?? incident.dataset_urns[0] ?? '',
      signal_type: str(p.type) ?? 'UNKNOWN',
      state: str(p.state) ?? 'UNKNOWN',
      ...(typeof p.windowStart === 'number' ? { emitted_at: iso(p.windowStart) } : {}),
      metrics: {},
      failure_signature_ids: [],
      source: 'graph',
      evidence_refs: [ref],
    });
  }

  // --- graph coverage -------------------------------------------------------------------------
  const edgeCounts: GraphCoverage['edges'] = {
    TRIGGERED: 0,
    CAUSED: 0,
    INTRODUCED: 0,
    DEPLOYED: 0,
    PRODUCES: 0,
  };
  const chainEdges = new Set<string>();
  for (const chain of causal.chains) for (const e of chain.edges) chainEdges.add(e);
  for (const edgeId of chainEdges) {
    const label = edgeId.split('|')[1];
    if (label !== undefined && label in edgeCounts) edgeCounts[label as keyof typeof edgeCounts]++;
  }
  const missing: string[] = [];
  if (!causal.found) missing.push(`incident ${incident.incident_id} is not in the graph`);
  const triggered = new Set(
    [...chainEdges]
      .filter((e) => e.split('|')[1] === EDGE_LABELS.TRIGGERED)
      .map((e) => e.split('|')[0]),
  );
  if (causal.found) {
    for (const s of incident.signal_ids) {
      if (!triggered.has(vertexIds.signal(s))) missing.push(`no TRIGGERED edge from signal ${s}`);
    }
  }

  // --- failure signatures ---------------------------------------------------------------------
  const fsIds = new Set<string>();
  for (const s of signals) {
    for (const id of s.failure_signature_ids)
      if (typeof id === 'string' && id !== '') fsIds.add(id);
  }
  for (const v of causal.vertices) {
    if (v.label === VERTEX_LABELS.FAILURE_SIGNATURE) {
      const hash = str(v.properties.hash) ?? v.id.slice('failure-signature:'.length);
      fsIds.add(hash);
    }
  }
  const introducedBy = new Map<
    string,
    { deploymentId: string; confidence: Confidence; edgeId: string }[]
  >();
  const causedCount = new Map<string, number>();
  for (const edgeId of chainEdges) {
    const [from, label, to] = edgeId.split('|') as [string, string, string];
    if (label === EDGE_LABELS.INTRODUCED) {
      const list = introducedBy.get(to) ?? [];
      const confidence = edgeConfidenceFromChains(causal, edgeId);
      list.push({ deploymentId: from, confidence, edgeId });
      introducedBy.set(to, list);
    } else if (label === EDGE_LABELS.CAUSED) {
      causedCount.set(from, (causedCount.get(from) ?? 0) + 1);
    }
  }
  const fsVertexIds = [...fsIds].sort(compare).map((h) => vertexIds.failureSignature(h));
  const fsVertices = await graph.vertices(fsVertexIds.filter((id) => !causalVertices.has(id)));
  for (const [id, v] of causalVertices)
    if (v.label === VERTEX_LABELS.FAILURE_SIGNATURE) fsVertices.set(id, v);
  const failureSignatures: ReportFailureSignature[] = [];
  for (const hash of [...fsIds].sort(compare)) {
    const vid = vertexIds.failureSignature(hash);
    const vertex = fsVertices.get(vid);
    const p = vertex?.properties ?? {};
    const reasonCodes = (str(p.reasonCodes) ?? '').split(',').filter((c) => c !== '');
    const failedGates = (str(p.failedGates) ?? '').split(',').filter((c) => c !== '');
    const inSignals = signals.filter((s) => s.failure_signature_ids.includes(hash));
    // Engines keep the cumulative weighted count of failing records on the vertex.
    const records = typeof p.count === 'number' && Number.isFinite(p.count) ? p.count : null;
    const ref = catalog.cite(
      'failure_signature',
      hash,
      `failure signature ${shortHash(hash)}: ${reasonCodes.join(', ') || 'no reason codes recorded'}`,
    );
    const entry: ReportFailureSignature = {
      id: hash,
      reason_codes: reasonCodes,
      failed_gates: failedGates,
      records,
      signals: Math.max(inSignals.length, causedCount.get(vid) ?? 0),
      evidence_refs: [ref],
    };
    const datasetUrn = str(p.datasetUrn) ?? inSignals[0]?.dataset_urn;
    if (datasetUrn !== undefined) entry.dataset_urn = datasetUrn;
    const firstSeen = parseMs(p.firstSeen);
    if (firstSeen !== undefined) entry.first_seen = iso(firstSeen);
    const lastSeen = parseMs(p.lastSeen);
    if (lastSeen !== undefined) entry.last_seen = iso(lastSeen);
    const intro = (introducedBy.get(vid) ?? []).sort(
      (a, b) => CONFIDENCE_RANK[b.confidence] - CONFIDENCE_RANK[a.confidence],
    )[0];
    if (intro !== undefined) {
      const dv = causalVertices.get(intro.deploymentId);
      entry.introduced_by = {
        deployment_id: intro.deploymentId,
        ...(str(dv?.properties.service) !== undefined
          ? { service: str(dv?.properties.service) }
          : {}),
        ...(str(dv?.properties.version) !== undefined
          ? { version: str(dv?.properties.version) }
          : {}),
        edge_confidence: intro.confidence,
      };
    } else if (vertex !== undefined) {
      missing.push(`no INTRODUCED edge into failure signature ${shortHash(hash)}`);
    }
    if (vertex === undefined)
      missing.push(`failure signature ${shortHash(hash)} is not in the graph`);
    failureSignatures.push(entry);
  }
  for (const s of signals) {
    if (s.source !== 'state') continue;
    for (const hash of s.failure_signature_ids) {
      if (
        !chainEdges.has(
          `${vertexIds.failureSignature(hash)}|${EDGE_LABELS.CAUSED}|${vertexIds.signal(s.signal_id)}`,
        ) &&
        causal.found
      ) {
        missing.push(
          `no CAUSED edge from failure signature ${shortHash(hash)} to signal ${s.signal_id}`,
        );
      }
    }
  }

  // --- reason codes ---------------------------------------------------------------------------
  const codeMap = new Map<string, ReasonCodeCount>();
  for (const fs of failureSignatures) {
    for (const code of fs.reason_codes) {
      const entry = codeMap.get(code) ?? {
        code,
        records: null,
        signals: 0,
        failure_signature_ids: [],
      };
      if (fs.records !== null) entry.records = (entry.records ?? 0) + fs.records;
      entry.signals += fs.signals;
      entry.failure_signature_ids.push(fs.id);
      codeMap.set(code, entry);
    }
  }
  // Engines also report per-window weights in CONTRACT signals: `reason_codes` = "CODE=w;CODE=w".
  // They fill in counts (and codes) when a failure signature vertex lacks them.
  const signalWeights = new Map<string, { weight: number; signals: number }>();
  for (const s of signals) {
    for (const { code, weight } of weightedCodesOf(s)) {
      const entry = signalWeights.get(code) ?? { weight: 0, signals: 0 };
      if (Number.isFinite(weight)) entry.weight += weight;
      entry.signals += 1;
      signalWeights.set(code, entry);
    }
  }
  for (const [code, w] of signalWeights) {
    const entry = codeMap.get(code);
    if (entry === undefined) {
      codeMap.set(code, { code, records: w.weight, signals: w.signals, failure_signature_ids: [] });
    } else if (entry.records === null) {
      entry.records = w.weight;
    }
  }
  // SCHEMA_DRIFT names the contract codes of a breaking shape (`breaking_reason_codes` =
  // "CODE,CODE"), without per-code counts: they fill in codes no failure signature or CONTRACT
  // signal reported.
  const driftCodes = new Map<string, number>();
  for (const s of signals) {
    for (const code of breakingCodesOf(s)) driftCodes.set(code, (driftCodes.get(code) ?? 0) + 1);
  }
  for (const [code, count] of driftCodes) {
    if (!codeMap.has(code))
      codeMap.set(code, { code, records: null, signals: count, failure_signature_ids: [] });
  }
  const reasonCodes = [...codeMap.values()].sort(
    (a, b) =>
      (b.records ?? -1) - (a.records ?? -1) || b.signals - a.signals || compare(a.code, b.code),
  );

  // --- primary dataset ------------------------------------------------------------------------
  const incidentDatasets = [...new Set(incident.dataset_urns)];
  const upstreamByDataset = new Map<string, UpstreamDataset[]>();
  const upstreamLists = await Promise.all(
    incidentDatasets.map((urn) => graph.upstreamOf(urn, settings.upstreamMaxDepth)),
  );
  incidentDatasets.forEach((urn, i) => upstreamByDataset.set(urn, upstreamLists[i] ?? []));
  const downstreamInIncident = new Set<string>();
  for (const urn of incidentDatasets) {
    const ups = upstreamByDataset.get(urn) ?? [];
    if (ups.some((u) => incidentDatasets.includes(u.urn) && u.urn !== urn))
      downstreamInIncident.add(urn);
  }
  const firstBadOf = (urn: string): number => {
    let best = Number.POSITIVE_INFINITY;
    for (const s of signals) {
      if (s.dataset_urn !== urn) continue;
      const t = parseMs(s.first_bad?.time) ?? parseMs(s.window?.start);
      if (t !== undefined && t < best) best = t;
    }
    return best;
  };
  const roots = incidentDatasets.filter((u) => !downstreamInIncident.has(u));
  const candidatesForPrimary = roots.length > 0 ? roots : incidentDatasets;
  // The engines' own hint: a signal that joined from upstream names the upstream dataset.
  const hinted =
    incident.probable_cause?.kind === 'upstream_dataset' ? incident.probable_cause.ref : undefined;
  const hintRank = (urn: string): number => (urn === hinted ? 0 : 1);
  const primary = [...candidatesForPrimary].sort(
    (a, b) =>
      hintRank(a) - hintRank(b) ||
      firstBadOf(a) - firstBadOf(b) ||
      incidentDatasets.indexOf(a) - incidentDatasets.indexOf(b),
  )[0] as string;
  const primaryRef = catalog.cite('dataset', primary, `dataset ${primary}`);

  // --- first bad / last good ------------------------------------------------------------------
  const primarySignals = signals.filter((s) => s.dataset_urn === primary);
  const scope = primarySignals.length > 0 ? primarySignals : signals;
  let firstBad: RecordPosition | undefined;
  let firstBadSignal: ReportSignal | undefined;
  for (const s of scope) {
    if (s.first_bad === undefined) continue;
    if (
      firstBad === undefined ||
      (parseMs(s.first_bad.time) ?? Infinity) < (parseMs(firstBad.time) ?? Infinity)
    ) {
      firstBad = s.first_bad;
      firstBadSignal = s;
    }
  }
  if (firstBad === undefined) {
    const seen = failureSignatures
      .filter(
        (f) =>
          f.first_seen !== undefined && (f.dataset_urn === undefined || f.dataset_urn === primary),
      )
      .sort((a, b) => compare(a.first_seen as string, b.first_seen as string))[0];
    if (seen !== undefined) {
      firstBad = {
        time: seen.first_seen as string,
        source: 'failure_signature',
        evidence_refs: seen.evidence_refs,
      };
    }
  }
  let lastGood: RecordPosition | undefined = firstBadSignal?.last_good;
  if (lastGood === undefined) {
    const limit = parseMs(firstBad?.time) ?? Number.POSITIVE_INFINITY;
    for (const s of scope) {
      const t = parseMs(s.last_good?.time);
      if (t === undefined || t > limit) continue;
      if (lastGood === undefined || t > (parseMs(lastGood.time) ?? -Infinity))
        lastGood = s.last_good;
    }
  }
  const firstBadMs = parseMs(firstBad?.time);
  const lastGoodMs = parseMs(lastGood?.time);

  // --- what kind of failure -------------------------------------------------------------------
  const badSignals = scope.filter((s) => s.state !== 'OK');
  const hasFailures = failureSignatures.length > 0;
  const stallSignals = badSignals.filter(isStallSignal);
  const openedMs = parseMs(incident.opened_at) as number;
  // OK history of the primary dataset (window signals are emitted after their window closes: read
  // up to the incident's last update): records still arriving, deployments that ran cleanly.
  const okHistory = await ctx.state.okSignalsOf(
    primary,
    new Date(openedMs - settings.signalLookbackMs).toISOString(),
    incident.updated_at,
  );
  // Records still arriving after the newest event time, with old event times: a lagging producer
  // or relay, not a stall.
  const arrivingLate =
    !hasFailures && stallSignals.length > 0 && lastGoodMs !== undefined
      ? lateArrivals(stallSignals, [...okHistory, ...badSignals], lastGoodMs, settings.clockSkewMs)
      : undefined;
  const isStall = !hasFailures && stallSignals.length > 0 && arrivingLate === undefined;
  const earliestWindow = Math.min(
    ...badSignals.map((s) => parseMs(s.window?.start) ?? Number.POSITIVE_INFINITY),
  );
  const refMs = isStall
    ? (lastGoodMs ?? (Number.isFinite(earliestWindow) ? earliestWindow : openedMs))
    : (firstBadMs ?? lastGoodMs ?? (Number.isFinite(earliestWindow) ? earliestWindow : openedMs));
  const refLabel = isStall
    ? lastGoodMs !== undefined
      ? 'the last record'
      : 'the stall'
    : 'the first bad record';

  const affectedColumns = new Map<string, string[]>();
  for (const fs of failureSignatures) {
    const urn = fs.dataset_urn ?? primary;
    const list = affectedColumns.get(urn) ?? [];
    for (const code of fs.reason_codes) {
      const parsed = tryParseReasonCode(code);
      if (parsed?.path !== undefined && !list.includes(parsed.path)) list.push(parsed.path);
    }
    affectedColumns.set(urn, list.sort(compare));
  }
  for (const s of signals) {
    const codes = [...weightedCodesOf(s).map((c) => c.code), ...breakingCodesOf(s)];
    // a signal that lists codes (even none) says which columns it knows about
    if (typeof s.metrics.reason_codes !== 'string' && codes.length === 0) continue;
    const list = affectedColumns.get(s.dataset_urn) ?? [];
    for (const code of codes) {
      const path = tryParseReasonCode(code)?.path;
      if (path !== undefined && !list.includes(path)) list.push(path);
    }
    affectedColumns.set(s.dataset_urn, list.sort(compare));
  }
  const presence =
    failureSignatures.length === 0 &&
    badSignals.some((s) => s.signal_type === 'FRESHNESS' || s.signal_type === 'VOLUME');
  // Started early, it runs while the root cause is worked out; evidence is cited after, in order.
  const blastPromise = buildBlastRadius({
    graph,
    datasets: [primary, ...incidentDatasets.filter((d) => d !== primary)],
    incidentDatasets,
    affectedColumns,
    wholeRecordsAffected: presence,
    settings,
  });
  blastPromise.catch(() => undefined);

  // --- producers ------------------------------------------------------------------------------
  const producerEdges = await graph.producersOf(primary);
  const producers = new Map<string, { confidence: Confidence; edgeId?: string }>();
  for (const p of producerEdges)
    producers.set(p.service, { confidence: p.confidence, edgeId: p.edgeId });
  const recordProducers = new Map<string, Set<string>>();
  for (const s of badSignals) {
    const service = s.producer?.service;
    if (
      s.producer === undefined ||
      typeof service !== 'string' ||
      service === '' ||
      service === 'unknown' ||
      // The engines fill `producer` from the dataset's registered producer when the records
      // carry no identity; `failing_producer: unknown` says nobody identified who wrote them.
      s.metrics.failing_producer === 'unknown' ||
      // FRESHNESS and VOLUME judge arrival, not records: their producer is the registered one.
      ((s.signal_type === 'FRESHNESS' || s.signal_type === 'VOLUME') &&
        s.producer.version === undefined)
    )
      continue;
    const versions = recordProducers.get(s.producer.service) ?? new Set<string>();
    if (s.producer.version !== undefined) versions.add(s.producer.version);
    recordProducers.set(s.producer.service, versions);
    if (!producers.has(s.producer.service))
      producers.set(s.producer.service, { confidence: 'MEDIUM' });
  }
  edgeCounts.PRODUCES = producerEdges.length;
  if (producerEdges.length === 0) missing.push(`no PRODUCES edge into ${primary}`);

  // --- deployment candidates ------------------------------------------------------------------
  // A deployment is timed against the first bad record of what it is linked to: when the
  // incident's signals carrying its signatures first saw a bad record (an incident may hold other,
  // earlier trouble), never before the signature's first_seen; a signature's first_seen alone may
  // be an earlier episode's (a bug re-introduced later has its own incident and signals), so
  // without such a signal it counts only when it falls within this incident.
  const badSince = (edges: readonly string[]): BadSince | undefined => {
    let best: BadSince | undefined;
    for (const edge of edges) {
      const hash = edge.split('|')[2]?.slice('failure-signature:'.length) ?? '';
      const fs = failureSignatures.find((f) => f.id === hash);
      const firstSeen = parseMs(fs?.first_seen);
      let seen: BadSince | undefined;
      for (const sig of signals) {
        if (!sig.failure_signature_ids.includes(hash) || sig.first_bad === undefined) continue;
        const t = parseMs(sig.first_bad.time);
        if (t !== undefined && (seen === undefined || t < seen.at))
          seen = { at: t, evidence_refs: sig.first_bad.evidence_refs };
      }
      let since: BadSince | undefined;
      if (seen !== undefined)
        since =
          firstSeen !== undefined && firstSeen > seen.at
            ? { at: firstSeen, evidence_refs: uniqueRefs(fs?.evidence_refs, seen.evidence_refs) }
            : seen;
      else if (
        firstSeen !== undefined &&
        firstBad?.source === 'signal' &&
        firstBadMs !== undefined &&
        firstSeen >= firstBadMs
      )
        since = { at: firstSeen, evidence_refs: fs?.evidence_refs ?? [] };
      if (since !== undefined && (best === undefined || since.at < best.at)) best = since;
    }
    return best;
  };
  const introducedCandidates: DeploymentCandidate[] = [];
  for (const root of causal.roots) {
    const vertex = causalVertices.get(root.deploymentId) ?? (await graph.vertex(root.deploymentId));
    if (vertex === undefined) continue;
    const record = deploymentRecord(vertex);
    const edges = [...chainEdges].filter((e) =>
      e.startsWith(`${root.deploymentId}|${EDGE_LABELS.INTRODUCED}|`),
    );
    const since = badSince(edges);
    const { deployedAt, gapMs } = timing(record.times, since?.at ?? refMs, settings.clockSkewMs);
    const codes = new Set<string>();
    const refs: string[] = [];
    for (const e of edges) {
      const fsHash = e.split('|')[2]?.slice('failure-signature:'.length) ?? '';
      const fs = failureSignatures.find((f) => f.id === fsHash);
      for (const c of fs?.reason_codes ?? []) codes.add(c);
      refs.push(
        catalog.cite(
          'edge',
          e,
          `INTRODUCED edge: ${record.info.service} ${record.info.version} → failure signature ${shortHash(fsHash)}`,
        ),
      );
    }
    introducedCandidates.push({
      record,
      ...(deployedAt !== undefined ? { deployedAt } : {}),
      ...(gapMs !== undefined ? { gapMs } : {}),
      linkedBy: 'introduced_edge',
      edgeConfidence: root.confidence,
      refs,
      introducedCodes: [...codes].sort(compare),
      introducedEdges: edges,
      ...(since !== undefined ? { badSince: since } : {}),
    });
  }
  // A signature can be INTRODUCED by several deployments (a bug rolled back and re-introduced by a
  // later version): the one relevant to this incident is the version stamped on its failing
  // records, else the latest deployment at or before the first bad record; edge confidence and the
  // gap only break ties. Deployments linked to different failures of one incident: the failure that
  // began first.
  const versionRank = (c: DeploymentCandidate): number => {
    const versions = recordProducers.get(c.record.info.service);
    if (versions === undefined || versions.size === 0) return 1;
    return versions.has(c.record.info.version) ? 0 : 2;
  };
  const beforeRank = (c: DeploymentCandidate): number =>
    c.gapMs === undefined ? 1 : c.gapMs >= -settings.clockSkewMs ? 0 : 2;
  const linkedRefMs = (c: DeploymentCandidate): number => c.badSince?.at ?? refMs;
  /** What a candidate's gap is measured to, in words: its own failure's first bad record when that is not the incident's. */
  const linkedLabel = (c: DeploymentCandidate): string =>
    c.badSince !== undefined && Math.abs(c.badSince.at - refMs) > settings.clockSkewMs
      ? `the first bad record of ${c.introducedCodes.length > 0 ? c.introducedCodes.join(', ') : 'its failure signature'}`
      : refLabel;
  introducedCandidates.sort(
    (a, b) =>
      versionRank(a) - versionRank(b) ||
      beforeRank(a) - beforeRank(b) ||
      linkedRefMs(a) - linkedRefMs(b) ||
      (beforeRank(a) === 0 ? (a.gapMs ?? Infinity) - (b.gapMs ?? Infinity) : 0) ||
      CONFIDENCE_RANK[b.edgeConfidence ?? 'LOW'] - CONFIDENCE_RANK[a.edgeConfidence ?? 'LOW'] ||
      gapRank(a.gapMs, settings) - gapRank(b.gapMs, settings) ||
      (a.gapMs ?? Infinity) - (b.gapMs ?? Infinity) ||
      compare(a.record.info.deployment_id, b.record.info.deployment_id),
  );
  const ruledOut: string[] = [];
  // A deployment made after the first bad record of what it is linked to cannot have introduced it:
  // the engines link a new failure episode to the version live when a signature recurs (a later,
  // unrelated deploy while the failure goes on).
  for (let i = introducedCandidates.length - 1; i >= 0; i -= 1) {
    const c = introducedCandidates[i] as DeploymentCandidate;
    const since = c.badSince?.at;
    if (c.deployedAt === undefined || since === undefined) continue;
    if (c.deployedAt <= since + settings.clockSkewMs) continue;
    introducedCandidates.splice(i, 1);
    ruledOut.push(
      `deployment ${c.record.info.service} ${c.record.info.version} was deployed at ${iso(c.deployedAt)}, ${humanDuration(c.deployedAt - since)} after the first bad record of ${c.introducedCodes.length > 0 ? c.introducedCodes.join(', ') : 'its failure signature'} (${iso(since)}): its INTRODUCED edge only names the version that was live while the failure went on`,
    );
  }
  // Each failure signature names the same deployment the root cause would among its introducers.
  for (const fs of failureSignatures) {
    if (fs.introduced_by === undefined) continue;
    const vid = vertexIds.failureSignature(fs.id);
    const best = introducedCandidates.find((c) =>
      (c.introducedEdges ?? []).some((e) => e.endsWith(`|${EDGE_LABELS.INTRODUCED}|${vid}`)),
    );
    if (best === undefined || best.record.info.deployment_id === fs.introduced_by.deployment_id)
      continue;
    const edgeId = (best.introducedEdges ?? []).find((e) => e.endsWith(`|${vid}`));
    fs.introduced_by = {
      deployment_id: best.record.info.deployment_id,
      service: best.record.info.service,
      version: best.record.info.version,
      edge_confidence:
        edgeId === undefined
          ? (best.edgeConfidence ?? 'MEDIUM')
          : edgeConfidenceFromChains(causal, edgeId),
    };
  }

  const histories = new Map<string, DeploymentRecord[]>();
  const historyOf = async (service: string): Promise<DeploymentRecord[]> => {
    let h = histories.get(service);
    if (h === undefined) {
      h = await graph.deploymentHistory(service);
      histories.set(service, h);
    }
    return h;
  };
  // Healthy history: a deployment after which the failing signal types stayed OK for longer than
  // `deployCloseWindowMs` ran cleanly before the failure (`untilMs`), so time alone does not
  // implicate it.
  const failingTypes = new Set(badSignals.map((s) => s.signal_type));
  const healthyRunAfter = (deployedAt: number, untilMs: number): number => {
    let until = deployedAt;
    for (const s of okHistory) {
      if (!failingTypes.has(s.signal_type)) continue;
      const start = parseMs(s.window?.start) ?? parseMs(s.emitted_at);
      const end = parseMs(s.window?.end) ?? parseMs(s.emitted_at);
      if (start === undefined || end === undefined) continue;
      if (start < deployedAt - settings.clockSkewMs || end > untilMs + settings.clockSkewMs)
        continue;
      until = Math.max(until, end);
    }
    return until;
  };
  /** The end of the healthy run after a deployment, when it lasted past `longerThanMs`. */
  const ranHealthy = (
    deployedAt: number | undefined,
    untilMs = refMs,
    longerThanMs = settings.deployCloseWindowMs,
  ): number | undefined => {
    if (deployedAt === undefined) return undefined;
    const until = healthyRunAfter(deployedAt, untilMs);
    return until - deployedAt > longerThanMs ? until : undefined;
  };
  const failingTypeList = [...failingTypes].sort(compare).join('/');
  for (let i = introducedCandidates.length - 1; i >= 0; i -= 1) {
    const c = introducedCandidates[i] as DeploymentCandidate;
    // An INTRODUCED edge is stronger than timing: a slow burn (a cache expiring 25 minutes after
    // the deploy) keeps its deployment; only a long clean run rules it out.
    if (c.gapMs === undefined || c.gapMs <= settings.introducedCleanRunMs) continue;
    const ran = ranHealthy(c.deployedAt, linkedRefMs(c), settings.introducedCleanRunMs);
    if (ran === undefined) continue;
    introducedCandidates.splice(i, 1);
    ruledOut.push(
      `deployment ${c.record.info.service} ${c.record.info.version} was ${humanDuration(c.gapMs)} before ${linkedLabel(c)}, and ${failingTypeList} stayed OK after it until ${iso(ran)}: its INTRODUCED edge only names the version that was running`,
    );
  }
  const timeWindow = isStall ? settings.deployCloseWindowMs : settings.deployCorrelationWindowMs;
  // The newest deployment before the reference time, per producer (cited when ruled out).
  const lastDeploys = new Map<string, { record: DeploymentRecord; at: number; gap: number }>();
  let timeCandidate: DeploymentCandidate | undefined;
  if (introducedCandidates.length === 0) {
    for (const service of [...producers.keys()].sort(compare)) {
      const history = await historyOf(service);
      let best: { record: DeploymentRecord; at: number } | undefined;
      for (const record of history) {
        for (const t of record.times) {
          if (t <= refMs + settings.clockSkewMs && (best === undefined || t > best.at))
            best = { record, at: t };
        }
      }
      if (best === undefined) {
        ruledOut.push(
          history.length === 0
            ? `no deployment of ${service} is recorded in the graph`
            : `no deployment of ${service} before ${refLabel} at ${clockTime(refMs)}`,
        );
        continue;
      }
      const gap = refMs - best.at;
      lastDeploys.set(service, { record: best.record, at: best.at, gap });
      if (gap > timeWindow) {
        ruledOut.push(
          `the last deployment of ${service} (${best.record.info.version} at ${iso(best.at)}) was ${humanDuration(gap)} before ${refLabel}, outside the ${humanDuration(timeWindow)} window`,
        );
        continue;
      }
      const ran = ranHealthy(best.at);
      if (ran !== undefined) {
        ruledOut.push(
          `the last deployment of ${service} (${best.record.info.version} at ${iso(best.at)}, ${humanDuration(refMs - best.at)} before ${refLabel}) was followed by ${failingTypeList} OK until ${iso(ran)}: it ran cleanly`,
        );
        continue;
      }
      const candidate: DeploymentCandidate = {
        record: best.record,
        deployedAt: best.at,
        gapMs: gap,
        linkedBy: 'time_correlation',
        refs: [
          catalog.cite(
            'deployment',
            best.record.info.deployment_id,
            `deployment ${service} ${best.record.info.version} at ${iso(best.at)}`,
          ),
        ],
        introducedCodes: [],
      };
      if (timeCandidate === undefined || gap < (timeCandidate.gapMs ?? Infinity))
        timeCandidate = candidate;
    }
    if (producers.size === 0)
      ruledOut.push(
        `no producing service of ${primary} is known, so deployments could not be checked`,
      );
  }

  // --- upstream -------------------------------------------------------------------------------
  const upstream = await findUpstreamIncident(
    incident,
    upstreamByDataset.get(primary) ?? [],
    refMs,
    ctx,
    catalog,
  );
  if (upstream === undefined) {
    const ups = upstreamByDataset.get(primary) ?? [];
    ruledOut.push(
      ups.length === 0
        ? `no upstream dataset of ${primary} is in the graph`
        : `no upstream dataset is in incident (checked ${ups.length}: ${ups
            .slice(0, 5)
            .map((u) => u.urn)
            .join(', ')}${ups.length > 5 ? ', …' : ''})`,
    );
  } else if (upstream.ruledOut !== undefined) {
    ruledOut.push(upstream.ruledOut);
  }
  if (!isStall && stallSignals.length === 0)
    ruledOut.push('not a stall: no FRESHNESS signal and records kept arriving');
  if (arrivingLate !== undefined && lastGoodMs !== undefined) {
    const silence = silentForMs(stallSignals);
    const behind = silence === undefined ? '' : ` (${humanDuration(silence)} behind)`;
    ruledOut.push(
      arrivingLate.source === 'VOLUME'
        ? `not a stall: ${arrivingLate.records} records arrived in the window from ${iso(arrivingLate.at)} (VOLUME, ${arrivingLate.late} late), after the newest event time ${iso(lastGoodMs)}: records keep arriving with old event times${behind}, so the producer or its relay lags`
        : `not a stall: records kept arriving until ${iso(arrivingLate.at)} (FRESHNESS), ${humanDuration(arrivingLate.at - (arrivingLate.eventAt ?? lastGoodMs))} after the newest event time ${iso(arrivingLate.eventAt ?? lastGoodMs)}: records keep arriving with old event times${behind}, so the producer or its relay lags`,
    );
  }

  // --- decide -------------------------------------------------------------------------------
  const reasons: ConfidenceReason[] = [];
  let score = 3;
  const cap = (n: number): void => {
    score = Math.min(score, n);
  };
  let rootCause: RootCause;
  const bestIntroduced = introducedCandidates[0];
  const deploymentCandidate =
    bestIntroduced ?? (upstream?.accepted === true ? undefined : timeCandidate);
  const signalRefs = uniqueRefs(...badSignals.map((s) => s.evidence_refs));
  const codesAll = reasonCodes.map((c) => c.code);

  if (deploymentCandidate !== undefined) {
    const c = deploymentCandidate;
    const info = withDeployedAt(c.record, c.deployedAt);
    const deploymentRef = catalog.cite(
      'deployment',
      info.deployment_id,
      `deployment ${info.service} ${info.version}${info.commit !== undefined ? ` (commit ${info.commit})` : ''}${info.deployed_at !== undefined ? ` at ${info.deployed_at}` : ''}`,
    );
    if (c.linkedBy === 'introduced_edge') {
      // The edge is only as sure as its link: MEDIUM (no version on the records, the deployment
      // live at first_seen) or LOW (an unregistered version) cannot support a HIGH conclusion.
      const weak = c.edgeConfidence === 'LOW' || c.edgeConfidence === 'MEDIUM';
      reasons.push({
        factor: 'introduced_edge',
        effect: weak ? 'weakens' : 'supports',
        detail: `an INTRODUCED edge links deployment ${info.service} ${info.version} to ${c.introducedCodes.length > 0 ? c.introducedCodes.join(', ') : 'the failure signature'} (edge confidence ${c.edgeConfidence ?? 'HIGH'})`,
        evidence_refs: uniqueRefs(c.refs, deploymentRef),
      });
      if (weak) cap(2);
      const chainOk = causal.chains.some(
        (ch) => ch.vertices.includes(info.deployment_id) && ch.vertices.length >= 4,
      );
      reasons.push({
        factor: 'causal_chain',
        effect: chainOk ? 'supports' : 'weakens',
        detail: chainOk
          ? 'the graph holds the whole chain Incident ← TRIGGERED ← Signal ← CAUSED ← FailureSignature ← INTRODUCED ← Deployment'
          : 'the causal chain in the graph is incomplete',
        evidence_refs: uniqueRefs(incidentRef, signalRefs, c.refs),
      });
      if (!chainOk) score -= 1;
    } else {
      reasons.push({
        factor: 'introduced_edge',
        effect: 'weakens',
        detail: `no INTRODUCED edge ties a deployment to this incident${failureSignatures.length > 0 ? "'s failure signatures" : ''}; deployment ${info.service} ${info.version} is linked by time only`,
        evidence_refs: uniqueRefs(deploymentRef),
      });
      cap(2);
      if (missing.length > 0) {
        reasons.push({
          factor: 'causal_chain',
          effect: 'weakens',
          detail: `missing graph edges: ${missing.slice(0, 5).join('; ')}${missing.length > 5 ? '; …' : ''}`,
          evidence_refs: [incidentRef],
        });
      }
    }
    // Producer identity: who wrote the bad records.
    const identity = producerIdentity(info, producers, recordProducers, badSignals);
    const producesRef =
      identity.edgeId !== undefined
        ? catalog.cite('edge', identity.edgeId, `PRODUCES edge: ${info.service} → ${primary}`)
        : undefined;
    reasons.push({
      factor: 'producer_identity',
      effect: identity.level === 'HIGH' ? 'supports' : 'weakens',
      detail: identity.detail,
      evidence_refs: uniqueRefs(producesRef, identity.fromSignals ? signalRefs : []),
    });
    if (identity.level === 'MEDIUM') cap(2);
    if (identity.level === 'LOW') score -= 1;
    // Versions stamped on the records.
    const versions = recordProducers.get(info.service);
    if (versions !== undefined && versions.size > 0) {
      const matches = versions.has(info.version);
      reasons.push({
        factor: 'version_on_records',
        effect: matches ? 'supports' : 'contradicts',
        detail: matches
          ? `the failing records carry ${info.service} version ${info.version}`
          : `the failing records carry ${info.service} version ${[...versions].sort().join(', ')}, not ${info.version}`,
        evidence_refs: signalRefs,
      });
      if (!matches) cap(1);
    }
    // Timing: against the first bad record of the failure the deployment is linked to.
    const firstRefs =
      c.badSince?.evidence_refs ?? firstBad?.evidence_refs ?? lastGood?.evidence_refs ?? [];
    const label = linkedLabel(c);
    if (c.gapMs === undefined) {
      reasons.push({
        factor: 'deploy_timing',
        effect: 'weakens',
        detail: `the deploy time of ${info.service} ${info.version} is unknown (no deployment event was ingested)`,
        evidence_refs: [deploymentRef],
      });
      cap(2);
    } else if (c.gapMs < -settings.clockSkewMs) {
      reasons.push({
        factor: 'deploy_timing',
        effect: 'contradicts',
        detail: `${info.service} ${info.version} was deployed ${humanDuration(-c.gapMs)} after ${label}`,
        evidence_refs: uniqueRefs(deploymentRef, firstRefs),
      });
      cap(1);
    } else if (c.gapMs <= settings.deployCloseWindowMs) {
      reasons.push({
        factor: 'deploy_timing',
        effect: 'supports',
        detail: `${label} came ${humanDuration(Math.max(0, c.gapMs))} after the deploy of ${info.service} ${info.version}`,
        evidence_refs: uniqueRefs(deploymentRef, firstRefs),
      });
    } else if (c.gapMs <= settings.deployCorrelationWindowMs) {
      reasons.push({
        factor: 'deploy_timing',
        effect: 'weakens',
        detail: `${label} came ${humanDuration(c.gapMs)} after the deploy of ${info.service} ${info.version}, more than ${humanDuration(settings.deployCloseWindowMs)}`,
        evidence_refs: uniqueRefs(deploymentRef, firstRefs),
      });
      score -= 1;
    } else {
      reasons.push({
        factor: 'deploy_timing',
        effect: 'contradicts',
        detail: `${info.service} ${info.version} was deployed ${humanDuration(c.gapMs)} before ${label}, long before the failure began`,
        evidence_refs: uniqueRefs(deploymentRef, firstRefs),
      });
      cap(1);
    }
    const previous = await previousDeployment(info, c, historyOf);
    const replacedBy = await nextDeployment(info, c, historyOf, ctx.now());
    const codes = c.introducedCodes.length > 0 ? c.introducedCodes : codesAll;
    const failedAt = c.badSince?.at ?? firstBadMs;
    const dc: RootCause = {
      kind: 'deployment',
      statement: `Deployment ${info.service} ${info.version}${info.commit !== undefined ? ` (commit ${info.commit})` : ''} ${
        codes.length > 0 ? `introduced ${codes.join(', ')}` : `preceded the failure of ${primary}`
      }${failedAt !== undefined ? ` at ${clockTime(failedAt)}` : ''}.`,
      dataset_urn: primary,
      evidence_refs: uniqueRefs(
        deploymentRef,
        c.refs,
        c.badSince?.evidence_refs ?? firstBad?.evidence_refs,
      ),
      deployment: info,
      linked_by: c.linkedBy,
      introduced_reason_codes: codes,
      ...(failedAt !== undefined ? { first_bad_at: iso(failedAt) } : {}),
      ...(c.gapMs !== undefined ? { deploy_to_first_bad_ms: c.gapMs } : {}),
      ...(previous !== undefined ? { previous } : {}),
      ...(replacedBy !== undefined ? { replaced_by: replacedBy } : {}),
    };
    rootCause = dc;
  } else if (upstream?.accepted === true) {
    const u = upstream;
    const lineageRefs = u.upstream.edges.map((e) =>
      catalog.cite('edge', e, `${e.split('|')[1]} edge: ${e.split('|')[0]} → ${e.split('|')[2]}`),
    );
    reasons.push({
      factor: 'lineage_edge',
      effect: u.upstream.confidence === 'HIGH' ? 'supports' : 'weakens',
      detail: `${primary} is downstream of ${u.upstream.urn} (${u.upstream.depth} hop${u.upstream.depth > 1 ? 's' : ''} via ${u.upstream.path.filter((p) => p.startsWith('job:')).join(', ')}); weakest lineage edge ${u.upstream.confidence}`,
      evidence_refs: lineageRefs,
    });
    if (u.upstream.confidence === 'MEDIUM') cap(2);
    if (u.upstream.confidence === 'LOW') cap(1);
    reasons.push({
      factor: 'upstream_timing',
      effect: u.lateMs > 0 ? 'weakens' : 'supports',
      detail:
        u.lateMs > 0
          ? `the upstream trouble was recorded ${humanDuration(u.lateMs)} after this incident's start`
          : `the upstream trouble started at ${u.since}, before this incident's start`,
      evidence_refs: u.refs,
    });
    if (u.lateMs > 0) score -= 1;
    if (u.rootCause !== undefined) {
      reasons.push({
        factor: 'upstream_root_cause',
        effect: u.rootCause.kind === 'unexplained' ? 'weakens' : 'supports',
        detail: `upstream root cause: ${u.rootCause.statement}`,
        evidence_refs: u.refs,
      });
      if (u.rootCause.kind === 'unexplained') score -= 1;
    }
    if (u.upstream.depth > 2) score -= 1;
    const uc: RootCause = {
      kind: 'upstream_dataset',
      statement: `Upstream dataset ${u.upstream.urn} is in ${u.incidentId !== undefined ? `incident ${u.incidentId}` : 'a CRITICAL state'} and ${primary} is built from it.`,
      dataset_urn: u.upstream.urn,
      evidence_refs: uniqueRefs(u.refs, lineageRefs),
      upstream_dataset_urn: u.upstream.urn,
      affected_dataset_urn: primary,
      path: u.upstream.path,
      ...(u.incidentId !== undefined ? { upstream_incident_id: u.incidentId } : {}),
      ...(u.rootCause !== undefined ? { upstream_root_cause: u.rootCause } : {}),
    };
    rootCause = uc;
  } else if (isStall) {
    const freshness = stallSignals.some((s) => s.signal_type === 'FRESHNESS');
    reasons.push({
      factor: 'stall_signal',
      effect: freshness ? 'supports' : 'weakens',
      detail: freshness
        ? `a ${stallSignals.find((s) => s.signal_type === 'FRESHNESS')?.state} FRESHNESS signal says no data arrived`
        : 'only a VOLUME signal with zero records says data stopped',
      evidence_refs: uniqueRefs(...stallSignals.map((s) => s.evidence_refs)),
    });
    if (!freshness) cap(2);
    reasons.push({
      factor: 'last_good_known',
      effect: lastGood !== undefined ? 'supports' : 'weakens',
      detail:
        lastGood !== undefined
          ? `last record seen at ${lastGood.time}`
          : 'the time of the last record is unknown',
      evidence_refs: lastGood?.evidence_refs ?? [],
    });
    if (lastGood === undefined) score -= 1;
    const checked = [...producers.keys()].sort(compare);
    const earlier = checked
      .map((svc) => [svc, lastDeploys.get(svc)] as const)
      .filter(
        (e): e is readonly [string, { record: DeploymentRecord; at: number; gap: number }] =>
          e[1] !== undefined,
      );
    reasons.push({
      factor: 'no_nearby_deployment',
      effect: checked.length > 0 ? 'supports' : 'weakens',
      detail:
        checked.length > 0
          ? `no deployment of ${checked.join(', ')} within ${humanDuration(settings.deployCloseWindowMs)} before ${refLabel}${
              earlier.length > 0
                ? ` (latest: ${earlier.map(([svc, d]) => `${svc} ${d.record.info.version}, ${humanDuration(d.gap)} before`).join('; ')})`
                : ''
            }`
          : `no producing service of ${primary} is known, so deployments could not be ruled out`,
      evidence_refs: earlier.map(([svc, d]) =>
        catalog.cite(
          'deployment',
          d.record.info.deployment_id,
          `deployment ${svc} ${d.record.info.version} at ${iso(d.at)}`,
        ),
      ),
    });
    if (checked.length === 0) cap(2);
    const service = checked[0];
    const silent = silentForMs(stallSignals);
    // a dataset that never sent anything: freshness says since when it has been watched
    const watchedSince = stallSignals
      .map((s) => s.metrics.watching_since)
      .find((v): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v)));
    const since =
      lastGood !== undefined
        ? clockTime(lastGood.time)
        : watchedSince !== undefined
          ? `monitoring started at ${clockTime(watchedSince)} (none at all)`
          : 'an unknown time';
    const sc: RootCause = {
      kind: 'stall',
      statement: `${primary} stalled: no records since ${since}${service !== undefined ? ` from ${service}` : ''}, and no deployment or upstream incident explains it.`,
      dataset_urn: primary,
      evidence_refs: uniqueRefs(
        ...stallSignals.map((s) => s.evidence_refs),
        lastGood?.evidence_refs,
      ),
      ...(service !== undefined ? { producer_service: service } : {}),
      ...(lastGood !== undefined ? { last_record_at: lastGood.time } : {}),
      ...(lastGood === undefined && watchedSince !== undefined
        ? { watched_since: watchedSince }
        : {}),
      ...(silent !== undefined ? { silent_for_ms: silent } : {}),
    };
    rootCause = sc;
  } else {
    cap(1);
    const what =
      codesAll.length > 0
        ? codesAll.join(', ')
        : badSignals
            .map((s) => `${s.signal_type} ${s.state}`)
            .filter((v, i, a) => a.indexOf(v) === i)
            .join(', ') || 'the incident';
    reasons.push({
      factor: 'nothing_explains',
      effect: 'contradicts',
      detail: `nothing explains ${what}: ${ruledOut.join('; ')}`,
      evidence_refs: uniqueRefs(incidentRef, signalRefs),
    });
    rootCause = {
      kind: 'unexplained',
      statement: `Unexplained: no deployment, stall or upstream incident explains ${what} on ${primary}.`,
      dataset_urn: primary,
      evidence_refs: uniqueRefs(
        incidentRef,
        signalRefs,
        failureSignatures.flatMap((f) => f.evidence_refs),
      ),
      ruled_out: ruledOut,
    };
  }
  const confidence: RcaConfidence = { level: levelOf(score), reasons };
  // The dataset the root cause is about is part of its evidence (the upstream one is cited above).
  if (rootCause.kind !== 'upstream_dataset' && !rootCause.evidence_refs.includes(primaryRef))
    rootCause.evidence_refs.push(primaryRef);

  // --- blast radius, mitigations, summary -----------------------------------------------------
  const blast = await blastPromise;
  citeBlastRadius(blast.entries, catalog);
  const mitigations = buildMitigations({
    rootCause,
    primary,
    blast: blast.entries,
    failureSignatures,
    lastGood,
    firstBad,
    catalog,
  });
  const coverage: GraphCoverage = {
    incident_in_graph: causal.found,
    chains: causal.chains.length,
    edges: edgeCounts,
    missing,
    truncated: causal.truncated || blast.truncated,
  };
  const report = {
    schema_version: 'rca-report/v1' as const,
    incident_id: incident.incident_id,
    generated_at: iso(ctx.now()),
    incident,
    primary_dataset_urn: primary,
    signals,
    missing_signal_ids: missingSignalIds,
    failure_signatures: failureSignatures,
    reason_codes: reasonCodes,
    ...(firstBad !== undefined ? { first_bad: firstBad } : {}),
    ...(lastGood !== undefined ? { last_good: lastGood } : {}),
    root_cause: rootCause,
    confidence,
    blast_radius: blast,
    mitigations,
    graph: coverage,
    evidence: [] as RcaReport['evidence'],
  };
  const summary = templateSummary(report);
  report.evidence = catalog.items();
  return { ...report, summary };
}

function edgeConfidenceFromChains(causal: CausalPathResult, edgeId: string): Confidence {
  // Roots carry the weakest confidence of their chain; the INTRODUCED edge is the one that may be
  // below HIGH (engines set it), so the root's confidence is the edge's when the rest is HIGH.
  const deploymentId = edgeId.split('|')[0];
  const root = causal.roots.find((r) => r.deploymentId === deploymentId);
  return root !== undefined && isConfidence(root.confidence) ? root.confidence : 'HIGH';
}

function timing(
  times: number[],
  refMs: number,
  skewMs: number,
): { deployedAt?: number; gapMs?: number } {
  if (times.length === 0) return {};
  let before: number | undefined;
  for (const t of times)
    if (t <= refMs + skewMs && (before === undefined || t > before)) before = t;
  const at = before ?? times[0];
  if (at === undefined) return {};
  return { deployedAt: at, gapMs: refMs - at };
}

function gapRank(gap: number | undefined, settings: RcaSettings): number {
  if (gap === undefined) return 2;
  if (gap < -settings.clockSkewMs) return 4;
  if (gap <= settings.deployCloseWindowMs) return 0;
  if (gap <= settings.deployCorrelationWindowMs) return 1;
  return 3;
}

function producerIdentity(
  info: DeploymentInfo,
  producers: Map<string, { confidence: Confidence; edgeId?: string }>,
  recordProducers: Map<string, Set<string>>,
  badSignals: ReportSignal[],
): { level: RcaConfidenceLevel; detail: string; edgeId?: string; fromSignals: boolean } {
  const declared = badSignals
    .map((s) => s.metrics.identity_confidence)
    .find((v): v is RcaConfidenceLevel => isConfidence(v));
  const produces = producers.get(info.service);
  const edgeId = produces?.edgeId;
  const versions = recordProducers.get(info.service);
  if (declared !== undefined) {
    return {
      level: declared,
      detail: `gate G2 identified the producer of the failing records as ${info.service} with ${declared} confidence`,
      ...(edgeId !== undefined ? { edgeId } : {}),
      fromSignals: true,
    };
  }
  if (versions !== undefined && versions.size > 0) {
    return {
      level: 'HIGH',
      detail: `the failing records name their producer and version (${info.service} ${[...versions].sort().join(', ')})`,
      ...(edgeId !== undefined ? { edgeId } : {}),
      fromSignals: true,
    };
  }
  if (recordProducers.has(info.service)) {
    return {
      level: produces?.confidence === 'HIGH' ? 'HIGH' : 'MEDIUM',
      detail: `the failing records name ${info.service} as producer (no version header)${produces !== undefined ? `; PRODUCES edge confidence ${produces.confidence}` : ''}`,
      ...(edgeId !== undefined ? { edgeId } : {}),
      fromSignals: true,
    };
  }
  if (produces !== undefined && produces.edgeId !== undefined) {
    // Design-time ownership only: nothing says the failing records were written by it.
    return {
      level: produces.confidence === 'HIGH' ? 'MEDIUM' : produces.confidence,
      detail: `${info.service} PRODUCES the dataset (edge confidence ${produces.confidence}); the records themselves do not name a producer`,
      edgeId: produces.edgeId,
      fromSignals: false,
    };
  }
  return {
    level: 'LOW',
    detail: `nothing ties ${info.service} to the dataset as its producer (no PRODUCES edge, no producer on the records)`,
    fromSignals: false,
  };
}

async function previousDeployment(
  info: DeploymentInfo,
  candidate: DeploymentCandidate,
  historyOf: (service: string) => Promise<DeploymentRecord[]>,
): Promise<DeploymentInfo | undefined> {
  if (info.service === '') return undefined;
  const history = await historyOf(info.service);
  const culpritAt =
    candidate.deployedAt ?? candidate.record.times[candidate.record.times.length - 1];
  let best: { record: DeploymentRecord; at: number } | undefined;
  for (const record of history) {
    if (record.info.version === info.version) continue;
    if ((record.info.environment ?? '') !== (info.environment ?? '')) continue;
    for (const t of record.times) {
      if (culpritAt !== undefined && t >= culpritAt) continue;
      if (best === undefined || t > best.at) best = { record, at: t };
    }
  }
  return best === undefined ? undefined : withDeployedAt(best.record, best.at);
}

/** The first other version of the service deployed after the culprit (a rollback or a fix), up to now. */
async function nextDeployment(
  info: DeploymentInfo,
  candidate: DeploymentCandidate,
  historyOf: (service: string) => Promise<DeploymentRecord[]>,
  now: number,
): Promise<DeploymentInfo | undefined> {
  if (info.service === '') return undefined;
  const culpritAt =
    candidate.deployedAt ?? candidate.record.times[candidate.record.times.length - 1];
  if (culpritAt === undefined) return undefined;
  let best: { record: DeploymentRecord; at: number } | undefined;
  for (const record of await historyOf(info.service)) {
    if ((record.info.environment ?? '') !== (info.environment ?? '')) continue;
    for (const t of record.times) {
      if (t <= culpritAt || t > now) continue;
      if (best === undefined || t < best.at) best = { record, at: t };
    }
  }
  // The culprit itself deployed again (a redeploy of the same build) does not replace it.
  if (best === undefined || best.record.info.version === info.version) return undefined;
  return withDeployedAt(best.record, best.at);
}

interface UpstreamFinding {
  accepted: boolean;
  upstream: UpstreamDataset;
  incidentId?: string;
  since: string;
  lateMs: number;
  refs: string[];
  rootCause?: { kind: RootCauseKind; statement: string };
  ruledOut?: string;
}

async function findUpstreamIncident(
  incident: Incident,
  upstream: UpstreamDataset[],
  refMs: number,
  ctx: BuildContext,
  catalog: EvidenceCatalog,
): Promise<UpstreamFinding | undefined> {
  const openedMs = parseMs(incident.opened_at) as number;
  const startMs = Math.min(openedMs, refMs);
  const tolerance = ctx.settings.upstreamToleranceMs;
  let lateFinding: UpstreamFinding | undefined;
  const candidates = upstream.filter((u) => !incident.dataset_urns.includes(u.urn));
  // Every upstream dataset's incidents and current signals at once (one round of state reads).
  const [listedAll, currentAll] = await Promise.all([
    Promise.all(candidates.map((u) => ctx.state.incidentsOfDataset(u.urn, 20))),
    Promise.all(candidates.map((u) => ctx.state.currentSignals(u.urn))),
  ]);
  for (const [index, u] of candidates.entries()) {
    const listed = listedAll[index] ?? [];
    for (const entry of listed) {
      if (entry.incident_id === incident.incident_id) continue;
      const item = await ctx.state.incident(entry.incident_id);
      const doc = item?.data as Partial<Incident> | undefined;
      const opened = parseMs(doc?.opened_at ?? entry.opened_at);
      if (opened === undefined) continue;
      const resolved = parseMs(doc?.resolved_at);
      const status = doc?.status ?? entry.status;
      if (status === 'RESOLVED' && resolved !== undefined && resolved < startMs) continue;
      const rc = await ctx.upstreamRootCause(entry.incident_id).catch(() => undefined);
      // The upstream trouble starts at its first bad record when known, else when its incident opened.
      const since = Math.min(opened, parseMs(rc?.firstBadAt) ?? opened);
      const late = since - startMs;
      const ref = catalog.cite(
        'upstream_incident',
        entry.incident_id,
        `upstream incident ${entry.incident_id} on ${u.urn} (${status}) opened ${iso(opened)}`,
      );
      const finding: UpstreamFinding = {
        accepted: late <= tolerance,
        upstream: u,
        incidentId: entry.incident_id,
        since: iso(since),
        lateMs: late > ctx.settings.clockSkewMs ? late : 0,
        refs: [ref],
      };
      if (rc !== undefined) finding.rootCause = { kind: rc.kind, statement: rc.statement };
      if (!finding.accepted) {
        finding.ruledOut = `upstream incident ${entry.incident_id} on ${u.urn} started ${humanDuration(late)} after this one`;
        if (lateFinding === undefined || late < lateFinding.lateMs) lateFinding = finding;
        continue;
      }
      return finding;
    }
    const current = currentAll[index] ?? [];
    const critical = current
      .filter((s) => s.state === 'CRITICAL')
      .sort((a, b) => compare(a.emitted_at, b.emitted_at))[0];
    if (critical !== undefined) {
      const emitted = parseMs(critical.emitted_at) ?? Number.POSITIVE_INFINITY;
      const since = parseMs(critical.first_bad?.time) ?? parseMs(critical.window?.start) ?? emitted;
      if (since - startMs <= tolerance) {
        const ref = catalog.cite(
          'signal',
          critical.signal_id,
          `${critical.signal_type} ${critical.state} on upstream ${u.urn}: ${critical.reason}`,
        );
        return {
          accepted: true,
          upstream: u,
          since: iso(since),
          lateMs: since - startMs > ctx.settings.clockSkewMs ? since - startMs : 0,
          refs: [ref],
        };
      }
    }
  }
  return lateFinding;
}

function pointer(
  p: RecordPointer | undefined,
  signalId: string,
  catalog: EvidenceCatalog,
  what: 'first bad' | 'last good',
  signalRef: string,
): RecordPosition | undefined {
  if (p === undefined || typeof p.time !== 'string') return undefined;
  const out: RecordPosition = {
    time: p.time,
    signal_id: signalId,
    source: 'signal',
    evidence_refs: [],
  };
  if (p.topic !== undefined) out.topic = p.topic;
  if (p.partition !== undefined) out.partition = p.partition;
  if (p.offset !== undefined) out.offset = p.offset;
  if (p.evidence_id !== undefined) out.evidence_id = p.evidence_id;
  if (p.fingerprint !== undefined) out.fingerprint = p.fingerprint;
  const where =
    p.topic !== undefined
      ? ` at ${p.topic}${p.partition !== undefined ? `/${p.partition}` : ''}${p.offset !== undefined ? `@${p.offset}` : ''}`
      : '';
  out.evidence_refs =
    p.evidence_id !== undefined
      ? [catalog.cite('record', p.evidence_id, `${what} record ${p.time}${where}`), signalRef]
      : [signalRef];
  return out;
}

function fromSignal(doc: Signal, catalog: EvidenceCatalog): ReportSignal {
  const ref = catalog.cite(
    'signal',
    doc.signal_id,
    `${doc.signal_type} ${doc.state} on ${doc.dataset_urn}${doc.reason ? `: ${doc.reason}` : ''}`,
  );
  const out: ReportSignal = {
    signal_id: doc.signal_id,
    dataset_urn: doc.dataset_urn,
    signal_type: doc.signal_type,
    state: doc.state,
    metrics: doc.metrics ?? {},
    failure_signature_ids: Array.isArray(doc.failure_signature_ids)
      ? doc.failure_signature_ids.filter((id) => typeof id === 'string' && id !== '')
      : [],
    source: 'state',
    evidence_refs: [ref],
  };
  if (doc.window !== undefined) out.window = doc.window;
  if (doc.reason !== undefined) out.reason = doc.reason;
  if (doc.emitted_at !== undefined) out.emitted_at = doc.emitted_at;
  if (doc.producer !== undefined) out.producer = doc.producer;
  const firstBad = pointer(doc.first_bad, doc.signal_id, catalog, 'first bad', ref);
  if (firstBad !== undefined) out.first_bad = firstBad;
  const lastGood = pointer(doc.last_good, doc.signal_id, catalog, 'last good', ref);
  if (lastGood !== undefined) out.last_good = lastGood;
  return out;
}
