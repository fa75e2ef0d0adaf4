import { InMemoryGraphStore, InMemoryStateStore } from '@signal-factory/core';
import { createTestClock } from '@signal-factory/core/testing';
import { createLineageGraph } from '@signal-factory/lineage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCopilot, type Copilot } from '../copilot';
import type { LlmOptions } from './llm-options';
import { llmOptionsFromEnv } from './llm-options';
import { FakeMessagesApi, type Scripted } from '../test-support/fake-messages-api';
import { seedSteelThread } from '../test-support/fixtures';
import { validateLlmText } from './validate-llm-text';

const GOOD =
  'Deployment orders-svc 3.17 (commit 9f31c2d) introduced MISSING_FIELD:customer_id at 09:58:02 [E7, E8]; ' +
  'the last good record was at 09:57:59 [E4]. finance-pipeline (tier 1) reads customer_id [E10]. ' +
  'Roll back to 3.16 [E13]. Confidence HIGH.';

describe('LLM summary over the Messages API wire format', () => {
  let api: FakeMessagesApi;
  let baseURL: string;
  const clock = createTestClock(Date.parse('2026-01-15T10:05:00Z'));
  let incidentId: string;
  let graph: ReturnType<typeof createLineageGraph>;
  let state: InMemoryStateStore;
  const warnings: object[] = [];
  const logger = { debug() {}, info() {}, warn: (o: object) => warnings.push(o), error() {} };

  beforeEach(async () => {
    api = new FakeMessagesApi();
    baseURL = await api.start();
    graph = createLineageGraph({ store: new InMemoryGraphStore() });
    state = new InMemoryStateStore();
    incidentId = (await seedSteelThread(graph, state)).incidentId;
    warnings.length = 0;
  });
  afterEach(async () => {
    await api.stop();
  });

  const copilotWith = (llm: Partial<LlmOptions> = {}): Copilot =>
    createCopilot({
      graph,
      state,
      clock: clock.now,
      logger,
      llm: { apiKey: 'sk-test-key', baseURL, maxRetries: 0, timeoutMs: 2_000, ...llm },
    });

  it('sends the structured report and uses a valid, cited answer', async () => {
    api.enqueue({ kind: 'text', text: GOOD, model: 'claude-test-1' });
    const copilot = copilotWith();
    const report = await copilot.rca(incidentId);
    expect(report.summary).toMatchObject({
      source: 'llm',
      text: GOOD,
      model: 'claude-test-1',
      evidence_refs: ['E7', 'E8', 'E4', 'E10', 'E13'],
    });
    expect(report.summary.template).toMatch(/^Root cause: deployment orders-svc 3.17/);
    expect(api.requests).toHaveLength(1);
    const [request] = api.requests;
    expect(request?.path).toBe('/v1/messages');
    // The SDK sends the key as `x-api-key` or as a bearer token, depending on its version.
    const auth = request?.headers['x-api-key'] ?? request?.headers.authorization;
    expect(auth === 'sk-test-key' || auth === 'Bearer sk-test-key').toBe(true);
    expect(request?.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(request?.body).toMatchObject({
      model: 'claude-sonnet-4-5',
      max_tokens: 400,
      temperature: 0,
    });
    expect(String(request?.body.system)).toMatch(/cite the evidence/i);
    const messages = request?.body.messages as { role: string; content: string }[];
    expect(messages).toHaveLength(1);
    const sent = JSON.parse(messages[0]?.content ?? '{}') as Record<string, unknown>;
    expect(sent.incident_id).toBe(incidentId);
    expect(sent.summary).toBeUndefined();
    expect((sent.evidence as unknown[]).length).toBe(report.evidence.length);

    // Cached: the same report is not sent again, even after the report cache is dropped.
    copilot.invalidate();
    const again = await copilot.rca(incidentId);
    expect(again.summary.source).toBe('llm');
    expect(api.requests).toHaveLength(1);
    expect(copilot.stats().llmSummaries).toBe(2);
    // `template` never calls the LLM.
    expect((await copilot.rca(incidentId, { summary: 'template' })).summary.source).toBe(
      'template',
    );
  });

  it('the SDK retries a 429 that says when, then succeeds', async () => {
    api.enqueue(
      { kind: 'error', status: 429, type: 'rate_limit_error', headers: { 'retry-after-ms': '20' } },
      { kind: 'text', text: GOOD },
    );
    const report = await copilotWith({ maxRetries: 1 }).rca(incidentId);
    expect(report.summary.source).toBe('llm');
    expect(api.requests).toHaveLength(2);
  });

  it('429 after retries: template, reason api_rate_limited, and no call until retry-after passes', async () => {
    api.always({
      kind: 'error',
      status: 429,
      type: 'rate_limit_error',
      message: 'slow down',
      headers: { 'retry-after': '30' },
    });
    const copilot = copilotWith();
    const report = await copilot.rca(incidentId);
    expect(report.summary).toMatchObject({
      source: 'template',
      text: report.summary.template,
      llm_fallback_reason: 'api_rate_limited',
      llm_fallback_detail: 'HTTP 429 rate_limit_error, retry after 30000 ms',
    });
    expect(warnings).toContainEqual(
      expect.objectContaining({ reason: 'api_rate_limited', incidentId }),
    );
    const blocked = await copilot.rca(incidentId);
    expect(blocked.summary.llm_fallback_reason).toBe('rate_limited');
    expect(api.requests).toHaveLength(1);
    clock.advance(31_000);
    await copilot.rca(incidentId);
    expect(api.requests).toHaveLength(2);
  });

  it.each([
    [500, 'api_error', 'HTTP 500 api_error (request req_test_1)'],
    [529, 'overloaded_error', 'HTTP 529 overloaded_error (request req_test_1)'],
    [401, 'authentication_error', 'HTTP 401 authentication_error (request req_test_1)'],
    [400, 'invalid_request_error', 'HTTP 400 invalid_request_error (request req_test_1)'],
  ])('HTTP %i → template with reason api_error', async (status, type, detail) => {
    api.always({ kind: 'error', status, type });
    const report = await copilotWith().rca(incidentId);
    expect(report.summary).toMatchObject({
      source: 'template',
      llm_fallback_reason: 'api_error',
      llm_fallback_detail: detail,
    });
  });

  it('a server that hangs → template with reason timeout, within the deadline', async () => {
    api.always({ kind: 'hang' });
    const started = Date.now();
    const report = await copilotWith({ timeoutMs: 300 }).rca(incidentId);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(report.summary).toMatchObject({ source: 'template', llm_fallback_reason: 'timeout' });
  });

  it('a server that cannot be reached → connection_error', async () => {
    await api.stop();
    const report = await copilotWith().rca(incidentId);
    expect(report.summary.llm_fallback_reason).toBe('connection_error');
    api = new FakeMessagesApi();
    await api.start();
  });

  it.each([
    ['no citation at all', { kind: 'text', text: 'Bananas are yellow.' }, 'bad_citations'],
    [
      'a ref not in the report',
      { kind: 'text', text: 'Deployment orders-svc 3.17 broke it [E99].' },
      'bad_citations',
    ],
    [
      'an evidence id not in the report',
      { kind: 'text', text: 'See ev_00000000000000000000000000000000 [E1].' },
      'bad_citations',
    ],
    ['an invented time', { kind: 'text', text: 'It broke at 11:11:11 [E1].' }, 'unsupported_claim'],
    [
      'an invented version',
      { kind: 'text', text: 'Roll back to 3.15 [E13].' },
      'unsupported_claim',
    ],
    [
      'an invented dataset',
      { kind: 'text', text: 'urn:dp:payments:settled is hurt too [E10].' },
      'unsupported_claim',
    ],
    [
      'an invented commit',
      { kind: 'text', text: 'Revert commit deadbee1 [E8].' },
      'unsupported_claim',
    ],
    ['empty text', { kind: 'text', text: '   ' }, 'empty'],
    [
      'no text block',
      { kind: 'content', content: [{ type: 'tool_use', id: 'toolu_1', name: 'x', input: {} }] },
      'empty',
    ],
    [
      'cut off at max_tokens',
      { kind: 'text', text: `${GOOD} And`, stopReason: 'max_tokens' },
      'malformed',
    ],
    [
      'a body that is not JSON',
      { kind: 'raw', status: 200, body: '<html>oops</html>' },
      'malformed',
    ],
  ] as const)('nonsense output (%s) → template', async (_name, answer, reason) => {
    api.always(answer as Scripted);
    const report = await copilotWith().rca(incidentId);
    expect(report.summary).toMatchObject({ source: 'template', llm_fallback_reason: reason });
    expect(report.summary.text).toBe(report.summary.template);
  });

  it('rate-limits calls per minute (token bucket on the injected clock)', async () => {
    api.always({ kind: 'text', text: 'no refs here' });
    const copilot = copilotWith({ requestsPerMinute: 2 });
    for (let i = 0; i < 2; i++) {
      expect((await copilot.rca(incidentId)).summary.llm_fallback_reason).toBe('bad_citations');
    }
    expect((await copilot.rca(incidentId)).summary.llm_fallback_reason).toBe('rate_limited');
    expect(api.requests).toHaveLength(2);
    clock.advance(30_000);
    await copilot.rca(incidentId);
    expect(api.requests).toHaveLength(3);
    expect(copilot.stats().llmFallbacks).toEqual({ bad_citations: 3, rate_limited: 1 });
  });

  it('without an LLM: template, and `llm` mode says why', async () => {
    const copilot = createCopilot({ graph, state, clock: clock.now });
    expect((await copilot.rca(incidentId)).summary).not.toHaveProperty('llm_fallback_reason');
    expect((await copilot.rca(incidentId, { summary: 'llm' })).summary.llm_fallback_reason).toBe(
      'disabled',
    );
  });
});

describe('llmOptionsFromEnv', () => {
  it('reads the key, base URL and model; no key means no LLM', () => {
    expect(llmOptionsFromEnv({})).toBe(false);
    expect(llmOptionsFromEnv({ ANTHROPIC_API_KEY: ' ' })).toBe(false);
    expect(
      llmOptionsFromEnv({
        ANTHROPIC_API_KEY: 'a',
        SF_COPILOT_LLM_API_KEY: 'b',
        ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
        SF_COPILOT_LLM_MODEL: 'm',
        SF_COPILOT_LLM_TIMEOUT_MS: '500',
      }),
    ).toEqual({ apiKey: 'b', baseURL: 'http://127.0.0.1:9', model: 'm', timeoutMs: 500 });
  });
});

describe('validateLlmText', () => {
  it('accepts raw evidence ids from the report as citations', async () => {
    const graph = createLineageGraph({ store: new InMemoryGraphStore() });
    const state = new InMemoryStateStore();
    const { incidentId } = await seedSteelThread(graph, state);
    const report = await createCopilot({ graph, state }).rca(incidentId);
    expect(
      validateLlmText('First bad record [ev_0123456789abcdef0123456789abcdef].', report),
    ).toEqual({
      ok: true,
      text: 'First bad record [ev_0123456789abcdef0123456789abcdef].',
      refs: ['ev_0123456789abcdef0123456789abcdef'],
    });
  });
});

describe('a custom Messages client', () => {
  it('is used instead of the SDK, and summarize() words an existing report', async () => {
    const graph = createLineageGraph({ store: new InMemoryGraphStore() });
    const state = new InMemoryStateStore();
    const { incidentId } = await seedSteelThread(graph, state);
    const calls: unknown[] = [];
    const copilot = createCopilot({
      graph,
      state,
      llm: {
        apiKey: '',
        client: {
          create: async (body) => {
            calls.push(body);
            return {
              content: [{ type: 'text', text: GOOD }],
              stop_reason: 'end_turn',
              model: 'fake',
            };
          },
        },
      },
    });
    const report = await copilot.rca(incidentId, { summary: 'template' });
    expect(calls).toHaveLength(0);
    const summary = await copilot.summarize(report);
    expect(summary).toMatchObject({ source: 'llm', model: 'fake', text: GOOD });
    expect(calls).toHaveLength(1);
  });

  it('a client that throws something odd is an unknown fallback, never an exception', async () => {
    const graph = createLineageGraph({ store: new InMemoryGraphStore() });
    const state = new InMemoryStateStore();
    const { incidentId } = await seedSteelThread(graph, state);
    const copilot = createCopilot({
      graph,
      state,
      llm: { apiKey: 'k', client: { create: () => Promise.reject(new TypeError('boom')) } },
    });
    const report = await copilot.rca(incidentId);
    expect(report.summary).toMatchObject({
      source: 'template',
      llm_fallback_reason: 'unknown',
      llm_fallback_detail: 'TypeError: boom',
    });
  });
});
