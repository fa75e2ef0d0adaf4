// The ports: small interfaces every backend implements (in-memory here, Kafka, DynamoDB and
// Gremlin in their own packages), plus the error codes those implementations share.
export type {
  BatchHandler,
  BusMessage,
  ConsumedMessage,
  EvidenceBus,
  PublishedRecord,
  SubscribeOptions,
  Subscription,
  TopicOptions,
} from './evidence-bus';
export type {
  JsonPrimitive as StateJsonPrimitive,
  JsonValue as StateJsonValue,
  PutOptions,
  QueryOptions,
  StateItem,
  StateKey,
  StateStore,
} from './state-store';
export {
  edgeId,
  type Direction,
  type Edge,
  type EdgeQuery,
  type GraphScalar,
  type GraphStore,
  type TraversalHit,
  type TraversalOptions,
  type Vertex,
} from './graph-store';
export { PORT_ERROR_CODES, type PortErrorCode } from './port-error-codes';
