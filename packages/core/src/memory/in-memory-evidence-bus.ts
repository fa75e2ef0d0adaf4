import { AsyncLocalStorage } from 'node:async_hooks';
import { SignalFactoryError } from '../errors/signal-factory-error';
import type {
  BatchHandler,
  BusMessage,
  ConsumedMessage,
  EvidenceBus,
  PublishedRecord,
  SubscribeOptions,
  Subscription,
  TopicOptions,
} from '../ports/evidence-bus';
import { PORT_ERROR_CODES } from '../ports/port-error-codes';
import { keyPartition } from './murmur2';
import {
  checkFunction,
  checkInteger,
  optionsObject,
  throwOnProblems,
  type OptionProblem,
} from './options-problems';
import { log, type PortLogger } from './port-logger';

export interface InMemoryEvidenceBusOptions {
  /** Partition count of topics created without one (by `ensureTopic` or by a first publish). Default 4. */
  defaultPartitions?: number;
  /**
   * Retention by count: most records kept per partition; older ones are dropped and a group
   * behind them skips ahead to the oldest kept record. Default: unbounded.
   */
  maxRecordsPerPartition?: number;
  /** Most records per handler call when the subscriber does not set `maxBatchSize`. Default 100. */
  maxBatchSize?: number;
  /** Delay before redelivering a batch whose handler threw, in milliseconds; doubles per failure. Default 100. */
  retryInitialMs?: number;
  /** Upper bound of the redelivery delay in milliseconds. Default 5,000. */
  retryMaxMs?: number;
  /** Clock for default record timestamps, epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Pino-compatible logger (handler failures at `warn`). Default: silent. */
  logger?: PortLogger;
}

interface StoredRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
  timestamp: number;
}

/** One partition's log; offsets are positions since the partition was created. */
class PartitionLog {
  #records: StoredRecord[] = [];
  #head = 0;
  /** Offset of the oldest retained record. */
  startOffset = 0;
  /** Offset the next appended record gets. */
  nextOffset = 0;

  append(record: StoredRecord, maxRecords: number | undefined): number {
    this.#records.push(record);
    const offset = this.nextOffset++;
    if (maxRecords !== undefined && this.nextOffset - this.startOffset > maxRecords) {
      const drop = this.nextOffset - this.startOffset - maxRecords;
      this.#head += drop;
      this.startOffset += drop;
      if (this.#head > 1024 && this.#head * 2 > this.#records.length) {
        this.#records = this.#records.slice(this.#head);
        this.#head = 0;
      }
    }
    return offset;
  }

  read(topic: string, partition: number, from: number, max: number): ConsumedMessage[] {
    const out: ConsumedMessage[] = [];
    const end = Math.min(this.nextOffset, from + max);
    for (let offset = from; offset < end; offset++) {
      const r = this.#records[this.#head + offset - this.startOffset]!;
      out.push({
        topic,
        partition,
        offset: String(offset),
        key: r.key,
        value: r.value,
        headers: { ...r.headers },
        timestamp: r.timestamp,
      });
    }
    return out;
  }
}

interface Member {
  seq: number;
  group: Group;
  topics: Set<string>;
  handler: BatchHandler;
  fromBeginning: boolean;
  maxBatchSize: number;
  closed: boolean;
  closing?: Promise<void>;
  inFlight: Set<Promise<void>>;
}

interface Cursor {
  group: Group;
  topic: string;
  partition: number;
  /** Next offset to hand out; committed once the batch before it succeeded. */
  committed?: number;
  busy: boolean;
  scheduled: boolean;
  retryTimer?: ReturnType<typeof setTimeout>;
  failures: number;
}

interface Group {
  id: string;
  members: Member[];
  cursors: Map<string, Cursor>;
}

const DEFAULTS = {
  defaultPartitions: 4,
  maxBatchSize: 100,
  retryInitialMs: 100,
  retryMaxMs: 5_000,
};

const insideHandler = new AsyncLocalStorage<Member>();

