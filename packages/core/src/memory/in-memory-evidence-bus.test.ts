import { describe, expect, it } from 'vitest';
import type { ConsumedMessage } from '../ports/evidence-bus';
import { sleep, waitFor } from '../testing';
import { InMemoryEvidenceBus } from './in-memory-evidence-bus';
import { keyPartition } from './murmur2';

const values = (batch: ConsumedMessage[]) => batch.map((m) => m.value);

describe('InMemoryEvidenceBus', () => {
  it('never calls a handler synchronously inside publish', async () => {
    const bus = new InMemoryEvidenceBus();
    let inside = false;
    let calledInside = false;
    const seen: string[] = [];
    await bus.subscribe({ groupId: 'g', topics: ['t'] }, async (batch) => {
      calledInside ||= inside;
      seen.push(...values(batch));
    });
    inside = true;
    const pending = bus.publish('t', [{ key: 'k', value: 'v' }]);
    inside = false;
    await pending;
    expect(seen).toEqual([]);
    await waitFor(() => seen.length === 1);
    expect(calledInside).toBe(false);
    await bus.close();
  });

  it("partitions like Kafka's default partitioner", async () => {
    const bus = new InMemoryEvidenceBus({ defaultPartitions: 64 });
    const keys = ['urn:dp:orders:created', 'urn:dp:payments:settled', 'a', ''];
    const published = await bus.publish(
      'evidence',
      keys.map((key) => ({ key, value: key })),
    );
    expect(published.map((r) => r.partition)).toEqual(keys.map((k) => keyPartition(k, 64)));
    expect(bus.endOffsets('evidence')).toHaveLength(64);
    await bus.close();
  });

  it('creates topics with the requested partitions; ensureTopic is idempotent', async () => {
    const bus = new InMemoryEvidenceBus({ defaultPartitions: 3 });
    await bus.ensureTopic('a', { partitions: 7 });
    await bus.ensureTopic('a', { partitions: 2 });
    await bus.ensureTopic('b');
    await bus.publish('c', [{ key: 'k', value: 'v' }]);
    expect(bus.endOffsets('a')).toHaveLength(7);
    expect(bus.endOffsets('b')).toHaveLength(3);
    expect(bus.endOffsets('c')).toHaveLength(3);
    expect(bus.endOffsets('missing')).toEqual([]);
    await bus.close();
  });

  it('hands partitions of a leaving member to the others without loss or duplicates', async () => {
    const bus = new InMemoryEvidenceBus({ defaultPartitions: 6 });
    const seen = new Map<string, string[]>();
    const record = (member: string) => async (batch: ConsumedMessage[]) => {
      for (const m of batch) seen.set(m.value, [...(seen.get(m.value) ?? []), member]);
    };
    const one = await bus.subscribe({ groupId: 'g', topics: ['t'] }, record('one'));
    await bus.subscribe({ groupId: 'g', topics: ['t'] }, record('two'));
    await bus.publish(
      't',
      Array.from({ length: 60 }, (_, i) => ({ key: `k${i}`, value: `a${i}` })),
    );
    await waitFor(() => seen.size === 60);
    expect(new Set([...seen.values()].flat())).toEqual(new Set(['one', 'two']));
    await one.close();
    await bus.publish(
      't',
      Array.from({ length: 60 }, (_, i) => ({ key: `k${i}`, value: `b${i}` })),
    );
    await waitFor(() => seen.size === 120);
    await sleep(20);
    for (const [value, members] of seen) {
      expect(members, value).toHaveLength(1);
      if (value.startsWith('b')) expect(members).toEqual(['two']);
    }
    await bus.close();
  });

  it('waits for an in-flight batch before another member gets its partition', async () => {
    const bus = new InMemoryEvidenceBus({ defaultPartitions: 1 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const log: string[] = [];
    const first = await bus.subscribe({ groupId: 'g', topics: ['t'] }, async (batch) => {
      log.push(`one:${values(batch).join(',')}:start`);
      await gate;
      log.push('one:end');
    });
    await bus.publish('t', [{ key: 'k', value: 'v1' }]);
    await waitFor(() => log.length === 1);
    await bus.subscribe({ groupId: 'g', topics: ['t'] }, async (batch) => {
      log.push(`two:${values(batch).join(',')}`);
    });
    const closed = first.close();
    await bus.publish('t', [{ key: 'k', value: 'v2' }]);
    await sleep(20);
    expect(log).toEqual(['one:v1:start']);
    release();
    await closed;
    await waitFor(() => log.length === 3);
    // v1 succeeded, so it was committed and is not redelivered to the new owner.
    expect(log).toEqual(['one:v1:start', 'one:end', 'two:v2']);
    await bus.close();
  });

  it('redelivers after a growing backoff and logs the failure', async () => {
    const warnings: Record<string, unknown>[] = [];
    const bus = new InMemoryEvidenceBus({
      retryInitialMs: 30,
      retryMaxMs: 60,
      logger: { warn: (object) => warnings.push(object) },
    });
    const attempts: number[] = [];
    await bus.subscribe({ groupId: 'g', topics: ['t'] }, async () => {
      attempts.push(Date.now());
      if (attempts.length <= 3) throw new Error('boom');
    });
    await bus.publish('t', [{ key: 'k', value: 'v' }]);
    await waitFor(() => attempts.length === 4);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(25);
    expect(gaps[1]).toBeGreaterThanOrEqual(55);
    expect(gaps[2]).toBeGreaterThanOrEqual(55);
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatchObject({ groupId: 'g', topic: 't', offset: '0', attempt: 1 });
    expect(bus.committedOffsets('g', 't')[keyPartition('k', 4)]).toBe('1');
    await bus.close();
  });

  it('keeps delivering when the logger throws', async () => {
    const bus = new InMemoryEvidenceBus({
      retryInitialMs: 1,
      logger: {
        warn: () => {
          throw new Error('broken logger');
        },
      },
    });
    let calls = 0;
    await bus.subscribe({ groupId: 'g', topics: ['t'] }, async () => {
      calls += 1;
      if (calls === 1) throw new Error('boom');
    });
    await bus.publish('t', [{ key: 'k', value: 'v' }]);
    await waitFor(() => calls === 2);
    await bus.close();
  });

  it('bounds memory by count per partition; lagging groups skip ahead', async () => {
    const bus = new InMemoryEvidenceBus({ defaultPartitions: 1, maxRecordsPerPartition: 3 });
    const published = await bus.publish(
      't',
      Array.from({ length: 5 }, (_, i) => ({ key: 'k', value: `v${i}` })),
    );
    expect(published.map((r) => r.offset)).toEqual(['0', '1', '2', '3', '4']);
    const seen: ConsumedMessage[] = [];
    await bus.subscribe({ groupId: 'g', topics: ['t'] }, async (batch) => {
      seen.push(...batch);
    });
    await waitFor(() => seen.length === 3);
    expect(seen.map((m) => [m.offset, m.value])).toEqual([
      ['2', 'v2'],
      ['3', 'v3'],
      ['4', 'v4'],
    ]);
    // Many more records than retained: still correct offsets.
    await bus.publish(
      't',
      Array.from({ length: 3_000 }, (_, i) => ({ key: 'k', value: `w${i}` })),
    );
    await waitFor(() => seen.length >= 6);
    expect(seen.at(-1)!.offset).toBe('3004');
    expect(bus.endOffsets('t')).toEqual(['3005']);
    await bus.close();
  });

  it('subscribes before a topic exists and sees its first records, even with fromBeginning false', async () => {
    const bus = new InMemoryEvidenceBus();
    const seen: string[] = [];
    await bus.subscribe({ groupId: 'g', topics: ['later'], fromBeginning: false }, async (b) => {
      seen.push(...values(b));
    });
    await bus.publish('later', [{ key: 'k', value: 'first' }]);
    await waitFor(() => seen.length === 1);
    expect(seen).toEqual(['first']);
    await bus.close();
  });

  it('lets a handler close its own subscription without deadlock', async () => {
    const bus = new InMemoryEvidenceBus({ defaultPartitions: 1 });
    const seen: string[] = [];
    let closed: Promise<void> | undefined;
    const subscription = await bus.subscribe(
      { groupId: 'g', topics: ['t'], maxBatchSize: 1 },
      async (batch) => {
        seen.push(...values(batch));
        closed = subscription.close();
        await closed;
      },
    );
    await bus.publish('t', [
      { key: 'k', value: 'a' },
      { key: 'k', value: 'b' },
    ]);
    await waitFor(() => closed !== undefined);
    await closed;
    await sleep(20);
    expect(seen).toEqual(['a']);
    expect(bus.committedOffsets('g', 't')).toEqual(['1']);
    await bus.close();
  });

  it('does not let handlers mutate the log', async () => {
    const bus = new InMemoryEvidenceBus({ defaultPartitions: 1, retryInitialMs: 1 });
    const headers: Record<string, string>[] = [];
    await bus.subscribe({ groupId: 'g', topics: ['t'] }, async (batch) => {
      headers.push({ ...batch[0]!.headers });
      batch[0]!.headers.h = 'mutated';
      if (headers.length === 1) throw new Error('again');
    });
    const sent = { h: 'original' };
    await bus.publish('t', [{ key: 'k', value: 'v', headers: sent }]);
    sent.h = 'changed by producer';
    await waitFor(() => headers.length === 2);
    expect(headers).toEqual([{ h: 'original' }, { h: 'original' }]);
    await bus.close();
  });

  it('refuses work after close and validates arguments with paths', async () => {
    expect(() => new InMemoryEvidenceBus({ defaultPartitions: 0, retryMaxMs: -1 })).toThrow(
      expect.objectContaining({
        code: 'SF_ERR_PORT_OPTIONS_INVALID',
        details: {
          problems: [
            { path: 'defaultPartitions', message: 'must be an integer ≥ 1' },
            { path: 'retryMaxMs', message: 'must be an integer ≥ 0' },
          ],
        },
      }),
    );
    const bus = new InMemoryEvidenceBus();
    await expect(
      bus.publish('t', [{ key: 1, value: 'v', timestamp: Number.NaN } as never]),
    ).rejects.toMatchObject({
      code: 'SF_ERR_BUS_ARGUMENT_INVALID',
      details: {
        problems: [
          { path: 'messages[0].key', message: 'must be a string' },
          { path: 'messages[0].timestamp', message: 'must be a finite number (epoch ms)' },
        ],
      },
    });
    expect(bus.endOffsets('t')).toEqual([]);
    await expect(bus.subscribe({ groupId: '', topics: [] }, async () => {})).rejects.toMatchObject({
      code: 'SF_ERR_BUS_ARGUMENT_INVALID',
    });
    await bus.close();
    await expect(bus.publish('t', [])).rejects.toMatchObject({ code: 'SF_ERR_BUS_CLOSED' });
    await expect(
      bus.subscribe({ groupId: 'g', topics: ['t'] }, async () => {}),
    ).rejects.toMatchObject({ code: 'SF_ERR_BUS_CLOSED' });
  });

  it('uses the injected clock for default timestamps', async () => {
    const bus = new InMemoryEvidenceBus({ now: () => 1_700_000_000_000 });
    const seen: ConsumedMessage[] = [];
    await bus.subscribe({ groupId: 'g', topics: ['t'] }, async (b) => {
      seen.push(...b);
    });
    await bus.publish('t', [{ key: 'k', value: 'v' }]);
    await waitFor(() => seen.length === 1);
    expect(seen[0]!.timestamp).toBe(1_700_000_000_000);
    await bus.close();
  });
});
