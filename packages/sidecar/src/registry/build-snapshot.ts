import { compileContract, loadContract } from '@signal-factory/contracts';
import { SignalFactoryError, isDatasetUrn } from '@signal-factory/core';
import RE2 from 're2';

import { SIDECAR_ERROR_CODES } from '../errors';
import type { ResolutionPattern } from '../gates/g1-resolution';
import type { ContractValidator } from '../types';
import {
  DEFAULT_TIERS,
  type DatasetDefinition,
  type RegistrySnapshot,
  type TierPolicy,
} from './types';

/**
 * The registry document model (YAML files or state-store items). Every document has a `kind`:
 * - `Dataset`: `urn`, `tier?`, `enforcement?`, `expectedFingerprints?`, `samplePayloads?`, `piiAction?`,
 *   `quarantineTopic?`, `topics?` (exact resolution), `topicPatterns?` (regex → this URN),
 *   `producerService?` (identity fallback for its topics)
 * - `Resolution`: `exact?: {topic: urn}`, `patterns?: [{pattern, urn}]`
 * - `IdentityFallback`: `topics: {topic: service}`
 * - `Tiers`: `tiers: {name: {passSampleRate}}`
 * - ODCS contracts (`apiVersion: v3.x`, `kind: DataContract`), compiled once here.
 */
export type RegistryDocument = Record<string, unknown>;

interface Problem {
  path: string;
  message: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function stringMap(value: unknown, path: string, problems: Problem[]): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) {
    problems.push({ path, message: 'must be a map of strings' });
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') problems.push({ path: `${path}.${k}`, message: 'must be a string' });
    else out[k] = v;
  }
  return out;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10));
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (!Number.isNaN(d) && d !== 0) return d;
  }
  return a.localeCompare(b);
}

/** Options of `buildSnapshot`. */
export interface BuildSnapshotOptions {
  /** Compiles an ODCS contract; default `compileContract` of `@signal-factory/contracts`. */
  compile?: (contract: Record<string, unknown>) => ContractValidator & { datasetUrn?: string };
}

/**
 * Builds a registry snapshot from documents, reporting every problem at once.
 * @throws SignalFactoryError `SF_ERR_SIDECAR_REGISTRY_INVALID` with `details.problems`.
 */
