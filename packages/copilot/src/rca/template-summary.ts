import type { BlastRadiusEntry, RcaReport, RcaSummary } from '../types';
import { uniqueRefs } from './evidence-catalog';
import { clockTime } from './time';

function blastText(entries: BlastRadiusEntry[]): string {
  const outside = entries.filter((e) => !e.in_incident);
  if (outside.length === 0) return 'none known';
  // Consumers (jobs) first: those are the teams to warn.
  const ordered = [
    ...outside.filter((e) => e.label === 'Job'),
    ...outside.filter((e) => e.label !== 'Job'),
  ];
  const shown = ordered
    .slice(0, 3)
    .map((e) => `${e.name}${e.tier !== undefined ? ` (tier ${e.tier})` : ''}`);
  const more = outside.length - shown.length;
  return `${shown.join(', ')}${more > 0 ? `, +${more} more` : ''}`;
}

function action(report: Omit<RcaReport, 'summary' | 'evidence'>): string {
  const first = report.mitigations[0];
  if (first === undefined) return 'investigate';
  if (first.action === 'ROLLBACK' && report.root_cause.kind === 'deployment') {
    const p = report.root_cause.previous;
    return p !== undefined
      ? `roll back to ${p.version}`
      : `roll back ${report.root_cause.deployment.service} to the version before ${report.root_cause.deployment.version}`;
  }
  return first.title.charAt(0).toLowerCase() + first.title.slice(1);
}

/** The deterministic one-paragraph summary: the sentence an on-call engineer reads at 3 a.m. */
export function templateSummary(report: Omit<RcaReport, 'summary' | 'evidence'>): RcaSummary {
  const rc = report.root_cause;
  const lastGood = report.last_good !== undefined ? clockTime(report.last_good.time) : undefined;
  const firstBad = report.first_bad !== undefined ? clockTime(report.first_bad.time) : undefined;
  const blast = blastText(report.blast_radius.entries);
  let head: string;
  switch (rc.kind) {
    case 'deployment': {
      const d = rc.deployment;
      const codes = rc.introduced_reason_codes;
      const failedAt = rc.first_bad_at !== undefined ? clockTime(rc.first_bad_at) : firstBad;
      head = `Root cause: deployment ${d.service} ${d.version}${d.commit !== undefined ? ` (commit ${d.commit})` : ''} ${
        codes.length > 0 ? `introduced ${codes.join(', ')}` : `broke ${rc.dataset_urn}`
      }${failedAt !== undefined ? ` at ${failedAt}` : ''}`;
      break;
    }
    case 'stall':
      head = `Root cause: ${rc.dataset_urn} stalled${rc.producer_service !== undefined ? ` (producer ${rc.producer_service})` : ''}, no records since ${
        lastGood ??
        (rc.watched_since !== undefined
          ? `monitoring started at ${clockTime(rc.watched_since)} (none at all)`
          : 'an unknown time')
      }, and no deployment explains it`;
      break;
    case 'upstream_dataset':
      head = `Root cause: upstream dataset ${rc.upstream_dataset_urn}${rc.upstream_incident_id !== undefined ? ` (incident ${rc.upstream_incident_id})` : ''} feeds ${rc.affected_dataset_urn}${
        rc.upstream_root_cause !== undefined
          ? `; upstream: ${rc.upstream_root_cause.statement.replace(/\.$/, '')}`
          : ''
      }${firstBad !== undefined ? `; first bad ${firstBad}` : ''}`;
      break;
    case 'unexplained':
      head = `Root cause: unexplained — no deployment, stall or upstream incident explains ${
        report.reason_codes.length > 0
          ? report.reason_codes.map((c) => c.code).join(', ')
          : 'the incident'
      } on ${rc.dataset_urn}${firstBad !== undefined ? ` since ${firstBad}` : ''}`;
      break;
  }
  const parts = [head];
  if (lastGood !== undefined && rc.kind !== 'stall') parts.push(`last good ${lastGood}`);
  parts.push(`blast radius: ${blast}`);
  parts.push(`suggested action: ${action(report)}`);
  const text = `${parts.join('; ')}. Confidence: ${report.confidence.level}.`;
  return {
    text,
    source: 'template',
    template: text,
    evidence_refs: uniqueRefs(rc.evidence_refs, report.mitigations[0]?.evidence_refs),
  };
}
