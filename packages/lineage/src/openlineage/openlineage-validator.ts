import type { ErrorObject, ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';
import coreSchema from '../../schemas/openlineage/OpenLineage.json';
import { LINEAGE_ERROR_CODES, type Problem } from '../errors';
import { FACET_SCHEMAS } from './facet-schemas';
import type { OpenLineageEvent, OpenLineageEventKind } from './types';

const CORE_ID = 'https://openlineage.io/spec/2-0-2/OpenLineage.json';

/** Where a facet sits in an event; each place has its own facet base type. */
export type FacetContainer = 'run' | 'job' | 'dataset' | 'inputDataset' | 'outputDataset';

const BASE_TO_CONTAINER: Record<string, FacetContainer> = {
  RunFacet: 'run',
  JobFacet: 'job',
  DatasetFacet: 'dataset',
  InputDatasetFacet: 'inputDataset',
  OutputDatasetFacet: 'outputDataset',
};

export type OpenLineageValidation =
  | { ok: true; kind: OpenLineageEventKind; event: OpenLineageEvent }
  | {
      ok: false;
      code:
        | typeof LINEAGE_ERROR_CODES.OPENLINEAGE_INVALID
        | typeof LINEAGE_ERROR_CODES.PAYLOAD_TOO_LARGE;
      problems: Problem[];
    };

export interface OpenLineageValidatorOptions {
  /** Largest accepted facet, in bytes of its JSON. Default 65,536. */
  maxFacetBytes?: number;
  /** Most problems reported per event. Default 20. */
  maxProblems?: number;
}

interface AjvLike {
  addSchema(schema: object): unknown;
  getSchema(ref: string): ValidateFunction | undefined;
  compile(schema: object): ValidateFunction;
}

type AjvConstructor = new (options: Record<string, unknown>) => AjvLike;

// ajv is CJS; their default export is on `.default` under some loaders.
const Ajv = ((Ajv2020 as unknown as { default?: AjvConstructor }).default ??
  Ajv2020) as unknown as AjvConstructor;

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * The one documented relaxation of the facet schemas: `DataQualityMetricsInputDatasetFacet` (a
 * deprecated facet) requires `columnMetrics` since 1-0-0, yet the spec's own fluentd proxy example
 * `event_full.json` sends only `rowCount`/`bytes`/`fileCount`. We accept either `rowCount` or
 * `columnMetrics`, which still rejects the spec's invalid example (`noRowCount`, no `columnMetrics`).
 */
function relax(schema: Record<string, unknown>): Record<string, unknown> {
  const id = String(schema.$id ?? '');
  if (!id.endsWith('/DataQualityMetricsInputDatasetFacet.json')) return schema;
  const copy = clone(schema) as {
    $defs: { DataQualityMetricsInputDatasetFacet: { allOf: Record<string, unknown>[] } };
  };
  const body = copy.$defs.DataQualityMetricsInputDatasetFacet.allOf[1];
  if (body !== undefined) {
    delete body.required;
    body.anyOf = [{ required: ['rowCount'] }, { required: ['columnMetrics'] }];
  }
  return copy as unknown as Record<string, unknown>;
}

function baseTypes(schema: Record<string, unknown>): FacetContainer[] {
  const defs = (schema.$defs ?? {}) as Record<string, { allOf?: { $ref?: string }[] }>;
  const out = new Set<FacetContainer>();
  for (const def of Object.values(defs)) {
    for (const part of def.allOf ?? []) {
      const base = part.$ref?.split('/').pop();
      const container = base === undefined ? undefined : BASE_TO_CONTAINER[base];
      if (container !== undefined) out.add(container);
    }
  }
  return [...out];
}

function toProblems(errors: ErrorObject[] | null | undefined, prefix: string): Problem[] {
  return (errors ?? []).map((e) => {
    const extra =
      e.keyword === 'required'
        ? ` (${String((e.params as { missingProperty?: string }).missingProperty)})`
        : e.keyword === 'additionalProperties'
          ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})`
          : '';
    return {
      path: `${prefix}${e.instancePath}` || '/',
      message: `${e.message ?? e.keyword}${extra}`,
    };
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface Compiled {
  events: Record<OpenLineageEventKind, ValidateFunction>;
  facets: Map<string, ValidateFunction>;
}

let shared: Compiled | undefined;

/** Compiles the core and facet schemas once per process (about 0.4 s), shared by every validator. */
function compiled(): Compiled {
  if (shared !== undefined) return shared;
  // Formats are annotations in draft 2020-12 (as in the spec's reference validation): the Python
  // client's naive `eventTime` and fluentd's `"uri": "string"` are valid OpenLineage.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false });
  ajv.addSchema(coreSchema);
  const facets = new Map<string, ValidateFunction>();
  for (const raw of FACET_SCHEMAS) {
    const schema = relax(raw);
    ajv.addSchema(schema);
    const validate = ajv.getSchema(String(schema.$id));
    if (validate === undefined) continue;
    const keys = Object.keys((schema.properties ?? {}) as Record<string, unknown>);
    for (const container of baseTypes(schema)) {
      for (const key of keys) facets.set(`${container}/${key}`, validate);
    }
  }
  const get = (name: string): ValidateFunction => {
    const fn = ajv.getSchema(`${CORE_ID}#/$defs/${name}`);
    if (fn === undefined) throw new Error(`OpenLineage schema lacks $defs/${name}`);
    return fn;
  };
  shared = {
    events: {
      RunEvent: get('RunEvent'),
      JobEvent: get('JobEvent'),
      DatasetEvent: get('DatasetEvent'),
    },
    facets,
  };
  return shared;
}