export function buildSnapshot(
  documents: ReadonlyArray<{ origin: string; document: unknown }>,
  options: BuildSnapshotOptions = {},
): RegistrySnapshot {
  const compile =
    options.compile ??
    ((c: Record<string, unknown>) =>
      compileContract(loadContract(c)) as unknown as ContractValidator & { datasetUrn?: string });
  const problems: Problem[] = [];
  const datasets = new Map<string, DatasetDefinition>();
  const exact: Record<string, string> = {};
  const patterns: ResolutionPattern[] = [];
  const identityFallback: Record<string, string> = {};
  const contracts = new Map<string, Array<ContractValidator & { status?: string }>>();
  const tiers: Record<string, TierPolicy> = { ...DEFAULT_TIERS };

  for (const { origin, document } of documents) {
    if (document === null || document === undefined) continue;
    if (!isRecord(document)) {
      problems.push({ path: origin, message: 'each document must be a mapping' });
      continue;
    }
    const kind = document.kind;
    if (kind === 'Dataset') {
      const urn = document.urn;
      if (!isDatasetUrn(urn)) {
        problems.push({
          path: `${origin}.urn`,
          message: 'must be a dataset URN urn:dp:<domain>:<name>[:v<major>]',
        });
        continue;
      }
      const enforcement = document.enforcement ?? 'observe';
      if (enforcement !== 'observe' && enforcement !== 'enforce') {
        problems.push({ path: `${origin}.enforcement`, message: 'must be "observe" or "enforce"' });
      }
      const piiAction = document.piiAction ?? 'fail';
      if (piiAction !== 'fail' && piiAction !== 'warn') {
        problems.push({ path: `${origin}.piiAction`, message: 'must be "fail" or "warn"' });
      }
      const fps = document.expectedFingerprints ?? [];
      if (
        !Array.isArray(fps) ||
        fps.some((f) => typeof f !== 'string' || !f.startsWith('sha256:'))
      ) {
        problems.push({
          path: `${origin}.expectedFingerprints`,
          message: 'must be a list of "sha256:<hex>"',
        });
      }
      const tier = document.tier ?? 'default';
      if (typeof tier !== 'string')
        problems.push({ path: `${origin}.tier`, message: 'must be a string' });
      const definition: DatasetDefinition = {
        urn,
        tier: String(tier),
        enforcement: enforcement === 'enforce' ? 'enforce' : 'observe',
        expectedFingerprints: Array.isArray(fps) ? fps.map(String) : [],
        samplePayloads: document.samplePayloads === true,
        piiAction: piiAction === 'warn' ? 'warn' : 'fail',
        ...(typeof document.quarantineTopic === 'string'
          ? { quarantineTopic: document.quarantineTopic }
          : {}),
      };
      datasets.set(urn, definition);
      const topics = document.topics ?? [];
      if (!Array.isArray(topics) || topics.some((t) => typeof t !== 'string')) {
        problems.push({ path: `${origin}.topics`, message: 'must be a list of topic names' });
      } else {
        for (const t of topics as string[]) {
          exact[t] = urn;
          if (typeof document.producerService === 'string')
            identityFallback[t] = document.producerService;
        }
      }
      const topicPatterns = document.topicPatterns ?? [];
      if (!Array.isArray(topicPatterns) || topicPatterns.some((t) => typeof t !== 'string')) {
        problems.push({
          path: `${origin}.topicPatterns`,
          message: 'must be a list of regular expressions',
        });
      } else {
        for (const pattern of topicPatterns as string[]) patterns.push({ pattern, urn });
      }
    } else if (kind === 'Resolution') {
      Object.assign(exact, stringMap(document.exact, `${origin}.exact`, problems));
      const list = document.patterns ?? [];
      if (!Array.isArray(list)) {
        problems.push({ path: `${origin}.patterns`, message: 'must be a list of {pattern, urn}' });
      } else {
        list.forEach((p: unknown, i) => {
          if (isRecord(p) && typeof p.pattern === 'string' && typeof p.urn === 'string') {
            patterns.push({ pattern: p.pattern, urn: p.urn });
          } else {
            problems.push({
              path: `${origin}.patterns[${i}]`,
              message: 'must be {pattern: string, urn: string}',
            });
          }
        });
      }
    } else if (kind === 'IdentityFallback') {
      Object.assign(identityFallback, stringMap(document.topics, `${origin}.topics`, problems));
    } else if (kind === 'Tiers') {
      if (!isRecord(document.tiers)) {
        problems.push({
          path: `${origin}.tiers`,
          message: 'must be a map of tier → {passSampleRate}',
        });
      } else {
        for (const [name, t] of Object.entries(document.tiers)) {
          const rate = isRecord(t) ? t.passSampleRate : undefined;
          if (typeof rate !== 'number' || !(rate > 0 && rate <= 1)) {
            problems.push({
              path: `${origin}.tiers.${name}.passSampleRate`,
              message: 'must be a number in (0, 1]',
            });
          } else {
            tiers[name] = { passSampleRate: rate };
          }
        }
      }
    } else if (kind === 'DataContract' || typeof document.apiVersion === 'string') {
      try {
        const compiled = compile(document);
        const urn = compiled.datasetUrn;
        if (urn === undefined) {
          problems.push({
            path: `${origin}.id`,
            message:
              'the contract names no dataset URN (id or customProperty signalFactory.datasetUrn)',
          });
          continue;
        }
        const status = typeof document.status === 'string' ? document.status : 'active';
        if (status === 'retired' || status === 'deprecated') continue;
        const list = contracts.get(urn) ?? [];
        list.push(compiled);
        contracts.set(urn, list);
      } catch (error) {
        problems.push({
          path: origin,
          message: `contract does not compile: ${(error as Error).message}`,
        });
      }
    } else {
      problems.push({
        path: `${origin}.kind`,
        message: 'must be Dataset, Resolution, IdentityFallback, Tiers or an ODCS DataContract',
      });
    }
  }
  for (const p of patterns) {
    try {
      new RE2(`^(?:${p.pattern})$`, 'u');
    } catch {
      problems.push({
        path: `patterns(${p.pattern})`,
        message: 'is not a valid RE2 regular expression',
      });
    }
  }
  for (const ds of datasets.values()) {
    if (tiers[ds.tier] === undefined)
      problems.push({ path: `datasets(${ds.urn}).tier`, message: `unknown tier "${ds.tier}"` });
  }
  if (problems.length > 0) {
    throw new SignalFactoryError(
      SIDECAR_ERROR_CODES.REGISTRY_INVALID,
      `Invalid registry: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
      { details: { problems } },
    );
  }
  const sorted = new Map<string, ContractValidator[]>();
  for (const [urn, list] of contracts)
    sorted.set(
      urn,
      list.sort((a, b) => compareVersions(b.version, a.version)),
    );
  return { datasets, resolution: { exact, patterns }, identityFallback, contracts: sorted, tiers };
}
