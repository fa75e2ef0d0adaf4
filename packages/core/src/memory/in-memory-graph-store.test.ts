import { describe, expect, it } from 'vitest';
import { InMemoryGraphStore } from './in-memory-graph-store';

describe('InMemoryGraphStore', () => {
  it('keeps the first label of a vertex, like Gremlin', async () => {
    const g = new InMemoryGraphStore();
    await g.upsertVertex({ id: 'v', label: 'Dataset', properties: { a: 1 } });
    await g.upsertVertex({ id: 'v', label: 'Service', properties: { b: 2 } });
    expect(await g.getVertex('v')).toEqual({
      id: 'v',
      label: 'Dataset',
      properties: { a: 1, b: 2 },
    });
    expect(await g.findVertices('Service')).toEqual([]);
  });

  it('names the missing ends of an edge', async () => {
    const g = new InMemoryGraphStore();
    await expect(
      g.upsertEdge({ from: 'x', to: 'x', label: 'SELF', properties: {} }),
    ).rejects.toMatchObject({
      code: 'SF_ERR_GRAPH_MISSING_VERTEX',
      retriable: false,
      details: { edgeId: 'x|SELF|x', missing: ['x'] },
    });
  });

  it('bounds a long chain by depth and a wide fan-out by limit', async () => {
    const g = new InMemoryGraphStore();
    for (let i = 0; i <= 2_000; i++)
      await g.upsertVertex({ id: `n${i}`, label: 'N', properties: {} });
    for (let i = 0; i < 2_000; i++) {
      await g.upsertEdge({ from: `n${i}`, to: `n${i + 1}`, label: 'NEXT', properties: {} });
      await g.upsertEdge({ from: 'n0', to: `n${i + 1}`, label: 'FAN', properties: {} });
    }
    const chain = await g.traverse({
      from: ['n0'],
      direction: 'out',
      edgeLabels: ['NEXT'],
      maxDepth: 50,
    });
    expect(chain).toHaveLength(50);
    expect(chain.at(-1)).toMatchObject({ vertex: { id: 'n50' }, depth: 50 });
    expect(chain.at(-1)!.path).toHaveLength(50);
    const fan = await g.traverse({ from: ['n0'], direction: 'out', maxDepth: 1 });
    expect(fan).toHaveLength(1_000); // default cap
    expect(await g.traverse({ from: ['n0'], direction: 'out', maxDepth: 3, limit: 0 })).toEqual([]);
    expect(await g.edges('n0', { direction: 'out', labels: [] })).toEqual([]);
    expect(g.size()).toEqual({ vertices: 2_001, edges: 4_000 });
  });

  it('validates arguments and refuses calls after close', async () => {
    const g = new InMemoryGraphStore();
    await expect(
      g.traverse({ from: ['a'], direction: 'both' as never, maxDepth: 0 }),
    ).rejects.toMatchObject({
      code: 'SF_ERR_GRAPH_ARGUMENT_INVALID',
      details: {
        problems: [
          { path: 'options.direction', message: "must be 'out' or 'in'" },
          { path: 'options.maxDepth', message: 'must be an integer ≥ 1' },
        ],
      },
    });
    await expect(
      g.upsertVertex({ id: '', label: 'L', properties: { x: { nested: true } as never } }),
    ).rejects.toMatchObject({
      details: {
        problems: [
          { path: 'vertex.id', message: 'must be a non-empty string' },
          { path: 'vertex.properties.x', message: 'must be a string, finite number or boolean' },
        ],
      },
    });
    await g.close();
    await expect(g.getVertex('a')).rejects.toMatchObject({ code: 'SF_ERR_GRAPH_CLOSED' });
  });
});
