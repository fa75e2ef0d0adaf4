import fc from 'fast-check';
import { InMemoryGraphStore, InMemoryStateStore } from '@signal-factory/core';
import { createLineageGraph } from '@signal-factory/lineage';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCopilot } from '../copilot';
import { seedSteelThread } from '../test-support/fixtures';
import type { RcaReport } from '../types';
import { validateLlmText } from './validate-llm-text';

describe('validateLlmText (property)', () => {
  let report: RcaReport;
  beforeAll(async () => {
    const graph = createLineageGraph({ store: new InMemoryGraphStore() });
    const state = new InMemoryStateStore();
    const { incidentId } = await seedSteelThread(graph, state);
    report = await createCopilot({ graph, state }).rca(incidentId);
  });

  it('never throws, and accepts only text whose every bracket cites evidence of the report', () => {
    const refs = report.evidence.map((e) => e.ref);
    const piece = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom(...refs).map((r) => `[${r}]`),
      fc.integer({ min: 0, max: 999 }).map((n) => `[E${n}]`),
      fc.constantFrom('orders-svc', '3.17', '3.16', '09:58:02', 'urn:dp:orders:created', '9f31c2d'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = pieces.join(' ');
        const check = validateLlmText(text, report);
        if (!check.ok) return;
        expect(check.refs.length).toBeGreaterThan(0);
        for (const match of text.matchAll(/\[([^[\]]{1,200})\]/g)) {
          for (const token of (match[1] ?? '').split(/[\s,;]+/).filter((t) => t !== '')) {
            expect(report.evidence.some((e) => e.ref === token || e.id === token)).toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('the template summary itself passes when cited', () => {
    const cited = `${report.summary.template} [${report.summary.evidence_refs.join(', ')}]`;
    expect(validateLlmText(cited, report).ok).toBe(true);
  });
});
