import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadScenario } from '../scenario';
import { repoRoot } from '../test-support/paths';
import { simulate } from './simulate';

// The scenario files are the platform's regression suite: every one must keep passing. The steel
// thread, quiet-deploy and redeploy-same-bug have closer assertions in simulate.e2e.test.ts.
const DIR = join(repoRoot(), 'examples', 'scenarios');
const COVERED_ELSEWHERE = new Set([
  'steel-thread.yaml',
  'quiet-deploy.yaml',
  'redeploy-same-bug.yaml',
]);
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml') && !f.endsWith('.odcs.yaml') && !COVERED_ELSEWHERE.has(f))
  .sort();

describe('example scenarios (embedded platform)', () => {
  it('finds the scenario files', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files)(
    '%s: every expectation passes',
    async (file) => {
      const loaded = await loadScenario(join(DIR, file));
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems, null, 2));
      const report = await simulate(loaded.scenario);
      const failed = report.checks.filter((c) => !c.passed);
      expect(failed, JSON.stringify(failed, null, 2)).toEqual([]);
      expect(report.passed).toBe(true);
    },
    120_000,
  );
});
