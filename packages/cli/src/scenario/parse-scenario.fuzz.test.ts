import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';

import { parseScenario } from './parse-scenario';
import { REPO_SCENARIOS } from './testing/paths';

const STEEL = readFileSync(join(REPO_SCENARIOS, 'steel-thread.yaml'), 'utf8');
const CONTRACT = readFileSync(join(REPO_SCENARIOS, 'orders-created.odcs.yaml'), 'utf8');
const readFile = (): string => CONTRACT;

function assertWellFormed(text: string): void {
  const result = parseScenario(text, { file: 'fuzz.yaml', readFile });
  const list = result.ok ? result.warnings : result.problems;
  if (!result.ok) expect(result.problems.some((p) => p.severity === 'error')).toBe(true);
  const lines = text.split('\n').length;
  for (const p of list) {
    expect(p.code).toMatch(/^SF_ERR_SCENARIO_[A-Z_]+$/);
    expect(p.line).toBeGreaterThanOrEqual(1);
    expect(p.line).toBeLessThanOrEqual(lines + 1);
    expect(p.column).toBeGreaterThanOrEqual(1);
    expect(p.message.length).toBeGreaterThan(0);
  }
}

/** Every JSON path of a parsed document (for mutations). */
function paths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value !== 'object' || value === null) return [prefix];
  const entries = Array.isArray(value)
    ? value.map((v, i) => [i, v] as const)
    : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

describe('parseScenario never throws', () => {
  it('on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => assertWellFormed(text)),
      { numRuns: 300 },
    );
  });

  it('on arbitrary YAML values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) =>
        assertWellFormed(JSON.stringify(value)),
      ),
      { numRuns: 300 },
    );
  });

  it('on the steel thread with one value replaced or removed, and reports where', () => {
    const doc = parseDocument(STEEL);
    const all = paths(doc.toJS()).filter((p) => p.length > 0);
    fc.assert(
      fc.property(
        fc.constantFrom(...all),
        fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 2 })),
        (path, replacement) => {
          const copy = parseDocument(STEEL);
          if (replacement === undefined) copy.deleteIn(path);
          else copy.setIn(path, copy.createNode(replacement));
          assertWellFormed(copy.toString());
        },
      ),
      { numRuns: 200 },
    );
  });
});
