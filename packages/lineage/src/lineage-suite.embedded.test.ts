import { InMemoryGraphStore } from '@signal-factory/core';
import { describeLineageSuite } from '../test/shared/lineage-suite';

describeLineageSuite('the embedded graph', async () => new InMemoryGraphStore());
