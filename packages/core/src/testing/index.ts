// Public surface of @signal-factory/core/testing: contract suites every port implementation must
// pass, and small fakes for tests. Imports `vitest` (an optional peer dependency).
export {
  describeEvidenceBusContract,
  type EvidenceBusContractContext,
  type EvidenceBusContractFactory,
} from './evidence-bus-contract';
export {
  describeStateStoreContract,
  type StateStoreContractContext,
  type StateStoreContractFactory,
} from './state-store-contract';
export {
  describeGraphStoreContract,
  type GraphStoreContractContext,
  type GraphStoreContractFactory,
} from './graph-store-contract';
export { createTestClock, type TestClock } from './test-clock';
export { sleep, waitFor, type WaitForOptions } from './wait-for';
export { randomRunId } from './unique-name';
// The in-memory twins, also exported from the package root (they are the embedded defaults).
export { InMemoryEvidenceBus, InMemoryGraphStore, InMemoryStateStore } from '../memory/index';
