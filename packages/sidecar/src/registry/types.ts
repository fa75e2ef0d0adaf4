import type { ResolutionMap } from '../gates/g1-resolution';
import type { PiiAction } from '../gates/g5-pii';
import type { ContractValidator, EnforcementPolicy } from '../types';

/** One dataset as the sidecar needs it. */
export interface DatasetDefinition {
  /** Dataset URN `urn:dp:<domain>:<name>[:v<major>]`. */
  urn: string;
  /** Sampling tier (see `TierPolicy`). Default `default`. */
  tier: string;
  /** `observe` forwards everything; `enforce` sends FAIL records to the quarantine topic. Default `observe`. */
  enforcement: EnforcementPolicy;
  /** Expected schema fingerprints (`sha256:<hex>`); empty = learn. */
  expectedFingerprints: readonly string[];
  /** Attach a PII-redacted payload sample to kept evidence. Default false. */
  samplePayloads: boolean;
  /** What a G5 finding does: `fail` (default) or `warn`. */
  piiAction: PiiAction;
  /** Quarantine topic; default `<topic>.quarantine`. */
  quarantineTopic?: string;
}

/** Sampling policy of one tier. */
export interface TierPolicy {
  /** Fraction of PASS evidence kept, 0 < rate <= 1; kept evidence carries `sample_weight = 1/rate`. */
  passSampleRate: number;
}

/** An immutable copy of the registry the gates run against. */
export interface RegistrySnapshot {
  datasets: ReadonlyMap<string, DatasetDefinition>;
  resolution: ResolutionMap;
  /** Topic → producing service, for G2's MEDIUM confidence. */
  identityFallback: Readonly<Record<string, string>>;
  /** Dataset URN → active contract versions, newest first. */
  contracts: ReadonlyMap<string, readonly ContractValidator[]>;
  tiers: Readonly<Record<string, TierPolicy>>;
}

/** Where registry snapshots come from (YAML directory, state store, memory). */
export interface RegistrySource {
  /** Loads a full snapshot; throws `SF_ERR_SIDECAR_REGISTRY_UNAVAILABLE` / `_INVALID` on failure. */
  load(): Promise<RegistrySnapshot>;
  /** Human-readable description for `/readyz`. */
  readonly description: string;
}

/** Default tiers when the registry names none. */
export const DEFAULT_TIERS: Readonly<Record<string, TierPolicy>> = {
  default: { passSampleRate: 1 },
  gold: { passSampleRate: 1 },
  silver: { passSampleRate: 0.1 },
  bronze: { passSampleRate: 0.01 },
};
