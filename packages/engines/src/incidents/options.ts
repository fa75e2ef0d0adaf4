import type { EvidenceBus, Logger, StateStore } from '@signal-factory/core';
import type { AlertRouter } from '../alerting/alert-router';
import type { OptionProblem } from '../alerting/errors';
import { INCIDENT_ERROR_CODES, incidentError } from './errors';
import type {
  IncidentChange,
  IncidentDatasetInfo,
  IncidentLineage,
  SeverityOverrides,
} from './types';

export interface IncidentManagerOptions {
  /** Where incidents live (table `IncidentIndex`): `InMemoryStateStore` or `DynamoDbStateStore`. Required. */
  store: StateStore;
  /** Logical table name. Default `IncidentIndex`. */
  table?: string;
  /** Publishes every lifecycle change to `incidentsTopic`, and feeds `start()`'s consumer. Default: none. */
  bus?: EvidenceBus;
  /** Default `signal_factory.incidents`. */
  incidentsTopic?: string;
  /** Default `signal_factory.signals`. */
  signalsTopic?: string;
  /** Consumer group of `start()`. Default `signal_engines.incidents`. */
  groupId?: string;
  /** Graph writes and lineage look-ups. Default: none (no graph, no deployment or upstream joins). */
  lineage?: IncidentLineage;
  /** Tier, team and producer of a dataset. May be async; a throw counts as "unknown". Default: none. */
  datasetInfo?: (
    datasetUrn: string,
  ) => IncidentDatasetInfo | undefined | Promise<IncidentDatasetInfo | undefined>;
  /** Tier assumed when `datasetInfo` gives none. Default 2. */
  defaultTier?: 1 | 2 | 3;
  /** Replaces rows of the severity table. Default `DEFAULT_SEVERITY_TABLE`. */
  severityTable?: SeverityOverrides;
  /** Routes alerts for opened, escalated, reopened, acknowledged and resolved incidents. Default: none. */
  alerts?: AlertRouter;
  /** Base of the incident link in alerts: `<linkBase>/<incident_id>`. Default `signal-factory://incidents`. */
  linkBase?: string;
  /** An incident resolves by itself once every member signal has been OK this long, ms. Default 900,000 (15 min). */
  autoResolveAfterMs?: number;
  /** A re-fire within this long after a resolve reopens the incident instead of opening a new one, ms. Default 300,000 (5 min). */
  dedupWindowMs?: number;
  /** Hops walked upstream and downstream through lineage for the upstream-dataset rule, 0..3 (0 disables). Default 2. */
  lineageDepth?: number;
  /**
   * A producer deployment that went live within this long before first_bad is the probable cause
   * (without a failure signature to go by), ms. Default 900,000 (15 min), the copilot RCA's
   * `deployCloseWindowMs`: a version whose dataset ran clean for longer is not the suspect.
   */
  deploymentSuspectWindowMs?: number;
  /** Period of the auto-resolve / storm-breaker timer started by `start()`, ms; 0 disables the timer. Default 10,000. */
  tickIntervalMs?: number;
  /** Clock in epoch ms (simulated time in tests and the simulator). Default `Date.now`. */
  now?: () => number;
  /** Incident id generator. Default `inc-<UTC yyyyMMddHHmmss>-<8 hex>`. */
  newId?: () => string;
  /** Called after each published lifecycle change; errors are caught and logged. */
  onChange?: (change: IncidentChange) => void | Promise<void>;
  /** Attempts of one conditional update before `SF_ERR_INCIDENT_CONFLICT`. Default 8. */
  maxWriteAttempts?: number;
  /** pino-compatible logger; silent by default. */
  logger?: Logger;
}

export function checkIncidentManagerOptions(options: IncidentManagerOptions): void {
  const problems: OptionProblem[] = [];
  if (typeof options !== 'object' || options === null) {
    problems.push({ path: '', message: 'options must be an object' });
  } else {
    if (typeof options.store?.put !== 'function' || typeof options.store?.query !== 'function')
      problems.push({ path: 'store', message: 'must be a StateStore' });
    if (options.bus !== undefined && typeof options.bus?.publish !== 'function')
      problems.push({ path: 'bus', message: 'must be an EvidenceBus' });
    for (const key of ['table', 'incidentsTopic', 'signalsTopic', 'groupId', 'linkBase'] as const) {
      const value = options[key];
      if (value !== undefined && (typeof value !== 'string' || value === ''))
        problems.push({ path: key, message: 'must be a non-empty string' });
    }
    for (const key of ['datasetInfo', 'now', 'newId', 'onChange'] as const) {
      if (options[key] !== undefined && typeof options[key] !== 'function')
        problems.push({ path: key, message: 'must be a function' });
    }
    const ints: [keyof IncidentManagerOptions, number, number][] = [
      ['autoResolveAfterMs', 0, Number.MAX_SAFE_INTEGER],
      ['dedupWindowMs', 0, Number.MAX_SAFE_INTEGER],
      ['lineageDepth', 0, 3],
      ['deploymentSuspectWindowMs', 0, Number.MAX_SAFE_INTEGER],
      ['tickIntervalMs', 0, 86_400_000],
      ['maxWriteAttempts', 1, 100],
    ];
    for (const [key, min, max] of ints) {
      const value = options[key];
      if (
        value !== undefined &&
        (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
      )
        problems.push({ path: key, message: `must be an integer from ${min} to ${max}` });
    }
    if (options.defaultTier !== undefined && ![1, 2, 3].includes(options.defaultTier))
      problems.push({ path: 'defaultTier', message: 'must be 1, 2 or 3' });
    if (options.severityTable !== undefined) {
      if (typeof options.severityTable !== 'object' || options.severityTable === null)
        problems.push({ path: 'severityTable', message: 'must be an object' });
      else
        for (const [type, row] of Object.entries(options.severityTable)) {
          if (!['FRESHNESS', 'VOLUME', 'CONTRACT', 'SCHEMA_DRIFT', 'DQ', 'ANOMALY'].includes(type))
            problems.push({ path: `severityTable.${type}`, message: 'is not a signal type' });
          else if (
            !Array.isArray(row) ||
            row.length !== 3 ||
            row.some((s) => s !== 'SEV-1' && s !== 'SEV-2' && s !== 'SEV-3')
          )
            problems.push({
              path: `severityTable.${type}`,
              message: 'must be [tier1, tier2, tier3] of SEV-1..SEV-3',
            });
        }
    }
    if (options.alerts !== undefined && typeof options.alerts?.dispatch !== 'function')
      problems.push({ path: 'alerts', message: 'must be an AlertRouter' });
    if (
      options.lineage !== undefined &&
      (typeof options.lineage !== 'object' || options.lineage === null)
    )
      problems.push({
        path: 'lineage',
        message: 'must be an object { ingestor?, queries?, store? }',
      });
  }
  if (problems.length > 0) {
    throw incidentError(
      INCIDENT_ERROR_CODES.OPTIONS_INVALID,
      `Invalid incident manager options: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
      { details: { problems } },
    );
  }
}
