import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { GremlinGraphStore } from './gremlin-graph-store';

describe('GremlinGraphStore (no server)', () => {
  it('validates options at construction and reports every problem with its path', () => {
    try {
      new GremlinGraphStore({
        url: 'http://x',
        requestTimeoutMs: 0,
        maxRetries: -1,
        traversalSource: 'g; drop',
        headers: 5 as never,
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'SF_ERR_LINEAGE_OPTIONS_INVALID' });
      const paths = (error as { details: { problems: { path: string }[] } }).details.problems.map(
        (p) => p.path,
      );
      expect(paths).toEqual([
        'url',
        'requestTimeoutMs',
        'maxRetries',
        'headers',
        'traversalSource',
      ]);
    }
  });

  it('an unreachable server is a retriable SF_ERR_LINEAGE_GREMLIN_UNAVAILABLE, after the configured retries', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
    let calls = 0;
    const store = new GremlinGraphStore({
      url: `ws://127.0.0.1:${port}/gremlin`,
      maxRetries: 2,
      retryBaseMs: 1,
      requestTimeoutMs: 2_000,
      headers: () => {
        calls += 1;
        return { authorization: `token-${calls}` };
      },
    });
    await expect(store.getVertex('x')).rejects.toMatchObject({
      code: 'SF_ERR_LINEAGE_GREMLIN_UNAVAILABLE',
      retriable: true,
    });
    // Every reconnect asked the headers factory again (fresh SigV4 signatures).
    expect(calls).toBe(3);
    await store.close();
    await expect(store.getVertex('x')).rejects.toMatchObject({ code: 'SF_ERR_GRAPH_CLOSED' });
  });
});
