const encoder = new TextEncoder();

/** Kafka's murmur2 (the Java client's `Utils.murmur2`), as a signed 32-bit integer. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const m = 0x5bd1e995;
  let h = 0x9747b28c ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  /* eslint-disable no-fallthrough */
  switch (length & 3) {
    case 3:
      h ^= data[whole + 2]! << 16;
    case 2:
      h ^= data[whole + 1]! << 8;
    case 1:
      h ^= data[whole]!;
      h = Math.imul(h, m);
  }
  /* eslint-enable no-fallthrough */
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The partition Kafka's default partitioner (and kafkajs's) picks for a key:
 * `toPositive(murmur2(utf8(key))) % partitions`. The same key lands on the same partition
 * number in the in-memory bus and on a Kafka topic with the same partition count.
 */
export function keyPartition(key: string, partitions: number): number {
  return (murmur2(encoder.encode(key)) & 0x7fffffff) % partitions;
}
