export { InMemoryKafkaProducer, InMemoryTransport } from './in-memory-transport';
export type { StoredRecord } from './in-memory-transport';
