export { InMemoryEvidenceBus, type InMemoryEvidenceBusOptions } from './in-memory-evidence-bus';
export { InMemoryStateStore, type InMemoryStateStoreOptions } from './in-memory-state-store';
export { InMemoryGraphStore } from './in-memory-graph-store';
export { keyPartition, murmur2 } from './murmur2';
export { compareUtf8 } from './utf8-compare';
export type { PortLogger } from './port-logger';
