import type { RcaReport, RecordPosition } from '../types';

const refs = (list: string[]): string => (list.length > 0 ? `  [${list.join(', ')}]` : '');

function position(p: RecordPosition | undefined): string {
  if (p === undefined) return 'unknown';
  const where =
    p.topic !== undefined
      ? `  ${p.topic}${p.partition !== undefined ? `/${p.partition}` : ''}${p.offset !== undefined ? `@${p.offset}` : ''}`
      : '';
  return `${p.time}${where}${p.evidence_id !== undefined ? `  ${p.evidence_id}` : ''}${refs(p.evidence_refs)}`;
}

/** A readable, plain-text rendering of a report (what `signal-factory rca <id>` prints). */
export function formatRcaReport(report: RcaReport): string {
  const lines: string[] = [];
  const i = report.incident;
  lines.push(`Incident ${i.incident_id} · ${i.severity} · ${i.status} · opened ${i.opened_at}`);
  if (typeof i.title === 'string' && i.title !== '') lines.push(`  ${i.title}`);
  lines.push('');
  lines.push(
    `Summary (${report.summary.source}${report.summary.model !== undefined ? `, ${report.summary.model}` : ''})`,
  );
  lines.push(`  ${report.summary.text}`);
  if (report.summary.llm_fallback_reason !== undefined) {
    lines.push(
      `  (LLM summary not used: ${report.summary.llm_fallback_reason}${report.summary.llm_fallback_detail !== undefined ? ` — ${report.summary.llm_fallback_detail}` : ''})`,
    );
  }
  lines.push('');
  lines.push(`Root cause: ${report.root_cause.kind}${refs(report.root_cause.evidence_refs)}`);
  lines.push(`  ${report.root_cause.statement}`);
  if (report.root_cause.kind === 'unexplained') {
    for (const r of report.root_cause.ruled_out) lines.push(`  - ruled out: ${r}`);
  }
  lines.push(`Confidence: ${report.confidence.level}`);
  const mark = { supports: '+', weakens: '-', contradicts: '!' } as const;
  for (const r of report.confidence.reasons)
    lines.push(`  ${mark[r.effect]} ${r.detail}${refs(r.evidence_refs)}`);
  lines.push('');
  lines.push(`First bad:  ${position(report.first_bad)}`);
  lines.push(`Last good:  ${position(report.last_good)}`);
  if (report.failure_signatures.length > 0) {
    lines.push('');
    lines.push('Failure signatures');
    for (const f of report.failure_signatures) {
      const count = `${f.records !== null ? `${f.records} records, ` : ''}${f.signals} signal${f.signals === 1 ? '' : 's'}`;
      lines.push(
        `  ${f.id.slice(0, 19)}…  ${f.reason_codes.join(', ') || '(no reason codes)'}  (${count})${refs(f.evidence_refs)}`,
      );
    }
  }
  lines.push('');
  lines.push('Signals');
  for (const s of report.signals) {
    lines.push(
      `  ${s.signal_type} ${s.state}  ${s.dataset_urn}${s.window !== undefined ? `  ${s.window.start} → ${s.window.end}` : ''}${s.reason !== undefined ? `  ${s.reason}` : ''}${refs(s.evidence_refs)}`,
    );
  }
  if (report.missing_signal_ids.length > 0)
    lines.push(`  missing: ${report.missing_signal_ids.join(', ')}`);
  lines.push('');
  lines.push(`Blast radius${report.blast_radius.truncated ? ' (truncated)' : ''}`);
  if (report.blast_radius.entries.length === 0) lines.push('  none known');
  report.blast_radius.entries.slice(0, 20).forEach((e, n) => {
    const verb = e.label === 'Job' ? 'reads' : 'built from';
    const overlap =
      e.column_overlap.status === 'overlap'
        ? `${verb} ${e.column_overlap.overlapping.join(', ')}`
        : e.column_overlap.status === 'no_overlap'
          ? `${verb} none of the broken columns`
          : e.column_overlap.status === 'all_columns'
            ? 'all columns affected'
            : 'column use unknown';
    lines.push(
      `  ${n + 1}. ${e.name}  ${e.label}${e.tier !== undefined ? `  tier ${e.tier}` : ''}  depth ${e.depth}  ${overlap}${e.owner !== undefined ? `  owner ${e.owner}` : ''}${e.in_incident ? '  (in incident)' : ''}${refs(e.evidence_refs)}`,
    );
  });
  if (report.blast_radius.entries.length > 20)
    lines.push(`  … ${report.blast_radius.entries.length - 20} more`);
  lines.push('');
  lines.push('Mitigations');
  for (const m of report.mitigations) {
    lines.push(`  ${m.priority}. ${m.title}${refs(m.evidence_refs)}`);
    lines.push(`     ${m.detail}`);
  }
  if (report.graph.missing.length > 0) {
    lines.push('');
    lines.push('Graph gaps');
    for (const m of report.graph.missing.slice(0, 10)) lines.push(`  - ${m}`);
    if (report.graph.missing.length > 10)
      lines.push(`  … ${report.graph.missing.length - 10} more`);
  }
  lines.push('');
  lines.push('Evidence');
  for (const e of report.evidence)
    lines.push(`  ${e.ref.padEnd(4)} ${e.kind.padEnd(17)} ${e.description}`);
  return `${lines.join('\n')}\n`;
}
