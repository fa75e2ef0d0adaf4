import type { GraphStore } from '@signal-factory/core';
import { DatasetIoIndex, type DatasetIoIndexOptions } from './index/dataset-io-index';
import { LineageIngestor, type LineageIngestorOptions } from './ingest/lineage-ingestor';
import { LineageQueries, type LineageQueriesOptions } from './query/lineage-queries';

export interface LineageGraphOptions extends Omit<LineageIngestorOptions, 'index'> {
  store: GraphStore;
  /** Options of the shared writers/readers index. */
  indexOptions?: DatasetIoIndexOptions;
  /** Query tuning (store and index are shared). */
  queryOptions?: Omit<LineageQueriesOptions, 'store' | 'index'>;
}

export interface LineageGraph {
  ingestor: LineageIngestor;
  queries: LineageQueries;
  index: DatasetIoIndex;
  store: GraphStore;
}

/** Wires an ingestor and queries over one store, sharing one writers/readers index. */
export function createLineageGraph(options: LineageGraphOptions): LineageGraph {
  const { indexOptions, queryOptions, ...ingestorOptions } = options;
  const index = new DatasetIoIndex(options.store, indexOptions);
  const ingestor = new LineageIngestor({ ...ingestorOptions, index });
  const queries = new LineageQueries({ ...queryOptions, store: options.store, index });
  return { ingestor, queries, index, store: options.store };
}
