import type { IncidentSeverity, SignalType } from '@signal-factory/core';

/** Severity per signal type for dataset tiers 1, 2 and 3 (index 0 is tier 1). */
export type SeverityTable = Record<
  SignalType,
  readonly [IncidentSeverity, IncidentSeverity, IncidentSeverity]
>;

/**
 * The default severity table. Tier 1 datasets page (SEV-1) when they are late, break their
 * contract or drift; volume, data-quality and anomaly findings are noisier, so they start a step
 * lower. Tier 3 never pages above SEV-3.
 */
export const DEFAULT_SEVERITY_TABLE: Readonly<SeverityTable> = {
  FRESHNESS: ['SEV-1', 'SEV-2', 'SEV-3'],
  CONTRACT: ['SEV-1', 'SEV-2', 'SEV-3'],
  SCHEMA_DRIFT: ['SEV-1', 'SEV-2', 'SEV-3'],
  VOLUME: ['SEV-2', 'SEV-2', 'SEV-3'],
  DQ: ['SEV-2', 'SEV-3', 'SEV-3'],
  ANOMALY: ['SEV-2', 'SEV-3', 'SEV-3'],
};

/** Severity of a CRITICAL signal of `type` on a dataset of `tier`. */
export function severityFor(
  type: SignalType,
  tier: 1 | 2 | 3,
  table: Readonly<SeverityTable> = DEFAULT_SEVERITY_TABLE,
): IncidentSeverity {
  const row = table[type] ?? DEFAULT_SEVERITY_TABLE[type] ?? ['SEV-2', 'SEV-3', 'SEV-3'];
  return row[tier - 1] ?? 'SEV-3';
}

/** The worse of two severities (SEV-1 is the worst). */
export function worseSeverity(a: IncidentSeverity, b: IncidentSeverity): IncidentSeverity {
  return a < b ? a : b;
}
