import schema from '../../schemas/lineage-spec.v1.schema.json';
import { LINEAGE_ERROR_CODES, type Problem } from '../errors';
import type { Confidence } from '../model/labels';
import { ajvProblems, compileSchema } from './ajv';
import { isDatasetUrn } from '@signal-factory/core';

/** A dataset a LineageSpec producer reads or writes. */
export interface LineageSpecDatasetRef {
  /** Dataset URN. */
  dataset: string;
  /** Column paths (`a.b` for nested fields). */
  columns?: string[];
  /** Tier of the dataset, 1 (most critical) to 3. */
  tier?: 1 | 2 | 3;
}

/** Design-time lineage of one producer (JSON Schema: `schemas/lineage-spec.v1.schema.json`). */
export interface LineageSpec {
  kind: 'LineageSpec';
  version?: 1;
  /** The job (and/or service) that reads and writes. */
  producer: { job?: { namespace?: string; name: string }; service?: string };
  /** Team or person that owns the producer. */
  owner?: string;
  /** Consumer tier of the producer, 1 (most critical) to 3. */
  tier?: 1 | 2 | 3;
  inputs?: LineageSpecDatasetRef[];
  outputs?: LineageSpecDatasetRef[];
  /** Copied onto every edge the spec creates. */
  confidence: Confidence;
  source?: { tool?: string; repository?: string; path?: string; commit?: string };
}

/** The LineageSpec v1 JSON Schema (draft 2020-12). */
export const LINEAGE_SPEC_V1_SCHEMA: Readonly<Record<string, unknown>> = schema;

const validate = compileSchema(schema);

export type SpecCheck<T> =
  { ok: true; value: T } | { ok: false; code: string; problems: Problem[] };

/** Validates a LineageSpec; never throws. */
export function checkLineageSpec(input: unknown): SpecCheck<LineageSpec> {
  if (!validate(input)) {
    return {
      ok: false,
      code: LINEAGE_ERROR_CODES.SPEC_INVALID,
      problems: ajvProblems(validate.errors),
    };
  }
  const spec = input as LineageSpec;
  const problems: Problem[] = [];
  for (const side of ['inputs', 'outputs'] as const) {
    (spec[side] ?? []).forEach((ref, i) => {
      if (!isDatasetUrn(ref.dataset))
        problems.push({ path: `/${side}/${i}/dataset`, message: 'not a dataset URN' });
    });
  }
  if (problems.length > 0) return { ok: false, code: LINEAGE_ERROR_CODES.SPEC_INVALID, problems };
  return { ok: true, value: spec };
}
