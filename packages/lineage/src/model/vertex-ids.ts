import { isDatasetUrn } from '@signal-factory/core';
import { lineageError, LINEAGE_ERROR_CODES } from '../errors';

// Free-form parts are percent-encoded for the characters that structure ids: `%` (the escape),
// `|` (edge ids are `<from>|<label>|<to>`), `:` (part separator) and `#` (column separator).
const RESERVED = /[%|:#]/g;

function part(value: string, what: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw lineageError(LINEAGE_ERROR_CODES.RECORD_INVALID, `${what} must be a non-empty string`);
  }
  return value.replace(RESERVED, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function urn(value: string): string {
  if (!isDatasetUrn(value)) {
    throw lineageError(
      LINEAGE_ERROR_CODES.RECORD_INVALID,
      `Not a dataset URN: ${JSON.stringify(String(value).slice(0, 120))}`,
    );
  }
  return value;
}

/**
 * Deterministic vertex ids. The same input always gives the same id, so every write is an upsert
 * and ingestion is idempotent. Ids never contain `|`, so the default edge id `<from>|<label>|<to>`
 * is unambiguous. Each helper throws `SF_ERR_LINEAGE_RECORD_INVALID` on an empty part or a bad URN.
 */
export const vertexIds = {
  /** A dataset's id is its URN: `urn:dp:orders:created`. */
  dataset: (datasetUrn: string): string => urn(datasetUrn),
  /** `urn:dp:orders:created#customer.id` — nested fields use `.` paths. */
  column: (datasetUrn: string, path: string): string =>
    `${urn(datasetUrn)}#${part(path, 'column path')}`,
  /** `service:orders-svc`. */
  service: (name: string): string => `service:${part(name, 'service name')}`,
  /** `deployment:orders-svc:3.17`, or `deployment:orders-svc:3.17:prod` with an environment. */
  deployment: (service: string, version: string, environment?: string): string =>
    `deployment:${part(service, 'service name')}:${part(version, 'version')}` +
    (environment === undefined || environment === '' ? '' : `:${part(environment, 'environment')}`),
  /** `job:<namespace>:<name>` (OpenLineage job identity). */
  job: (namespace: string, name: string): string =>
    `job:${part(namespace, 'job namespace')}:${part(name, 'job name')}`,
  /** `failure-signature:sha256:<hex>` (hash as produced by core's `failureSignatureId`). */
  failureSignature: (hash: string): string =>
    `failure-signature:${part(hash, 'failure signature hash').replace(/%3A/g, ':')}`,
  /** `signal:<id>`. */
  signal: (id: string): string => `signal:${part(id, 'signal id')}`,
  /** `incident:<id>`. */
  incident: (id: string): string => `incident:${part(id, 'incident id')}`,
  /** `owner:<name>` (a team or person). */
  owner: (name: string): string => `owner:${part(name, 'owner name')}`,
} as const;

export type VertexIds = typeof vertexIds;
