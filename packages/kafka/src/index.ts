// Public surface of @signal-factory/kafka. Explicit re-exports only (no `export *`).
export { KafkaEvidenceBus } from './kafka-evidence-bus';
export { KAFKA_ERROR_CODES, mapKafkaError, type BusOperation, type KafkaErrorCode } from './errors';
export type { Logger } from './logger';
export {
  resolveKafkaOptions,
  type KafkaConsumerOptions,
  type KafkaEvidenceBusOptions,
  type KafkaLogLevel,
  type KafkaProducerOptions,
  type KafkaRetryOptions,
  type KafkaSaslOptions,
  type KafkaTlsOptions,
  type OptionProblem,
  type ResolvedKafkaOptions,
} from './options';
export {
  PlatformaticProducer,
  PlatformaticProduceError,
  type CompatHeaderValue,
  type CompatMessage,
  type CompatRecordMetadata,
  type CompatTopicMessages,
  type PlatformaticProducerOptions,
  type ProduceOutcome,
  type RecordPlacement,
} from './platformatic-producer';
