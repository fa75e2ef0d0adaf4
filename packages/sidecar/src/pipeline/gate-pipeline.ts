import { isUtf8 } from 'node:buffer';

import { formatReasonCode, type EvidenceResult, type GateVerdict } from '@signal-factory/core';

import { ContractGate } from '../gates/g4-contract';
import { IdentityGate } from '../gates/g2-identity';
import { PiiGate } from '../gates/g5-pii';
import { RecentValues } from '../gates/recent-values';
import { ResolutionGate } from '../gates/g1-resolution';
import { SchemaGate } from '../gates/g3-schema';
import type { DatasetDefinition, RegistrySnapshot } from '../registry/types';
import type { ContractValidator, GateOutcome, Identity, PiiFinding } from '../types';

/** One record as the gates see it. */
export interface GateInput {
  topic: string;
  /** The value bytes exactly as they go to Kafka. */
  value: Buffer;
  /** `value` decoded as UTF-8 when the caller already has it (must equal `value.toString('utf8')`). */
  text?: string;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string>>;
}

/** Everything the gates concluded about one record. */
export interface GateRun {
  datasetUrn: string | null;
  dataset: DatasetDefinition | undefined;
  identity: Identity;
  fingerprint: string | undefined;
  contract: { id: string; version: string } | undefined;
  gates: GateVerdict[];
  result: EvidenceResult;
  reasonCodes: string[];
  piiFindings: PiiFinding[];
  /** The parsed value (undefined when unparseable or not inspected), for redacted samples. */
  parsed: unknown;
  /** Field paths that must be redacted in a sample: declared PII and findings. */
  redactPaths: ReadonlySet<string>;
  /** Aggregate quality rules of the contract this record counts against (`nullValues:email`). */
  dq: string[];
}

export interface GatePipelineOptions {
  /** Largest value inspected, in bytes; larger values get `RECORD_TOO_LARGE` (FAIL). Default 1 MiB. */
  maxInspectBytes?: number;
  /** Deepest nesting inspected; deeper values get `NESTING_TOO_DEEP` (FAIL). Default 64. */
  maxDepth?: number;
  /**
   * Distinct values remembered per dataset field that a contract declares `unique` (or gives a
   * `duplicateValues` rule), to report repeats to the DQ engine. 0 turns it off. Default 10,000.
   */
  duplicateHorizon?: number;
}

/** Per-run choices of the caller. */
export interface GateRunOptions {
  /** Remember values of unique fields and report repeats. Default true; replays pass false. */
  trackRepeats?: boolean;
}

const UNPARSEABLE = formatReasonCode('UNPARSEABLE_VALUE');
const TOO_LARGE = formatReasonCode('RECORD_TOO_LARGE');
const TOO_DEEP = formatReasonCode('NESTING_TOO_DEEP');
const GATE_ERROR = formatReasonCode('GATE_ERROR');
const EMPTY_SET: ReadonlySet<string> = new Set();

