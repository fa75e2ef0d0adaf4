import type { OdcsContract } from '@signal-factory/contracts';
import type { IncidentSeverity, SignalState, SignalType } from '@signal-factory/core';

/**
 * The normalised, validated form of a scenario file (format: `shared/scenarios/README.md`).
 * All times are epoch milliseconds on the simulated clock, all durations milliseconds, all rates
 * events per millisecond. Optional format fields keep `undefined` when absent.
 */
export interface Scenario {
  /** Kebab-case name. */
  name: string;
  description?: string;
  /** Simulated clock start, epoch ms. */
  start: number;
  /** How long to play, ms (> 0). */
  duration: number;
  /** `start + duration`, epoch ms. */
  end: number;
  /** All randomness derives from it. Default 0 when absent (with a warning). */
  seed: number;
  /** Traffic simulated before `start` to warm baselines, ms; 0 when absent. */
  history: number;
  datasets: ScenarioDataset[];
  lineage: ScenarioLineageJob[];
  services: ScenarioService[];
  traffic: ScenarioTraffic[];
  deployments: ScenarioDeployment[];
  faults: ScenarioFault[];
  expect: ScenarioExpect;
  /** Absolute path of the scenario file, when parsed from one. */
  file?: string;
  /** Directory contract paths are resolved against. */
  baseDir?: string;
  /** Top-level fields this implementation does not know (the format allows extensions). */
  extensions: Record<string, unknown>;
}

/** What gate G2 will see for a dataset's records. */
export type IdentityMode = 'header' | 'topic-pattern' | 'none';
/** Sidecar policy for a dataset. */
export type PolicyMode = 'observe' | 'enforce';

export interface ScenarioDataset {
  /** Dataset URN (`urn:dp:<domain>:<name>[:v<major>]`). */
  urn: string;
  topic: string;
  /** Service that owns the topic. */
  producer?: string;
  /** Default `header`. */
  identity: IdentityMode;
  /** 1..3; default 3. */
  tier: 1 | 2 | 3;
  contract?: ScenarioContract;
  /** Default `observe`. */
  policy: PolicyMode;
  slo?: ScenarioSlo;
  extensions: Record<string, unknown>;
}

export interface ScenarioSlo {
  /** ms */
  freshnessMaxDelay?: number;
  volumeMinPerHour?: number;
  /** 0..1 */
  complianceMin?: number;
}

/** The dataset's ODCS contract, linted with `@signal-factory/contracts`. */
export interface ScenarioContract {
  /** `file` when given as a path, `inline` when the document is in the scenario. */
  source: 'file' | 'inline';
  /** Absolute path of the contract file (source `file`). */
  path?: string;
  /** The contract text: the file content, or the inline document as YAML. */
  text: string;
  /** The parsed ODCS document. */
  document: OdcsContract;
}

export interface ScenarioLineageJob {
  job: string;
  owner?: string;
  tier?: 1 | 2 | 3;
  reads: string[];
  writes: string[];
  /** Dataset URN → column names read. */
  readsColumns: Record<string, string[]>;
}

export interface ScenarioService {
  name: string;
  /** Version at `start`. */
  version?: string;
  owner?: string;
}

/** A field generator of a traffic record. */
export type FieldGenerator =
  | { kind: 'uuid' }
  | { kind: 'email' }
  | { kind: 'event_time' }
  | { kind: 'pattern'; pattern: string }
  | { kind: 'int'; min: number; max: number }
  | { kind: 'float'; min: number; max: number; decimals: number }
  | { kind: 'enum'; values: unknown[]; weights?: number[] }
  | { kind: 'const'; value: unknown }
  | { kind: 'object'; fields: Record<string, FieldGenerator> };

export interface ScenarioTraffic {
  dataset: string;
  /** Mean rate, events per ms. */
  rate: number;
  /** The rate as written (`250/min`). */
  rateText: string;
  /** 24 hourly multipliers (UTC hours); all 1 when absent. */
  dailyProfile?: number[];
  /** 7 multipliers Mon..Sun (UTC days); all 1 when absent. */
  weeklyProfile?: number[];
  record: Record<string, FieldGenerator>;
  /** Producing service: `service` on the traffic entry (extension) or the dataset's producer. */
  service?: string;
}

export type PiiKind = 'ssn' | 'email' | 'credit_card' | 'phone' | 'iban';
export type ValueType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

/** One fault kind with its params, normalised. Rates are probabilities 0..1. */
export type FaultEffect =
  | { kind: 'stall' }
  | { kind: 'rate'; multiplier: number }
  | { kind: 'null_rate'; fields: string[]; rate: number }
  | { kind: 'type_change'; field: string; to: ValueType; rate: number }
  | { kind: 'rename_field'; from: string; to: string }
  | { kind: 'add_fields'; fields: Record<string, FieldGenerator> }
  | { kind: 'inject_pii'; field: string; pii: PiiKind; rate: number }
  | { kind: 'late_events'; delay: number; rate: number }
  | { kind: 'duplicates'; rate: number }
  | { kind: 'drop_fields'; fields: string[] };

export type FaultKind = FaultEffect['kind'];

export interface ScenarioDeployment {
  /** epoch ms */
  at: number;
  service: string;
  version: string;
  commit?: string;
  /** What the new version does to its records (empty: nothing). */
  effects: FaultEffect[];
  /** Version of the service before this deployment (from `services` and earlier deployments). */
  previousVersion?: string;
}

export interface ScenarioFault {
  /** epoch ms */
  at: number;
  dataset: string;
  kind: FaultKind;
  /** ms; undefined = until the end of the scenario. */
  for?: number;
  /** `at + for`, or `Infinity`. */
  until: number;
  effect: FaultEffect;
}

export interface ScenarioExpect {
  signals: ExpectedSignal[];
  incidents: ExpectedIncident[];
  incidentCount?: number;
  /** One entry per `rca` block (the format has one; a list is accepted). */
  rca: ExpectedRca[];
}

export interface ExpectedSignal {
  type: SignalType;
  dataset: string;
  /** Undefined: WARNING or CRITICAL. */
  state?: SignalState;
  /** ms after the cause (see checkExpectations). */
  within?: number;
}

export interface ExpectedIncident {
  severity?: IncidentSeverity;
  datasets: string[];
}

export interface ExpectedRootCause {
  service?: string;
  version?: string;
  commit?: string;
  dataset?: string;
  kind?: string;
}

export interface ExpectedRca {
  rootCause?: ExpectedRootCause;
  confidence?: 'HIGH' | 'MEDIUM' | 'LOW';
  /** epoch ms */
  firstBadAfter?: number;
  blastRadiusIncludes: string[];
  reasonCodesInclude: string[];
}