/**
 * Validates OpenLineage events against the 2-0-2 core schema and, for every standard facet present,
 * against that facet's schema (the core schema alone accepts malformed facets). Unknown (custom)
 * facets are accepted as long as they are objects carrying `_producer` and `_schemaURL`, as the
 * core schema requires. Facets with `_deleted: true` are accepted as deletion markers.
 */
export class OpenLineageValidator {
  readonly #events: Record<OpenLineageEventKind, ValidateFunction>;
  readonly #facets: ReadonlyMap<string, ValidateFunction>;
  readonly #maxFacetBytes: number;
  readonly #maxProblems: number;

  constructor(options: OpenLineageValidatorOptions = {}) {
    this.#maxFacetBytes = options.maxFacetBytes ?? 65_536;
    this.#maxProblems = options.maxProblems ?? 20;
    const { events, facets } = compiled();
    this.#events = events;
    this.#facets = facets;
  }

  /** Facet keys validated against a standard schema, per container (for documentation and tests). */
  knownFacets(): string[] {
    return [...this.#facets.keys()].sort();
  }

  /** Never throws: returns the event kind, or every problem found (capped by `maxProblems`). */
  validate(input: unknown): OpenLineageValidation {
    if (!isObject(input)) {
      return {
        ok: false,
        code: LINEAGE_ERROR_CODES.OPENLINEAGE_INVALID,
        problems: [{ path: '/', message: 'an OpenLineage event must be a JSON object' }],
      };
    }
    const kind: OpenLineageEventKind | undefined =
      'run' in input
        ? 'RunEvent'
        : 'dataset' in input
          ? 'DatasetEvent'
          : 'job' in input
            ? 'JobEvent'
            : undefined;
    if (kind === undefined) {
      return {
        ok: false,
        code: LINEAGE_ERROR_CODES.OPENLINEAGE_INVALID,
        problems: [
          { path: '/', message: 'not a RunEvent (run), JobEvent (job) or DatasetEvent (dataset)' },
        ],
      };
    }
    const oversized = this.#oversizedFacets(input);
    if (oversized.length > 0) {
      return {
        ok: false,
        code: LINEAGE_ERROR_CODES.PAYLOAD_TOO_LARGE,
        problems: oversized.slice(0, this.#maxProblems),
      };
    }
    const validateEvent = this.#events[kind];
    if (!validateEvent(input)) {
      return {
        ok: false,
        code: LINEAGE_ERROR_CODES.OPENLINEAGE_INVALID,
        problems: toProblems(validateEvent.errors, '').slice(0, this.#maxProblems),
      };
    }
    const problems: Problem[] = [];
    for (const [container, path, facets] of this.#facetSets(input)) {
      for (const [key, facet] of Object.entries(facets)) {
        if (isObject(facet) && facet._deleted === true) continue;
        const validateFacet = this.#facets.get(`${container}/${key}`);
        if (validateFacet === undefined) continue;
        if (!validateFacet({ [key]: facet }))
          problems.push(...toProblems(validateFacet.errors, path));
      }
    }
    if (problems.length > 0) {
      return {
        ok: false,
        code: LINEAGE_ERROR_CODES.OPENLINEAGE_INVALID,
        problems: problems.slice(0, this.#maxProblems),
      };
    }
    return { ok: true, kind, event: input as unknown as OpenLineageEvent };
  }

  #oversizedFacets(input: Record<string, unknown>): Problem[] {
    const problems: Problem[] = [];
    for (const [, path, facets] of this.#facetSets(input)) {
      for (const [key, facet] of Object.entries(facets)) {
        const size = jsonBytes(facet);
        if (size > this.#maxFacetBytes) {
          problems.push({
            path: `${path}/${key}`,
            message: `facet is ${size} bytes, over the ${this.#maxFacetBytes}-byte cap`,
          });
        }
      }
    }
    return problems;
  }

  *#facetSets(
    input: Record<string, unknown>,
  ): Generator<[FacetContainer, string, Record<string, unknown>]> {
    const facetsOf = (holder: unknown, key: string): Record<string, unknown> | undefined => {
      if (!isObject(holder)) return undefined;
      const facets = holder[key];
      return isObject(facets) ? facets : undefined;
    };
    const run = facetsOf(input.run, 'facets');
    if (run) yield ['run', '/run/facets', run];
    const job = facetsOf(input.job, 'facets');
    if (job) yield ['job', '/job/facets', job];
    const dataset = facetsOf(input.dataset, 'facets');
    if (dataset) yield ['dataset', '/dataset/facets', dataset];
    for (const side of ['inputs', 'outputs'] as const) {
      const list = input[side];
      if (!Array.isArray(list)) continue;
      for (let i = 0; i < list.length; i++) {
        const facets = facetsOf(list[i], 'facets');
        if (facets) yield ['dataset', `/${side}/${i}/facets`, facets];
        const own = side === 'inputs' ? 'inputFacets' : 'outputFacets';
        const specific = facetsOf(list[i], own);
        if (specific)
          yield [
            side === 'inputs' ? 'inputDataset' : 'outputDataset',
            `/${side}/${i}/${own}`,
            specific,
          ];
      }
    }
  }
}

/** Size of a value's JSON in UTF-8 bytes (0 when it cannot be serialised). */
export function jsonBytes(value: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}
