import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edgeId, type GraphStore, type TraversalHit } from '../ports/graph-store';
import { randomRunId } from './unique-name';

/** What a `GraphStore` implementation hands to its contract suite. */
export interface GraphStoreContractContext {
  store: GraphStore;
  /** Called after the suite, after `store.close()`. */
  cleanup?: () => Promise<void>;
}

export type GraphStoreContractFactory = () => Promise<GraphStoreContractContext>;

const MISSING_VERTEX = 'SF_ERR_GRAPH_MISSING_VERTEX';

/** `[vertexId, depth, path]` triples: compact and order-sensitive. */
function summary(hits: TraversalHit[]): [string, number, string[]][] {
  return hits.map((h) => [h.vertex.id, h.depth, h.path]);
}

/**
 * The contract every `GraphStore` must pass: merge-upserts, deterministic edge ids, the missing
 * vertex error, label and property filters, adjacency by direction, `dropVertex`, and bounded
 * breadth-first traversals (depth bound, result cap, cycles and self-loops, direction, edge
 * label filter, shortest paths).
 *
 * Ordering is part of the contract so that two implementations give identical answers:
 * `findVertices` and `edges` sort by id (and apply `limit` after sorting); `traverse` returns
 * hits in discovery order of a breadth-first search whose frontier keeps discovery order (start
 * vertices in the given order) and which expands each frontier vertex's edges in edge-id order;
 * the first discovery of a vertex fixes its depth and path. Start vertices are not hits.
 *
 * Every test uses ids and labels unique to the run, so the suite can share a server.
 */