/** Max bracket depth outside strings, stopping early past `limit`. */
function exceedsDepth(bytes: Buffer, limit: number): boolean {
  // Fewer openers than the limit cannot nest deeper than it: count them natively first.
  let openers = 0;
  for (const opener of [0x7b, 0x5b]) {
    for (
      let at = bytes.indexOf(opener);
      at !== -1 && openers <= limit;
      at = bytes.indexOf(opener, at + 1)
    )
      openers++;
  }
  if (openers <= limit) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/**
 * Runs G1–G5 on one record. Never throws: a gate that fails internally is recorded as
 * `GATE_ERROR` and passed (fail-open), so bad data can never stop the data path.
 */
export class GatePipeline {
  readonly #schema: SchemaGate;
  readonly #contract = new ContractGate();
  readonly #pii: PiiGate;
  readonly #maxInspectBytes: number;
  readonly #maxDepth: number;
  readonly #recent: RecentValues;
  #resolution: ResolutionGate;
  #identity: IdentityGate;
  #snapshot: RegistrySnapshot;
  #expected = new Map<string, ReadonlySet<string>>();
  #declared = new Map<string, ReadonlySet<string>>();
  readonly #repeatChecks = new Map<string, (path: string, v: unknown) => boolean>();

  constructor(snapshot: RegistrySnapshot, options: GatePipelineOptions = {}) {
    this.#maxInspectBytes = options.maxInspectBytes ?? 1024 * 1024;
    this.#maxDepth = options.maxDepth ?? 64;
    this.#recent = new RecentValues(options.duplicateHorizon ?? 10_000);
    this.#schema = new SchemaGate();
    this.#pii = new PiiGate();
    this.#snapshot = snapshot;
    this.#resolution = new ResolutionGate(snapshot.resolution);
    this.#identity = new IdentityGate(snapshot.identityFallback);
    this.update(snapshot);
  }

  /** Swaps in a new registry snapshot (learned fingerprints are kept). */
  update(snapshot: RegistrySnapshot): void {
    this.#snapshot = snapshot;
    this.#resolution = new ResolutionGate(snapshot.resolution);
    this.#identity = new IdentityGate(snapshot.identityFallback);
    const expected = new Map<string, ReadonlySet<string>>();
    for (const ds of snapshot.datasets.values())
      expected.set(ds.urn, new Set(ds.expectedFingerprints));
    const declared = new Map<string, ReadonlySet<string>>();
    for (const [urn, list] of snapshot.contracts)
      declared.set(urn, new Set(list.flatMap((c) => c.piiFields)));
    this.#expected = expected;
    this.#declared = declared;
    // One entry per registered dataset at most; a removed dataset's check goes with the snapshot.
    this.#repeatChecks.clear();
  }

  get snapshot(): RegistrySnapshot {
    return this.#snapshot;
  }

  /** The dataset a topic resolves to (G1 only). */
  resolve(topic: string): string | null {
    return this.#resolution.resolveUrn(topic);
  }

  run(input: GateInput, options?: GateRunOptions): GateRun {
    const gates: GateVerdict[] = [];
    const g1 = this.#resolution.evaluate(input.topic);
    gates.push({ gate: 'G1', name: 'resolution', result: g1.result, reason_codes: g1.reasonCodes });
    const urn = g1.datasetUrn;
    const dataset = urn === null ? undefined : this.#snapshot.datasets.get(urn);

    const g2 = this.#identity.evaluate(input.topic, input.headers);
    gates.push({ gate: 'G2', name: 'identity', result: g2.result, reason_codes: g2.reasonCodes });

    const contracts: readonly ContractValidator[] | undefined =
      urn === null ? undefined : this.#snapshot.contracts.get(urn);
    const declared = (urn === null ? undefined : this.#declared.get(urn)) ?? EMPTY_SET;
    let parsed: unknown;
    let fingerprint: string | undefined;
    let contract: { id: string; version: string } | undefined;
    let dq: string[] = [];
    let piiFindings: PiiFinding[] = [];

    const value = input.value;
    const notInspected =
      value.length > this.#maxInspectBytes
        ? TOO_LARGE
        : value.length > this.#maxDepth * 2 && exceedsDepth(value, this.#maxDepth)
          ? TOO_DEEP
          : undefined;
    let ok = notInspected === undefined;
    let text: string | undefined;
    if (ok) {
      if (input.text === undefined && !isUtf8(value)) {
        ok = false;
      } else {
        text = input.text ?? value.toString('utf8');
        try {
          parsed = JSON.parse(text);
        } catch {
          ok = false;
        }
      }
    }

    if (notInspected !== undefined) {
      gates.push({ gate: 'G3', name: 'schema', result: 'FAIL', reason_codes: [notInspected] });
      gates.push({ gate: 'G4', name: 'contract', result: 'SKIP', reason_codes: [] });
      gates.push({ gate: 'G5', name: 'pii', result: 'SKIP', reason_codes: [] });
    } else if (!ok) {
      gates.push({ gate: 'G3', name: 'schema', result: 'FAIL', reason_codes: [UNPARSEABLE] });
      gates.push(
        contracts === undefined || contracts.length === 0
          ? { gate: 'G4', name: 'contract', result: 'SKIP', reason_codes: [] }
          : { gate: 'G4', name: 'contract', result: 'FAIL', reason_codes: [UNPARSEABLE] },
      );
      // Not JSON: still look for PII in the text (if it is text at all).
      if (text !== undefined) {
        const g5 = this.#guard(
          () => this.#pii.evaluate(value, text, EMPTY_SET, dataset?.piiAction, false),
          { findings: [] },
        );
        piiFindings = g5.findings;
        gates.push({ gate: 'G5', name: 'pii', result: g5.result, reason_codes: g5.reasonCodes });
      } else {
        gates.push({ gate: 'G5', name: 'pii', result: 'SKIP', reason_codes: [] });
      }
    } else {
      const g3 = this.#guard(
        () =>
          this.#schema.evaluate(urn, parsed, urn === null ? undefined : this.#expected.get(urn)),
        { fingerprint: undefined },
      );
      fingerprint = g3.fingerprint;
      gates.push({ gate: 'G3', name: 'schema', result: g3.result, reason_codes: g3.reasonCodes });
      const repeated =
        urn === null || options?.trackRepeats === false ? undefined : this.#repeatCheck(urn);
      const g4 = this.#guard(
        () => this.#contract.evaluate(contracts, parsed, input.headers, repeated),
        { contract: undefined, dq: [] },
      );
      contract = g4.contract;
      dq = g4.dq;
      gates.push({ gate: 'G4', name: 'contract', result: g4.result, reason_codes: g4.reasonCodes });
      const g5 = this.#guard(
        () => this.#pii.evaluate(value, parsed, declared, dataset?.piiAction),
        { findings: [] },
      );
      piiFindings = g5.findings;
      gates.push({ gate: 'G5', name: 'pii', result: g5.result, reason_codes: g5.reasonCodes });
    }

    let result: EvidenceResult = 'PASS';
    const reasonCodes: string[] = [];
    for (const g of gates) {
      if (g.result === 'FAIL') result = 'FAIL';
      else if (g.result === 'WARN' && result === 'PASS') result = 'WARN';
      for (const code of g.reason_codes) reasonCodes.push(code);
    }
    let redactPaths: ReadonlySet<string> = declared;
    if (piiFindings.length > 0)
      redactPaths = new Set([...declared, ...piiFindings.map((f) => f.path)]);
    return {
      datasetUrn: urn,
      dataset,
      identity: g2.identity,
      fingerprint,
      contract,
      gates,
      result,
      reasonCodes,
      piiFindings,
      parsed: ok ? parsed : undefined,
      redactPaths,
      dq,
    };
  }

  /** The dataset's "was this value of a unique field seen already" check, built once per dataset. */
  #repeatCheck(urn: string): (path: string, v: unknown) => boolean {
    let check = this.#repeatChecks.get(urn);
    if (check === undefined) {
      const prefix = `${urn}\u0000`;
      check = (path, v) => this.#recent.repeated(prefix + path, v);
      this.#repeatChecks.set(urn, check);
    }
    return check;
  }

  /** Runs a gate; a gate that throws passes the record with `GATE_ERROR` (fail-open, counted). */
  #guard<T extends GateOutcome>(fn: () => T, fallback: Omit<T, keyof GateOutcome>): T {
    try {
      return fn();
    } catch {
      return { ...fallback, result: 'PASS', reasonCodes: [GATE_ERROR] } as T;
    }
  }
}
