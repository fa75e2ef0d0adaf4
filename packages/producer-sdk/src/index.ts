export { instrument, createProducer } from './instrument';
export type { InstrumentedProducer, ProducerSdkControl, CreateProducerOptions } from './instrument';
export type { ProducerSdkOptions, ContractBinding, SidecarOptions } from './options';
export type { ProducerTransport, TransportRecord, TransportSendOptions } from './transport';
export type {
  KafkaProducerLike,
  SfHeaders,
  SfHeaderValue,
  SfMessage,
  SfProducerRecord,
  SfProducerBatch,
  SfTopicMessages,
  SfRecordMetadata,
  RecordViolation,
  ProducerSdkMetrics,
  ContractStatus,
} from './types';
export type { Logger } from './logger';
export {
  SDK_ERROR_CODES,
  InvalidOptionsError,
  RecordsRejectedError,
  SidecarRecordError,
} from './errors';
export type { SdkErrorCode, OptionProblem, RejectedRecord, SidecarRecordFailure } from './errors';
export type { BreakerState } from './circuit-breaker';
