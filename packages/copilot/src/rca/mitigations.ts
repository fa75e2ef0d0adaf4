import type {
  BlastRadiusEntry,
  Mitigation,
  RecordPosition,
  ReportFailureSignature,
  RootCause,
} from '../types';
import { uniqueRefs, type EvidenceCatalog } from './evidence-catalog';

export interface MitigationInput {
  rootCause: RootCause;
  primary: string;
  blast: BlastRadiusEntry[];
  failureSignatures: ReportFailureSignature[];
  firstBad?: RecordPosition;
  lastGood?: RecordPosition;
  catalog: EvidenceCatalog;
}

function where(p: RecordPosition | undefined): string {
  if (p === undefined) return '';
  if (p.topic === undefined) return ` (${p.time})`;
  return ` (${p.topic}${p.partition !== undefined ? ` partition ${p.partition}` : ''}${p.offset !== undefined ? ` offset ${p.offset}` : ''}, ${p.time})`;
}

/** Suggested actions for the root cause, most useful first. Deterministic. */
export function buildMitigations(input: MitigationInput): Mitigation[] {
  const { rootCause, primary } = input;
  const out: Omit<Mitigation, 'priority'>[] = [];
  // Consumers worth pausing: jobs that read broken columns (or every column is broken), most critical first.
  const hurt = input.blast.filter(
    (e) =>
      e.label === 'Job' &&
      (e.column_overlap.status === 'overlap' ||
        e.column_overlap.status === 'all_columns' ||
        e.column_overlap.status === 'unknown'),
  );
  const critical = hurt.filter((e) => e.tier === undefined || e.tier <= 2).slice(0, 10);
  const pause = (why: string): void => {
    if (critical.length === 0) return;
    out.push({
      action: 'PAUSE_CONSUMERS',
      title: `Pause ${critical.map((e) => e.name).join(', ')}`,
      detail: `${why} ${critical
        .map(
          (e) =>
            `${e.name}${e.tier !== undefined ? ` (tier ${e.tier})` : ''}${e.column_overlap.overlapping.length > 0 ? ` reads ${e.column_overlap.overlapping.join(', ')}` : ''}`,
        )
        .join('; ')}.`,
      target: critical.map((e) => e.id),
      evidence_refs: uniqueRefs(...critical.map((e) => e.evidence_refs)),
    });
  };
  const fsRefs = uniqueRefs(...input.failureSignatures.map((f) => f.evidence_refs));
  const quarantine = (): void => {
    if (input.failureSignatures.length === 0) return;
    out.push({
      action: 'QUARANTINE_DATASET',
      title: `Quarantine failing records of ${primary}`,
      detail: `Set the sidecar policy of ${primary} to enforce so records failing ${[
        ...new Set(input.failureSignatures.flatMap((f) => f.reason_codes)),
      ].join(', ')} go to the quarantine topic instead of consumers.`,
      target: [primary],
      evidence_refs: fsRefs,
    });
  };
  const replay = (after: string): void => {
    const from = input.lastGood ?? input.firstBad;
    out.push({
      action: 'REPLAY',
      title: `Replay ${primary} from the last good record`,
      detail: `${after} replay or backfill ${primary} from the last good record${where(from)} so consumers recompute.`,
      target: [primary],
      evidence_refs: from?.evidence_refs ?? [],
    });
  };

  switch (rootCause.kind) {
    case 'deployment': {
      const d = rootCause.deployment;
      const refs = rootCause.evidence_refs;
      const replaced = rootCause.replaced_by;
      if (replaced !== undefined) {
        // Already rolled back or fixed: say so instead of asking for a rollback at 3 a.m.
        const replacedRef = input.catalog.cite(
          'deployment',
          replaced.deployment_id,
          `deployment ${replaced.service} ${replaced.version}${replaced.deployed_at !== undefined ? ` at ${replaced.deployed_at}` : ''} (after ${d.version})`,
        );
        out.push({
          action: 'INVESTIGATE',
          title: `Confirm that ${d.service} ${replaced.version} ended the failure`,
          detail: `${d.service} ${d.version} is no longer live: ${replaced.version}${replaced.commit !== undefined ? ` (commit ${replaced.commit})` : ''} replaced it${replaced.deployed_at !== undefined ? ` at ${replaced.deployed_at}` : ''}. Check that new records of ${primary} pass; roll back further only if they still fail.`,
          target: [d.service],
          evidence_refs: uniqueRefs(replacedRef, refs),
        });
      } else if (rootCause.previous !== undefined) {
        const p = rootCause.previous;
        const prevRef = input.catalog.cite(
          'deployment',
          p.deployment_id,
          `deployment ${p.service} ${p.version}${p.deployed_at !== undefined ? ` at ${p.deployed_at}` : ''} (the version before ${d.version})`,
        );
        out.push({
          action: 'ROLLBACK',
          title: `Roll back ${d.service} to ${p.version}`,
          detail: `${d.service} ${p.version}${p.commit !== undefined ? ` (commit ${p.commit})` : ''} ran before ${d.version}${p.deployed_at !== undefined ? ` (deployed ${p.deployed_at})` : ''}.`,
          target: [d.service],
          evidence_refs: uniqueRefs(prevRef, refs),
        });
      } else {
        out.push({
          action: 'ROLLBACK',
          title: `Roll back ${d.service} to the version before ${d.version}`,
          detail: `The deployment history in the graph has no earlier version of ${d.service}; use your CD system's previous release.`,
          target: [d.service],
          evidence_refs: refs,
        });
      }
      out.push({
        action: 'HOTFIX',
        title: `Fix ${d.service}${d.commit !== undefined ? ` commit ${d.commit}` : ` ${d.version}`}`,
        detail:
          rootCause.introduced_reason_codes.length > 0
            ? `Restore what the deploy broke: ${rootCause.introduced_reason_codes.join(', ')}.`
            : `Find what the deploy changed in how ${d.service} produces ${primary}.`,
        target: [d.service],
        evidence_refs: refs,
      });
      if (replaced === undefined) {
        quarantine();
        pause('Until the fix is out, stop consumers that read the broken data:');
      }
      replay(
        replaced === undefined
          ? 'After the rollback or fix,'
          : `The records written while ${d.version} was live are still wrong:`,
      );
      break;
    }
    case 'stall': {
      const service = rootCause.producer_service;
      out.push({
        action: 'CHECK_PRODUCER',
        title:
          service !== undefined
            ? `Check ${service}: it stopped producing ${primary}`
            : `Find the producer of ${primary}: it stopped`,
        detail: `${
          rootCause.last_record_at === undefined && rootCause.watched_since !== undefined
            ? `No records at all since monitoring started at ${rootCause.watched_since}`
            : `No records since ${rootCause.last_record_at ?? 'an unknown time'}`
        }. Check the producer's health, its Kafka connectivity and the sidecar.`,
        target: service !== undefined ? [service] : [primary],
        evidence_refs: rootCause.evidence_refs,
      });
      pause('Consumers are computing on partial data:');
      replay('When data flows again,');
      break;
    }
    case 'upstream_dataset': {
      out.push({
        action: 'FOLLOW_UPSTREAM',
        title:
          rootCause.upstream_incident_id !== undefined
            ? `Follow incident ${rootCause.upstream_incident_id} on ${rootCause.upstream_dataset_urn}`
            : `Fix ${rootCause.upstream_dataset_urn} first`,
        detail: `${rootCause.affected_dataset_urn} is built from ${rootCause.upstream_dataset_urn}${rootCause.upstream_root_cause !== undefined ? `, whose root cause is: ${rootCause.upstream_root_cause.statement}` : ''}. Fixing it upstream fixes this incident.`,
        target: [rootCause.upstream_dataset_urn],
        evidence_refs: rootCause.evidence_refs,
      });
      pause('Stop consumers of the affected data:');
      replay('After the upstream fix,');
      break;
    }
    case 'unexplained': {
      out.push({
        action: 'INVESTIGATE',
        title: `Investigate ${primary}`,
        detail: `Nothing recorded explains the incident (${rootCause.ruled_out.join('; ')}). Check the producer, recent config changes and source systems.`,
        target: [primary],
        evidence_refs: rootCause.evidence_refs,
      });
      quarantine();
      pause('While unexplained, protect consumers:');
      break;
    }
  }
  return out.map((m, i) => ({ ...m, priority: i + 1 }));
}
