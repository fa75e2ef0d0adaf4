import { isDatasetUrn } from '@signal-factory/core';
import { CONFIDENCE_RANK, VERTEX_LABELS } from '@signal-factory/lineage';
import type { BlastRadiusEntry, ColumnOverlapStatus } from '../types';
import type { EvidenceCatalog } from './evidence-catalog';
import type { GraphReader } from './graph-reader';
import type { RcaSettings } from './settings';

export interface BlastRadiusInput {
  graph: GraphReader;
  /** Start datasets, the primary first. */
  datasets: string[];
  incidentDatasets: string[];
  /** Dataset URN → column paths named by the incident's reason codes. */
  affectedColumns: Map<string, string[]>;
  /** The whole record stream is affected (stall, volume): every column counts. */
  wholeRecordsAffected: boolean;
  settings: RcaSettings;
  /** Cites the lineage edges that put each entry in the blast radius; omit for a bare query. */
  catalog?: EvidenceCatalog;
}

const OVERLAP_RANK: Record<ColumnOverlapStatus, number> = {
  all_columns: 0,
  overlap: 0,
  unknown: 1,
  no_overlap: 2,
};

/** A column path is hit when it equals an affected path or one is nested inside the other. */
function overlaps(read: string, affected: string): boolean {
  return (
    read === affected ||
    read.startsWith(`${affected}.`) ||
    affected.startsWith(`${read}.`) ||
    read.startsWith(`${affected}[`) ||
    affected.startsWith(`${read}[`)
  );
}

/**
 * Who is hurt: the lineage blast radius of every incident dataset, merged (nearest first), with
 * the columns each consumer reads compared to the columns that broke, ranked by tier, distance,
 * column overlap and edge confidence.
 */
export async function buildBlastRadius(
  input: BlastRadiusInput,
): Promise<{ entries: BlastRadiusEntry[]; truncated: boolean }> {
  const { graph, settings } = input;
  const merged = new Map<string, BlastRadiusEntry>();
  let truncated = false;
  for (const dataset of input.datasets.filter((d) => isDatasetUrn(d))) {
    const result = await graph.queries.blastRadius(
      { dataset },
      { maxDepth: settings.blastRadiusDepth, limit: settings.blastRadiusLimit },
    );
    if (!result.found) continue;
    truncated ||= result.truncated;
    for (const hit of result.hits) {
      const known = merged.get(hit.id);
      if (known !== undefined && known.depth <= hit.depth) continue;
      const name =
        hit.label === VERTEX_LABELS.JOB && typeof hit.properties.name === 'string'
          ? hit.properties.name
          : hit.id;
      const entry: BlastRadiusEntry = {
        id: hit.id,
        label: hit.label,
        name,
        depth: hit.depth,
        confidence: hit.confidence,
        via: hit.via,
        from_dataset: dataset,
        in_incident: input.incidentDatasets.includes(hit.id),
        column_overlap: {
          status: 'unknown',
          read_columns: null,
          affected_columns: [],
          overlapping: [],
        },
        evidence_refs: [],
      };
      if (hit.tier !== undefined) entry.tier = hit.tier;
      merged.set(hit.id, entry);
    }
  }
  // Column overlap: jobs first (they read columns), then the datasets they write inherit it.
  const entries = [...merged.values()];
  const jobs = entries.filter((e) => e.label === VERTEX_LABELS.JOB);
  const columnsByJob = await graph.columnsReadByMany(jobs.map((j) => j.id));
  for (const job of jobs) {
    const affected = input.affectedColumns.get(job.via) ?? [];
    const read = columnsByJob.get(job.id)?.get(job.via);
    job.column_overlap.affected_columns = affected;
    job.column_overlap.read_columns = read ?? null;
    if (input.wholeRecordsAffected) {
      job.column_overlap.status = 'all_columns';
    } else if (affected.length === 0) {
      job.column_overlap.status = 'unknown';
    } else if (read === undefined) {
      job.column_overlap.status = 'unknown';
    } else {
      const hit = read.filter((r) => affected.some((a) => overlaps(r, a)));
      job.column_overlap.overlapping = hit;
      job.column_overlap.status = hit.length > 0 ? 'overlap' : 'no_overlap';
    }
  }
  for (const entry of entries) {
    if (entry.label === VERTEX_LABELS.JOB) continue;
    const via = merged.get(entry.via);
    if (via !== undefined) {
      entry.column_overlap = {
        status: via.column_overlap.status,
        read_columns: null,
        affected_columns: via.column_overlap.affected_columns,
        overlapping: via.column_overlap.overlapping,
      };
    } else if (input.wholeRecordsAffected) {
      entry.column_overlap.status = 'all_columns';
    }
  }
  entries.sort(
    (a, b) =>
      (a.tier ?? 4) - (b.tier ?? 4) ||
      a.depth - b.depth ||
      OVERLAP_RANK[a.column_overlap.status] - OVERLAP_RANK[b.column_overlap.status] ||
      CONFIDENCE_RANK[b.confidence] - CONFIDENCE_RANK[a.confidence] ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const kept = entries.slice(0, settings.blastRadiusLimit);
  if (kept.length < entries.length) truncated = true;
  const owners = await graph.ownersOf(kept.slice(0, settings.ownerLookups).map((e) => e.id));
  for (const entry of kept) {
    const owner = owners.get(entry.id);
    if (owner !== undefined) entry.owner = owner;
  }
  if (input.catalog !== undefined) citeBlastRadius(kept, input.catalog);
  return { entries: kept, truncated };
}

/** Cites the lineage edge that puts each entry in the blast radius, in entry order. */
export function citeBlastRadius(entries: BlastRadiusEntry[], catalog: EvidenceCatalog): void {
  for (const entry of entries) {
    const isJob = entry.label === VERTEX_LABELS.JOB;
    const edgeId = isJob ? `${entry.id}|READS|${entry.via}` : `${entry.via}|WRITES|${entry.id}`;
    entry.evidence_refs = [
      catalog.cite(
        'edge',
        edgeId,
        isJob
          ? `READS edge: ${entry.name} reads ${entry.via}`
          : `WRITES edge: ${entry.via} writes ${entry.id}`,
      ),
    ];
  }
}
