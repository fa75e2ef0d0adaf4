import { describe, expect, it } from 'vitest';
import { InMemoryGraphStore } from '@signal-factory/core';
import { DatasetIoIndex } from './dataset-io-index';

async function seed(store: InMemoryGraphStore): Promise<void> {
  for (const [id, label] of [
    ['urn:dp:a:b', 'Dataset'],
    ['job:x:reader', 'Job'],
    ['job:x:writer', 'Job'],
  ] as const) {
    await store.upsertVertex({ id, label, properties: {} });
  }
  await store.upsertEdge({
    from: 'job:x:reader',
    label: 'READS',
    to: 'urn:dp:a:b',
    properties: { confidence: 'LOW' },
  });
}

describe('DatasetIoIndex', () => {
  it('loads from the graph once, then serves from memory and follows noted edges', async () => {
    const store = new InMemoryGraphStore();
    await seed(store);
    let reads = 0;
    const edges = store.edges.bind(store);
    store.edges = (id, query) => {
      reads += 1;
      return edges(id, query);
    };
    const index = new DatasetIoIndex(store);
    expect(await index.readersOf('urn:dp:a:b')).toEqual([
      { id: 'job:x:reader', label: 'Job', confidence: 'LOW' },
    ]);
    expect(await index.writersOf('urn:dp:a:b')).toEqual([]);
    index.noteEdge({ from: 'job:x:writer', label: 'WRITES', to: 'urn:dp:a:b', properties: {} });
    expect(await index.writersOf('urn:dp:a:b')).toEqual([
      { id: 'job:x:writer', label: 'Job', confidence: 'HIGH' },
    ]);
    expect(reads).toBe(1);
    index.forget('job:x:reader');
    expect(await index.readersOf('urn:dp:a:b')).toEqual([]);
    expect(index.size).toBe(1);
  });

  it('re-reads the graph after the TTL', async () => {
    const store = new InMemoryGraphStore();
    await seed(store);
    let now = 0;
    const index = new DatasetIoIndex(store, { ttlMs: 1_000, now: () => now });
    expect(await index.writersOf('urn:dp:a:b')).toEqual([]);
    await store.upsertEdge({
      from: 'job:x:writer',
      label: 'WRITES',
      to: 'urn:dp:a:b',
      properties: {},
    }); // another process
    expect(await index.writersOf('urn:dp:a:b')).toEqual([]);
    now = 2_000;
    expect((await index.writersOf('urn:dp:a:b')).map((w) => w.id)).toEqual(['job:x:writer']);
  });
});
