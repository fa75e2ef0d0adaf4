import type {
  KafkaProducerLike,
  SfProducerBatch,
  SfProducerRecord,
  SfRecordMetadata,
} from '@signal-factory/producer-sdk';

/**
 * The application's own Kafka producer, as `instrument()` wraps it. In the platform every record
 * leaves through the sidecar transport, so this one is never asked to send; if it were (a
 * fail-open path), the record is counted and dropped.
 */
export class NullKafkaProducer implements KafkaProducerLike {
  directSends = 0;

  async connect(): Promise<void> {}

  async disconnect(): Promise<void> {}

  async send(record: SfProducerRecord): Promise<SfRecordMetadata[]> {
    this.directSends += record.messages.length;
    return [];
  }

  async sendBatch(batch: SfProducerBatch): Promise<SfRecordMetadata[]> {
    for (const tm of batch.topicMessages ?? []) this.directSends += tm.messages.length;
    return [];
  }
}