function argumentError(message: string, problems: OptionProblem[]): SignalFactoryError {
  return new SignalFactoryError(
    PORT_ERROR_CODES.BUS_ARGUMENT_INVALID,
    `${message}: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
    { details: { problems } },
  );
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}

/**
 * The embedded evidence bus: an in-process partitioned log per topic with Kafka's consumer-group
 * model. Records are partitioned by Kafka's default partitioner (murmur2 of the key), so a key
 * lands on the same partition number as on Kafka. A group's partitions are spread round-robin
 * over its live members and re-spread when members join or leave; offsets are committed per
 * group and partition only after the handler resolved (at-least-once: a handler that throws gets
 * the same batch again after a backoff). Delivery is always asynchronous, one batch at a time per
 * group and partition, so order per partition holds.
 */
export class InMemoryEvidenceBus implements EvidenceBus {
  readonly #options: typeof DEFAULTS & InMemoryEvidenceBusOptions;
  readonly #topics = new Map<string, PartitionLog[]>();
  readonly #groups = new Map<string, Group>();
  #memberSeq = 0;
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(options?: InMemoryEvidenceBusOptions) {
    const problems: OptionProblem[] = [];
    const raw = optionsObject(problems, options);
    checkInteger(problems, 'defaultPartitions', raw.defaultPartitions, 1);
    checkInteger(problems, 'maxRecordsPerPartition', raw.maxRecordsPerPartition, 1);
    checkInteger(problems, 'maxBatchSize', raw.maxBatchSize, 1);
    checkInteger(problems, 'retryInitialMs', raw.retryInitialMs, 0);
    checkInteger(problems, 'retryMaxMs', raw.retryMaxMs, 0);
    checkFunction(problems, 'now', raw.now);
    if (raw.logger !== undefined && (typeof raw.logger !== 'object' || raw.logger === null)) {
      problems.push({ path: 'logger', message: 'must be an object' });
    }
    throwOnProblems('InMemoryEvidenceBus', problems);
    const given = Object.fromEntries(
      Object.entries(raw).filter(([, v]) => v !== undefined),
    ) as InMemoryEvidenceBusOptions;
    this.#options = { ...DEFAULTS, ...given };
  }

  async ensureTopic(topic: string, options: TopicOptions = {}): Promise<void> {
    this.#assertOpen();
    const problems: OptionProblem[] = [];
    if (typeof topic !== 'string' || topic === '') {
      problems.push({ path: 'topic', message: 'must be a non-empty string' });
    }
    checkInteger(problems, 'options.partitions', options?.partitions, 1);
    if (problems.length > 0) throw argumentError('Invalid ensureTopic call', problems);
    this.#topic(topic, options.partitions);
  }

  async publish(topic: string, messages: BusMessage[]): Promise<PublishedRecord[]> {
    this.#assertOpen();
    const problems: OptionProblem[] = [];
    if (typeof topic !== 'string' || topic === '') {
      problems.push({ path: 'topic', message: 'must be a non-empty string' });
    }
    if (!Array.isArray(messages)) {
      problems.push({ path: 'messages', message: 'must be an array' });
    } else {
      messages.forEach((m, i) => {
        if (typeof m !== 'object' || m === null) {
          problems.push({ path: `messages[${i}]`, message: 'must be an object' });
          return;
        }
        if (typeof m.key !== 'string')
          problems.push({ path: `messages[${i}].key`, message: 'must be a string' });
        if (typeof m.value !== 'string')
          problems.push({ path: `messages[${i}].value`, message: 'must be a string' });
        if (m.headers !== undefined && !isStringRecord(m.headers)) {
          problems.push({ path: `messages[${i}].headers`, message: 'must map names to strings' });
        }
        if (
          m.timestamp !== undefined &&
          (typeof m.timestamp !== 'number' || !Number.isFinite(m.timestamp))
        ) {
          problems.push({
            path: `messages[${i}].timestamp`,
            message: 'must be a finite number (epoch ms)',
          });
        }
      });
    }
    if (problems.length > 0) throw argumentError('Invalid publish call', problems);
    if (messages.length === 0) return [];
    const partitions = this.#topic(topic);
    const now = this.#options.now?.() ?? Date.now();
    const published: PublishedRecord[] = [];
    const touched = new Set<number>();
    for (const m of messages) {
      const partition = keyPartition(m.key, partitions.length);
      const offset = partitions[partition]!.append(
        { key: m.key, value: m.value, headers: { ...m.headers }, timestamp: m.timestamp ?? now },
        this.#options.maxRecordsPerPartition,
      );
      touched.add(partition);
      published.push({ topic, partition, offset: String(offset) });
    }
    for (const group of this.#groups.values()) {
      if (!group.members.some((m) => m.topics.has(topic))) continue;
      for (const partition of touched) this.#schedule(this.#cursor(group, topic, partition));
    }
    return published;
  }

  async subscribe(options: SubscribeOptions, handler: BatchHandler): Promise<Subscription> {
    this.#assertOpen();
    const problems: OptionProblem[] = [];
    if (typeof options !== 'object' || options === null) {
      problems.push({ path: 'options', message: 'must be an object' });
    } else {
      if (typeof options.groupId !== 'string' || options.groupId === '') {
        problems.push({ path: 'options.groupId', message: 'must be a non-empty string' });
      }
      if (
        !Array.isArray(options.topics) ||
        options.topics.length === 0 ||
        !options.topics.every((t) => typeof t === 'string' && t !== '')
      ) {
        problems.push({
          path: 'options.topics',
          message: 'must be a non-empty array of topic names',
        });
      }
      if (options.fromBeginning !== undefined && typeof options.fromBeginning !== 'boolean') {
        problems.push({ path: 'options.fromBeginning', message: 'must be a boolean' });
      }
      checkInteger(problems, 'options.maxBatchSize', options.maxBatchSize, 1);
    }
    if (typeof handler !== 'function')
      problems.push({ path: 'handler', message: 'must be a function' });
    if (problems.length > 0) throw argumentError('Invalid subscribe call', problems);

    let group = this.#groups.get(options.groupId);
    if (group === undefined) {
      group = { id: options.groupId, members: [], cursors: new Map() };
      this.#groups.set(options.groupId, group);
    }
    const member: Member = {
      seq: ++this.#memberSeq,
      group,
      topics: new Set(options.topics),
      handler,
      fromBeginning: options.fromBeginning ?? true,
      maxBatchSize: options.maxBatchSize ?? this.#options.maxBatchSize,
      closed: false,
      inFlight: new Set(),
    };
    if (!member.fromBeginning) {
      // "Latest" is fixed when the member joins, so records published right after subscribe
      // resolves are delivered.
      for (const topic of member.topics) {
        const logs = this.#topics.get(topic);
        logs?.forEach((partitionLog, partition) => {
          const cursor = this.#cursor(group, topic, partition);
          if (cursor.committed === undefined && !cursor.busy)
            cursor.committed = partitionLog.nextOffset;
        });
      }
    }
    group.members.push(member);
    this.#rebalance(group);
    return { close: () => this.#closeMember(member) };
  }

  async flush(): Promise<void> {
    // Publishing is synchronous: nothing is ever in flight.
  }

  close(): Promise<void> {
    this.#closing ??= this.#closeAll();
    return this.#closing;
  }

  /**
   * The committed offset (next offset to consume) of a group per partition of a topic, as decimal
   * strings; `undefined` where the group has not started on a partition. For tests and tools.
   */
  committedOffsets(groupId: string, topic: string): (string | undefined)[] {
    const logs = this.#topics.get(topic) ?? [];
    const group = this.#groups.get(groupId);
    return logs.map((_, partition) => {
      const committed = group?.cursors.get(`${partition}\u0000${topic}`)?.committed;
      return committed === undefined ? undefined : String(committed);
    });
  }

  /** The next offset of every partition of a topic (empty when the topic does not exist). */
  endOffsets(topic: string): string[] {
    return (this.#topics.get(topic) ?? []).map((p) => String(p.nextOffset));
  }

  async #closeAll(): Promise<void> {
    const members = [...this.#groups.values()].flatMap((g) => g.members);
    await Promise.all(members.map((m) => this.#closeMember(m)));
    this.#closed = true;
    for (const group of this.#groups.values()) {
      for (const cursor of group.cursors.values()) {
        if (cursor.retryTimer !== undefined) clearTimeout(cursor.retryTimer);
        cursor.retryTimer = undefined;
      }
    }
  }

  #closeMember(member: Member): Promise<void> {
    if (member.closing !== undefined) return member.closing;
    member.closed = true;
    const group = member.group;
    group.members = group.members.filter((m) => m !== member);
    this.#rebalance(group);
    // Close from inside the member's own handler must not wait for that handler.
    const pending = [...member.inFlight];
    member.closing =
      insideHandler.getStore() === member
        ? Promise.resolve()
        : Promise.allSettled(pending).then(() => undefined);
    return member.closing;
  }

  #assertOpen(): void {
    if (this.#closed || this.#closing !== undefined) {
      throw new SignalFactoryError(PORT_ERROR_CODES.BUS_CLOSED, 'The evidence bus is closed');
    }
  }

  #topic(topic: string, partitions?: number): PartitionLog[] {
    let logs = this.#topics.get(topic);
    if (logs === undefined) {
      const count = partitions ?? this.#options.defaultPartitions;
      logs = Array.from({ length: count }, () => new PartitionLog());
      this.#topics.set(topic, logs);
      for (const group of this.#groups.values()) {
        if (group.members.some((m) => m.topics.has(topic))) {
          // Members that subscribed before the topic existed start at its beginning.
          for (let p = 0; p < count; p++) this.#cursor(group, topic, p).committed ??= 0;
        }
      }
    }
    return logs;
  }

  #cursor(group: Group, topic: string, partition: number): Cursor {
    const id = `${partition}\u0000${topic}`;
    let cursor = group.cursors.get(id);
    if (cursor === undefined) {
      cursor = { group, topic, partition, busy: false, scheduled: false, failures: 0 };
      group.cursors.set(id, cursor);
    }
    return cursor;
  }

  /** Partition p of a topic belongs to the (p mod n)-th live member subscribed to it, by join order. */
  #owner(group: Group, topic: string, partition: number): Member | undefined {
    const eligible = group.members.filter((m) => !m.closed && m.topics.has(topic));
    return eligible.length === 0 ? undefined : eligible[partition % eligible.length];
  }

  #rebalance(group: Group): void {
    const topics = new Set(group.members.flatMap((m) => [...m.topics]));
    for (const topic of topics) {
      const logs = this.#topics.get(topic);
      if (logs === undefined) continue;
      for (let p = 0; p < logs.length; p++) this.#schedule(this.#cursor(group, topic, p));
    }
  }

  #schedule(cursor: Cursor): void {
    if (cursor.scheduled || cursor.busy || cursor.retryTimer !== undefined || this.#closed) return;
    cursor.scheduled = true;
    setImmediate(() => this.#deliver(cursor));
  }

  #deliver(cursor: Cursor): void {
    cursor.scheduled = false;
    if (this.#closed || cursor.busy || cursor.retryTimer !== undefined) return;
    const member = this.#owner(cursor.group, cursor.topic, cursor.partition);
    const partitionLog = this.#topics.get(cursor.topic)?.[cursor.partition];
    if (member === undefined || partitionLog === undefined) return;
    let position =
      cursor.committed ??
      (member.fromBeginning ? partitionLog.startOffset : partitionLog.nextOffset);
    if (position < partitionLog.startOffset) position = partitionLog.startOffset;
    cursor.committed = position;
    if (position >= partitionLog.nextOffset) return;
    const batch = partitionLog.read(cursor.topic, cursor.partition, position, member.maxBatchSize);
    cursor.busy = true;
    const run = this.#run(cursor, member, batch, position);
    member.inFlight.add(run);
    void run.finally(() => member.inFlight.delete(run));
  }

  async #run(
    cursor: Cursor,
    member: Member,
    batch: ConsumedMessage[],
    position: number,
  ): Promise<void> {
    let error: unknown;
    let ok = false;
    try {
      await insideHandler.run(member, () => member.handler(batch));
      ok = true;
    } catch (caught) {
      error = caught;
    }
    cursor.busy = false;
    if (ok) {
      cursor.committed = position + batch.length;
      cursor.failures = 0;
      this.#schedule(cursor);
      return;
    }
    cursor.failures += 1;
    const delay = Math.min(
      this.#options.retryMaxMs,
      this.#options.retryInitialMs * 2 ** Math.min(cursor.failures - 1, 30),
    );
    log(
      this.#options.logger,
      'warn',
      {
        err: error,
        groupId: cursor.group.id,
        topic: cursor.topic,
        partition: cursor.partition,
        offset: String(position),
        attempt: cursor.failures,
        retryInMs: delay,
      },
      'evidence bus handler failed; the batch will be redelivered',
    );
    if (this.#closed) return;
    const timer = setTimeout(() => {
      cursor.retryTimer = undefined;
      this.#schedule(cursor);
    }, delay);
    timer.unref?.();
    cursor.retryTimer = timer;
  }
}
