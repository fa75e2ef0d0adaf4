import { describe, expect, it } from 'vitest';
import { BoundedQueue } from './bounded-queue';

describe('BoundedQueue', () => {
  it('admits up to capacity, then makes push wait until room is released', async () => {
    const q = new BoundedQueue<number>(4, 5_000);
    await q.push([1, 2, 3]);
    let admitted = false;
    const p = q.push([4, 5]).then(() => (admitted = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(admitted).toBe(false);
    expect(q.waiting).toBe(2);
    expect(q.take(2)).toEqual([1, 2]);
    // taken but not released: still counted (in flight)
    await new Promise((r) => setTimeout(r, 5));
    expect(admitted).toBe(false);
    q.release(2);
    await p;
    expect(admitted).toBe(true);
    expect(q.take(10)).toEqual([3, 4, 5]);
    expect(q.pending).toBe(3);
  });

  it('keeps FIFO admission: a small push cannot overtake a waiting large one', async () => {
    const q = new BoundedQueue<string>(3, 5_000);
    await q.push(['a', 'b']);
    const order: string[] = [];
    const big = q.push(['c', 'd']).then(() => order.push('big'));
    const small = q.push(['e']).then(() => order.push('small'));
    q.take(2);
    q.release(2);
    await Promise.all([big, small]);
    expect(order).toEqual(['big', 'small']);
    expect(q.take(10)).toEqual(['c', 'd', 'e']);
  });

  it('fails a push with SF_ERR_SDK_QUEUE_FULL after the wait timeout', async () => {
    const q = new BoundedQueue<number>(1, 20);
    await q.push([1]);
    await expect(q.push([2])).rejects.toMatchObject({
      code: 'SF_ERR_SDK_QUEUE_FULL',
      retriable: true,
    });
    expect(q.pending).toBe(1);
  });

  it('admits a single push larger than the capacity when the queue is empty', async () => {
    const q = new BoundedQueue<number>(2, 20);
    await q.push([1, 2, 3]);
    expect(q.take(5)).toEqual([1, 2, 3]);
  });

  it('notifies the consumer when items arrive', async () => {
    const q = new BoundedQueue<number>(10, 20);
    let calls = 0;
    q.onItems(() => calls++);
    await q.push([1]);
    await q.push([2, 3]);
    expect(calls).toBe(2);
  });
});
