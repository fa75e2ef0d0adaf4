/* eslint-disable @typescript-eslint/no-explicit-any -- `gremlin` ships no types and the harness does not
   depend on @types/gremlin (the lineage package owns that choice); its fluent API is used untyped here. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

async function loadGremlin(): Promise<any> {
  const specifier = 'gremlin';
  const mod: any = await import(/* @vite-ignore */ specifier);
  return mod.default ?? mod;
}

const SERIALIZERS = [
  { name: 'GraphBinary (client default)', mimeType: undefined },
  { name: 'GraphSON 3', mimeType: 'application/vnd.gremlin-v3.0+json' },
] as const;

describe.each(SERIALIZERS)(
  'harness Gremlin Server with the gremlin client, $name',
  ({ mimeType }) => {
    const url = inject('gremlinUrl');
    let gremlin: any;
    let connection: any;
    let g: any;
    const run = randomUUID().slice(0, 8);

    beforeAll(async () => {
      gremlin = await loadGremlin();
      connection = new gremlin.driver.DriverRemoteConnection(
        url,
        mimeType === undefined ? {} : { mimeType },
      );
      g = gremlin.process.AnonymousTraversalSource.traversal().withRemote(connection);
    });
    afterAll(async () => {
      await g?.V().has('run', run).drop().iterate();
      await connection?.close();
    });

    it('is on 127.0.0.1', () => {
      expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/gremlin$/);
    });

    it('adds vertices with string ids (as on Neptune) and edges, then traverses them with bytecode', async () => {
      const { t } = gremlin.process;
      const __ = gremlin.process.statics;
      const id = (name: string): string => `urn:dp:smoke-${run}:${name}`;
      for (const name of ['orders', 'payments', 'ledger']) {
        await g
          .addV('Dataset')
          .property(t.id, id(name))
          .property('name', name)
          .property('run', run)
          .iterate();
      }
      await g
        .V(id('orders'))
        .addE('FEEDS')
        .to(__.V(id('payments')))
        .property('run', run)
        .iterate();
      await g
        .V(id('payments'))
        .addE('FEEDS')
        .to(__.V(id('ledger')))
        .property('run', run)
        .iterate();

      const vertex = (await g.V(id('orders')).next()).value;
      expect(vertex.id).toBe(id('orders'));
      expect(vertex.label).toBe('Dataset');

      // Blast radius of `orders`: everything downstream, nearest first.
      const downstream = await g
        .V(id('orders'))
        .repeat(__.out('FEEDS'))
        .emit()
        .values('name')
        .toList();
      expect(downstream).toEqual(['payments', 'ledger']);

      const path = await g
        .V(id('ledger'))
        .repeat(__.in_('FEEDS'))
        .until(__.inE('FEEDS').count().is(0))
        .path()
        .by('name')
        .next();
      expect(path.value.objects).toEqual(['ledger', 'payments', 'orders']);

      const count = (await g.V().has('run', run).hasLabel('Dataset').count().next()).value;
      expect(Number(count)).toBe(3);
    });
  },
);