export function describeGraphStoreContract(name: string, factory: GraphStoreContractFactory): void {
  describe(`GraphStore contract: ${name}`, () => {
    const runId = randomRunId();
    let context: GraphStoreContractContext;
    let store: GraphStore;
    let testCount = 0;

    beforeAll(async () => {
      context = await factory();
      store = context.store;
    }, 120_000);

    afterAll(async () => {
      await store?.close();
      await context?.cleanup?.();
    }, 60_000);

    /** Unique id and label makers for one test. */
    function scope(label: string) {
      testCount += 1;
      const prefix = `urn:contract:${runId}:${testCount}:${label}:`;
      const tag = `C${runId}x${testCount}`;
      return {
        id: (local: string) => `${prefix}${local}`,
        label: (local: string) => `${tag}${local}`,
      };
    }

    /** Builds vertices (one label) and edges `[from, label, to]` given by local names. */
    async function build(
      s: ReturnType<typeof scope>,
      vertices: string[],
      edges: [string, string, string][],
    ): Promise<void> {
      for (const v of vertices) {
        await store.upsertVertex({ id: s.id(v), label: s.label('Node'), properties: { name: v } });
      }
      for (const [from, label, to] of edges) {
        await store.upsertEdge({
          from: s.id(from),
          to: s.id(to),
          label: s.label(label),
          properties: {},
        });
      }
    }

    it('creates and merges vertices: given properties overwrite, others are kept', async () => {
      const s = scope('vertex');
      expect(await store.getVertex(s.id('nope'))).toBeUndefined();
      await store.upsertVertex({
        id: s.id('a'),
        label: s.label('Dataset'),
        properties: { name: 'orders', tier: 1, pii: false },
      });
      await store.upsertVertex({
        id: s.id('a'),
        label: s.label('Dataset'),
        properties: { tier: 2, owner: 'team-x' },
      });
      expect(await store.getVertex(s.id('a'))).toEqual({
        id: s.id('a'),
        label: s.label('Dataset'),
        properties: { name: 'orders', tier: 2, pii: false, owner: 'team-x' },
      });
      // Idempotent.
      await store.upsertVertex({ id: s.id('a'), label: s.label('Dataset'), properties: {} });
      expect((await store.getVertex(s.id('a')))?.properties).toEqual({
        name: 'orders',
        tier: 2,
        pii: false,
        owner: 'team-x',
      });
      // Returned objects are copies.
      const got = await store.getVertex(s.id('a'));
      got!.properties.name = 'mutated';
      expect((await store.getVertex(s.id('a')))?.properties.name).toBe('orders');
    });

    it('creates and merges edges with deterministic ids; both ends must exist', async () => {
      const s = scope('edge');
      await build(s, ['a', 'b'], []);
      const missing = await store
        .upsertEdge({ from: s.id('a'), to: s.id('ghost'), label: s.label('FEEDS'), properties: {} })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect((missing as { code?: unknown } | undefined)?.code).toBe(MISSING_VERTEX);
      const missingFrom = await store
        .upsertEdge({ from: s.id('ghost'), to: s.id('a'), label: s.label('FEEDS'), properties: {} })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect((missingFrom as { code?: unknown } | undefined)?.code).toBe(MISSING_VERTEX);
      expect(await store.edges(s.id('a'), { direction: 'both' })).toEqual([]);

      await store.upsertEdge({
        from: s.id('a'),
        to: s.id('b'),
        label: s.label('FEEDS'),
        properties: { since: '2026', weight: 1 },
      });
      await store.upsertEdge({
        from: s.id('a'),
        to: s.id('b'),
        label: s.label('FEEDS'),
        properties: { weight: 2, critical: true },
      });
      await store.upsertEdge({
        id: `${s.id('custom')}`,
        from: s.id('b'),
        to: s.id('a'),
        label: s.label('OWNS'),
        properties: {},
      });
      expect(await store.edges(s.id('a'), { direction: 'out' })).toEqual([
        {
          id: edgeId(s.id('a'), s.label('FEEDS'), s.id('b')),
          label: s.label('FEEDS'),
          from: s.id('a'),
          to: s.id('b'),
          properties: { since: '2026', weight: 2, critical: true },
        },
      ]);
      expect(await store.edges(s.id('a'), { direction: 'in' })).toEqual([
        {
          id: s.id('custom'),
          label: s.label('OWNS'),
          from: s.id('b'),
          to: s.id('a'),
          properties: {},
        },
      ]);
    });

    it('lists edges by direction and label, sorted by id, capped after sorting', async () => {
      const s = scope('adjacency');
      await build(
        s,
        ['hub', 'x3', 'x1', 'x2', 'y'],
        [
          ['hub', 'B', 'x3'],
          ['hub', 'A', 'x1'],
          ['hub', 'B', 'x2'],
          ['y', 'A', 'hub'],
          ['hub', 'A', 'hub'],
        ],
      );
      const ids = (edges: { id: string }[]) => edges.map((e) => e.id);
      const e = (from: string, label: string, to: string) =>
        edgeId(s.id(from), s.label(label), s.id(to));
      const out = [
        e('hub', 'A', 'hub'),
        e('hub', 'A', 'x1'),
        e('hub', 'B', 'x2'),
        e('hub', 'B', 'x3'),
      ].sort();
      expect(ids(await store.edges(s.id('hub'), { direction: 'out' }))).toEqual(out);
      expect(ids(await store.edges(s.id('hub'), { direction: 'in' }))).toEqual(
        [e('hub', 'A', 'hub'), e('y', 'A', 'hub')].sort(),
      );
      // A self-loop appears once under 'both'.
      expect(ids(await store.edges(s.id('hub'), { direction: 'both' }))).toEqual(
        [...out, e('y', 'A', 'hub')].sort(),
      );
      expect(
        ids(await store.edges(s.id('hub'), { direction: 'out', labels: [s.label('B')] })),
      ).toEqual([e('hub', 'B', 'x2'), e('hub', 'B', 'x3')]);
      expect(
        ids(await store.edges(s.id('hub'), { direction: 'both', labels: [s.label('A')] })),
      ).toEqual([e('hub', 'A', 'hub'), e('hub', 'A', 'x1'), e('y', 'A', 'hub')].sort());
      expect(ids(await store.edges(s.id('hub'), { direction: 'out', limit: 2 }))).toEqual(
        out.slice(0, 2),
      );
      expect(await store.edges(s.id('nobody'), { direction: 'both' })).toEqual([]);
    });

    it('finds vertices by label and property equality, sorted by id and capped', async () => {
      const s = scope('find');
      const label = s.label('Service');
      for (const [local, team, tier, live] of [
        ['s4', 'red', 1, true],
        ['s2', 'blue', 1, true],
        ['s3', 'red', 2, false],
        ['s1', 'red', 1, true],
        ['s5', 'red', '1', true],
      ] as const) {
        await store.upsertVertex({ id: s.id(local), label, properties: { team, tier, live } });
      }
      await store.upsertVertex({
        id: s.id('other'),
        label: s.label('Dataset'),
        properties: { team: 'red' },
      });
      const ids = (vs: { id: string }[]) => vs.map((v) => v.id);
      expect(ids(await store.findVertices(label))).toEqual(
        ['s1', 's2', 's3', 's4', 's5'].map(s.id),
      );
      expect(ids(await store.findVertices(label, { team: 'red', tier: 1 }))).toEqual(
        ['s1', 's4'].map(s.id),
      );
      expect(ids(await store.findVertices(label, { tier: '1' }))).toEqual([s.id('s5')]);
      expect(ids(await store.findVertices(label, { live: false }))).toEqual([s.id('s3')]);
      expect(ids(await store.findVertices(label, { team: 'red' }, 2))).toEqual(
        ['s1', 's3'].map(s.id),
      );
      expect(await store.findVertices(label, { team: 'green' })).toEqual([]);
      expect(await store.findVertices(s.label('Nothing'))).toEqual([]);
      const [first] = await store.findVertices(label, { team: 'blue' });
      expect(first).toEqual({
        id: s.id('s2'),
        label,
        properties: { team: 'blue', tier: 1, live: true },
      });
    });

    it('traverses breadth-first within the depth bound, with shortest paths', async () => {
      const s = scope('bfs');
      // a → b → c → d → e and a shortcut a → c.
      await build(
        s,
        ['a', 'b', 'c', 'd', 'e'],
        [
          ['a', 'F', 'b'],
          ['b', 'F', 'c'],
          ['c', 'F', 'd'],
          ['d', 'F', 'e'],
          ['a', 'F', 'c'],
        ],
      );
      const e = (from: string, to: string) => edgeId(s.id(from), s.label('F'), s.id(to));
      const two = await store.traverse({ from: [s.id('a')], direction: 'out', maxDepth: 2 });
      expect(summary(two)).toEqual([
        [s.id('b'), 1, [e('a', 'b')]],
        [s.id('c'), 1, [e('a', 'c')]],
        [s.id('d'), 2, [e('a', 'c'), e('c', 'd')]],
      ]);
      expect(two[0]!.vertex).toEqual({
        id: s.id('b'),
        label: s.label('Node'),
        properties: { name: 'b' },
      });
      const one = await store.traverse({ from: [s.id('a')], direction: 'out', maxDepth: 1 });
      expect(summary(one).map(([id, depth]) => [id, depth])).toEqual([
        [s.id('b'), 1],
        [s.id('c'), 1],
      ]);
      const upstream = await store.traverse({ from: [s.id('e')], direction: 'in', maxDepth: 10 });
      expect(summary(upstream)).toEqual([
        [s.id('d'), 1, [e('d', 'e')]],
        [s.id('c'), 2, [e('d', 'e'), e('c', 'd')]],
        [s.id('a'), 3, [e('d', 'e'), e('c', 'd'), e('a', 'c')]],
        [s.id('b'), 3, [e('d', 'e'), e('c', 'd'), e('b', 'c')]],
      ]);
      expect(await store.traverse({ from: [s.id('e')], direction: 'out', maxDepth: 5 })).toEqual(
        [],
      );
      expect(
        await store.traverse({ from: [s.id('missing')], direction: 'out', maxDepth: 3 }),
      ).toEqual([]);
    });

    it('caps results in discovery order and breaks ties by edge id', async () => {
      const s = scope('cap');
      // root fans out to five leaves; a diamond root → m1/m2 → sink.
      await build(
        s,
        ['root', 'l3', 'l1', 'l5', 'l2', 'l4', 'm2', 'm1', 'sink'],
        [
          ['root', 'F', 'l3'],
          ['root', 'F', 'l1'],
          ['root', 'F', 'l5'],
          ['root', 'F', 'l2'],
          ['root', 'F', 'l4'],
          ['root', 'G', 'm2'],
          ['root', 'G', 'm1'],
          ['m2', 'F', 'sink'],
          ['m1', 'F', 'sink'],
        ],
      );
      const all = await store.traverse({ from: [s.id('root')], direction: 'out', maxDepth: 3 });
      const edgeOrder = [
        ['F', 'l1'],
        ['F', 'l2'],
        ['F', 'l3'],
        ['F', 'l4'],
        ['F', 'l5'],
        ['G', 'm1'],
        ['G', 'm2'],
      ]
        .map(([label, to]) => ({ to: to!, id: edgeId(s.id('root'), s.label(label!), s.id(to!)) }))
        .sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
      expect(all.map((h) => h.vertex.id)).toEqual([
        ...edgeOrder.map((x) => s.id(x.to)),
        s.id('sink'),
      ]);
      // sink is reached through the first expanded of m1/m2 (frontier in discovery order).
      const viaFirst = edgeOrder.find((x) => x.to === 'm1' || x.to === 'm2')!;
      expect(all.at(-1)!.path).toEqual([
        viaFirst.id,
        edgeId(s.id(viaFirst.to), s.label('F'), s.id('sink')),
      ]);
      const capped = await store.traverse({
        from: [s.id('root')],
        direction: 'out',
        maxDepth: 3,
        limit: 3,
      });
      expect(capped.map((h) => h.vertex.id)).toEqual(edgeOrder.slice(0, 3).map((x) => s.id(x.to)));
      const onlyG = await store.traverse({
        from: [s.id('root')],
        direction: 'out',
        maxDepth: 3,
        edgeLabels: [s.label('G')],
      });
      expect(onlyG.map((h) => h.vertex.id)).toEqual(
        edgeOrder.filter((x) => x.to.startsWith('m')).map((x) => s.id(x.to)),
      );
    });

    it('visits each vertex once through cycles and self-loops; start vertices are not hits', async () => {
      const s = scope('cycle');
      await build(
        s,
        ['a', 'b', 'c', 'z'],
        [
          ['a', 'F', 'b'],
          ['b', 'F', 'c'],
          ['c', 'F', 'a'],
          ['b', 'F', 'b'],
          ['z', 'F', 'c'],
        ],
      );
      const e = (from: string, to: string) => edgeId(s.id(from), s.label('F'), s.id(to));
      const hits = await store.traverse({ from: [s.id('a')], direction: 'out', maxDepth: 50 });
      expect(summary(hits)).toEqual([
        [s.id('b'), 1, [e('a', 'b')]],
        [s.id('c'), 2, [e('a', 'b'), e('b', 'c')]],
      ]);
      // Two starts: depth counts from the nearest one; neither start is returned.
      const both = await store.traverse({
        from: [s.id('z'), s.id('a'), s.id('z')],
        direction: 'out',
        maxDepth: 50,
      });
      expect(summary(both)).toEqual([
        [s.id('c'), 1, [e('z', 'c')]],
        [s.id('b'), 1, [e('a', 'b')]],
      ]);
      const inward = await store.traverse({ from: [s.id('c')], direction: 'in', maxDepth: 2 });
      expect(summary(inward)).toEqual([
        [s.id('b'), 1, [e('b', 'c')]],
        [s.id('z'), 1, [e('z', 'c')]],
        [s.id('a'), 2, [e('b', 'c'), e('a', 'b')]],
      ]);
    });

    it('drops a vertex with its edges', async () => {
      const s = scope('drop');
      await build(
        s,
        ['a', 'b', 'c'],
        [
          ['a', 'F', 'b'],
          ['b', 'F', 'c'],
          ['c', 'F', 'b'],
        ],
      );
      await store.dropVertex(s.id('b'));
      await store.dropVertex(s.id('b')); // missing: no error
      expect(await store.getVertex(s.id('b'))).toBeUndefined();
      expect(await store.edges(s.id('a'), { direction: 'both' })).toEqual([]);
      expect(await store.edges(s.id('c'), { direction: 'both' })).toEqual([]);
      expect(await store.findVertices(s.label('Node'))).toEqual([
        { id: s.id('a'), label: s.label('Node'), properties: { name: 'a' } },
        { id: s.id('c'), label: s.label('Node'), properties: { name: 'c' } },
      ]);
      // Recreating the vertex does not bring its edges back.
      await store.upsertVertex({ id: s.id('b'), label: s.label('Node'), properties: {} });
      expect(await store.edges(s.id('b'), { direction: 'both' })).toEqual([]);
      expect(await store.traverse({ from: [s.id('a')], direction: 'out', maxDepth: 3 })).toEqual(
        [],
      );
    });
  });
}
