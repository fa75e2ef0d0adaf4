import {
  describeEvidenceBusContract,
  describeGraphStoreContract,
  describeStateStoreContract,
} from '../testing';
import { InMemoryEvidenceBus } from './in-memory-evidence-bus';
import { InMemoryGraphStore } from './in-memory-graph-store';
import { InMemoryStateStore } from './in-memory-state-store';

describeEvidenceBusContract('InMemoryEvidenceBus', async () => ({
  bus: new InMemoryEvidenceBus({ retryInitialMs: 10 }),
  partitions: 8,
  deliveryTimeoutMs: 5_000,
}));

describeEvidenceBusContract('InMemoryEvidenceBus (one partition per topic)', async () => ({
  bus: new InMemoryEvidenceBus({ defaultPartitions: 1, retryInitialMs: 10 }),
  partitions: 1,
  deliveryTimeoutMs: 5_000,
}));

describeStateStoreContract('InMemoryStateStore', async () => ({ store: new InMemoryStateStore() }));

describeGraphStoreContract('InMemoryGraphStore', async () => ({ store: new InMemoryGraphStore() }));
