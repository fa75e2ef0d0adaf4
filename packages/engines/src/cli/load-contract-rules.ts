import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { compileContract, loadContract } from '@signal-factory/contracts';

import type { DqRule } from '../dq/dq-engine';

/** What loading a contracts directory found: rules per dataset URN, and files it skipped (with why). */
export interface ContractRules {
  rules: Map<string, readonly DqRule[]>;
  skipped: Array<{ file: string; why: string }>;
}

/** Compares dotted versions numerically (`3.10.0` > `3.9.1`); non-numeric parts compare as text. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '0';
    const y = pb[i] ?? '0';
    const nx = Number(x);
    const ny = Number(y);
    const c = Number.isFinite(nx) && Number.isFinite(ny) ? nx - ny : x.localeCompare(y);
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * Reads every `*.yaml`, `*.yml` and `*.json` ODCS contract of a directory (the layout of the
 * sidecar's YAML registry) and keeps, per dataset URN, the aggregate rules of its newest version.
 * A file that does not load or compile, or names no dataset, is skipped and reported.
 */
export async function loadContractRules(dir: string): Promise<ContractRules> {
  const newest = new Map<string, { version: string; rules: readonly DqRule[] }>();
  const skipped: ContractRules['skipped'] = [];
  const files = (await readdir(dir)).filter((f) => /\.(ya?ml|json)$/i.test(f)).sort();
  for (const file of files) {
    try {
      const compiled = compileContract(loadContract(await readFile(join(dir, file), 'utf8')));
      if (compiled.datasetUrn === undefined) {
        skipped.push({
          file,
          why: 'names no dataset (id or customProperty signalFactory.datasetUrn)',
        });
        continue;
      }
      const seen = newest.get(compiled.datasetUrn);
      if (seen === undefined || compareVersions(compiled.version, seen.version) > 0)
        newest.set(compiled.datasetUrn, {
          version: compiled.version,
          rules: compiled.aggregateRules,
        });
    } catch (error) {
      // registry directories also hold dataset files that are not contracts
      skipped.push({ file, why: (error as Error).message.split('\n')[0] ?? 'not a contract' });
    }
  }
  return {
    rules: new Map([...newest].map(([urn, { rules }]) => [urn, rules])),
    skipped,
  };
}
