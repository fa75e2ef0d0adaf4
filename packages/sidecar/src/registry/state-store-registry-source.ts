import { SignalFactoryError, isSignalFactoryError, type StateStore } from '@signal-factory/core';

import { SIDECAR_ERROR_CODES } from '../errors';
import { buildSnapshot, type BuildSnapshotOptions } from './build-snapshot';
import type { RegistrySnapshot, RegistrySource } from './types';

/** Table names and key layout of the registry in a `StateStore` (DynamoDB in production). */
export interface StateStoreRegistryOptions extends BuildSnapshotOptions {
  /** Default `DatasetRegistry`: pk = dataset URN; sk `meta` (the Dataset fields) and `contract#<version>` (`{contract}`). */
  datasetTable?: string;
  /** Default `DatasetResolutionMap`: pk `resolution`; sk `exact#<topic>` (`{urn, producerService?}`), `pattern#<n>` (`{pattern, urn}`), `identity#<topic>` (`{service}`), `tiers` (`{tiers}`). */
  resolutionTable?: string;
  /** Partition key of the resolution items. Default `resolution`. */
  resolutionPk?: string;
}

/**
 * Loads the registry from the core `StateStore` port. The port has no scan, so the resolution map
 * is one catalog partition (`pk = resolution`) read with a single query; dataset URNs are those it
 * names, each read from the dataset table (`meta` + active contracts).
 */
export class StateStoreRegistrySource implements RegistrySource {
  readonly #store: StateStore;
  readonly #datasetTable: string;
  readonly #resolutionTable: string;
  readonly #pk: string;
  readonly #options: BuildSnapshotOptions;

  constructor(store: StateStore, options: StateStoreRegistryOptions = {}) {
    this.#store = store;
    this.#datasetTable = options.datasetTable ?? 'DatasetRegistry';
    this.#resolutionTable = options.resolutionTable ?? 'DatasetResolutionMap';
    this.#pk = options.resolutionPk ?? 'resolution';
    this.#options = options;
  }

  get description(): string {
    return `state-store:${this.#datasetTable},${this.#resolutionTable}`;
  }

  async load(): Promise<RegistrySnapshot> {
    try {
      const items = await this.#store.query(this.#resolutionTable, this.#pk);
      const exact: Record<string, string> = {};
      const identity: Record<string, string> = {};
      const patterns: Array<{ pattern: string; urn: string }> = [];
      const documents: Array<{ origin: string; document: unknown }> = [];
      const urns = new Set<string>();
      for (const item of items) {
        const d = item.data;
        if (item.sk.startsWith('exact#') && typeof d.urn === 'string') {
          const topic = item.sk.slice('exact#'.length);
          exact[topic] = d.urn;
          urns.add(d.urn);
          if (typeof d.producerService === 'string') identity[topic] = d.producerService;
        } else if (
          item.sk.startsWith('pattern#') &&
          typeof d.pattern === 'string' &&
          typeof d.urn === 'string'
        ) {
          patterns.push({ pattern: d.pattern, urn: d.urn });
          if (!d.urn.includes('$')) urns.add(d.urn);
        } else if (item.sk.startsWith('identity#') && typeof d.service === 'string') {
          identity[item.sk.slice('identity#'.length)] = d.service;
        } else if (item.sk === 'tiers') {
          documents.push({
            origin: `${this.#resolutionTable}/tiers`,
            document: { kind: 'Tiers', tiers: d.tiers },
          });
        }
      }
      documents.push({
        origin: this.#resolutionTable,
        document: { kind: 'Resolution', exact, patterns },
      });
      documents.push({
        origin: `${this.#resolutionTable}/identity`,
        document: { kind: 'IdentityFallback', topics: identity },
      });
      const perDataset = await Promise.all(
        [...urns].map((urn) => this.#store.query(this.#datasetTable, urn)),
      );
      for (const datasetItems of perDataset) {
        for (const item of datasetItems) {
          const origin = `${this.#datasetTable}/${item.pk}/${item.sk}`;
          if (item.sk === 'meta' || item.sk === 'dataset') {
            documents.push({ origin, document: { ...item.data, kind: 'Dataset', urn: item.pk } });
          } else if (item.sk.startsWith('contract#')) {
            documents.push({ origin, document: item.data.contract });
          }
        }
      }
      return buildSnapshot(documents, this.#options);
    } catch (cause) {
      if (isSignalFactoryError(cause) && cause.code === SIDECAR_ERROR_CODES.REGISTRY_INVALID)
        throw cause;
      throw new SignalFactoryError(
        SIDECAR_ERROR_CODES.REGISTRY_UNAVAILABLE,
        'The registry state store is unavailable',
        {
          cause,
          retriable: true,
        },
      );
    }
  }
}
