// Compile-time proof (checked by `npm run typecheck`) that code written against kafkajs compiles
// unchanged against an instrumented producer: same arguments, same return types.
import type { Kafka, Producer, ProducerBatch, ProducerRecord, RecordMetadata } from 'kafkajs';
import { createProducer, instrument } from '@signal-factory/producer-sdk';

export async function existingCode(
  kafka: Kafka,
  record: ProducerRecord,
  batch: ProducerBatch,
): Promise<void> {
  const plain: Producer = kafka.producer();
  const wrapped = instrument(plain, { service: { name: 'svc' } });
  const created = createProducer(kafka, {
    service: { name: 'svc' },
    producerConfig: { idempotent: true },
  });

  const a: RecordMetadata[] = await wrapped.send(record);
  const b: RecordMetadata[] = await wrapped.sendBatch(batch);
  const c: RecordMetadata[] = await created.send({
    topic: 't',
    messages: [{ key: 'k', value: 'v', headers: { h: 'x' } }],
  });
  // the rest of the producer keeps its kafkajs types
  const idempotent: boolean = created.isIdempotent();
  const removeListener = wrapped.on(wrapped.events.CONNECT, () => undefined);
  const transaction = await wrapped.transaction();
  await transaction.abort();
  removeListener();
  await wrapped.connect();
  await wrapped.disconnect();
  void [a, b, c, idempotent];
}
