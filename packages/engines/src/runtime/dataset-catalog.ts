import type { StateStore } from '@signal-factory/core';
import type { DatasetContext, DatasetSlo } from './signal-engine';

/** Where the runtime gets a dataset's tier, owner and SLOs. */
export interface DatasetProvider {
  /** Never throws for an unknown dataset: it answers with defaults and names them in `defaultsApplied`. */
  get(urn: string): DatasetContext | Promise<DatasetContext>;
  /**
   * The datasets that are expected to send data (registered ones). Engines that judge absence
   * (freshness) watch these from the start, so a dataset that never sends anything is caught too.
   */
  known?(): readonly string[] | Promise<readonly string[]>;
}

/**
 * One dataset as written in a config file or the registry. Durations accept milliseconds in the
 * camelCase fields, and in the snake_case ones seconds (number) or `'90s'`, `'15m'`, `'2h'`, `'1d'`, `'PT15M'`.
 */
export interface DatasetDefinitionInput {
  urn: string;
  /** 1 (most critical) … 3; also `'tier1'`, `'SEV1'`… Default `defaultTier` (3). */
  tier?: number | string;
  owner?: string;
  producerService?: string;
  slo?: DatasetSloInput;
}

export interface DatasetSloInput {
  freshnessMaxDelayMs?: number;
  freshness_max_delay?: number | string;
  freshnessWarnFraction?: number;
  freshness_warn_fraction?: number;
  volumeMinPerHour?: number;
  volume_min_per_hour?: number;
  volumeMaxPerHour?: number;
  volume_max_per_hour?: number;
  volumeMinPerWindow?: number;
  volume_min_per_window?: number;
  volumeMaxPerWindow?: number;
  volume_max_per_window?: number;
  complianceMin?: number;
  compliance_min?: number;
  /** ODCS `slaProperties`: `latency`/`freshness` (value + unit) sets the freshness delay. */
  slaProperties?: Array<{ property?: string; value?: unknown; unit?: string }>;
}

/** Defaults of the SLO settings every dataset has. */
export const DEFAULT_SLO: Readonly<
  Pick<DatasetSlo, 'freshnessMaxDelayMs' | 'freshnessWarnFraction' | 'complianceMin'>
> = Object.freeze({
  freshnessMaxDelayMs: 15 * 60_000,
  freshnessWarnFraction: 0.8,
  complianceMin: 0.95,
});

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
};

/** A duration as seconds (number), `'<n><unit>'` or ISO 8601 `PnDTnHnMnS`, in milliseconds; `undefined` when unreadable. */
export function parseDuration(value: unknown, numberUnitMs = 1000): number | undefined {
  if (typeof value === 'number')
    return Number.isFinite(value) && value > 0 ? value * numberUnitMs : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const simple = /^(\d+(?:\.\d+)?)\s*([a-z]+)?$/i.exec(text);
  if (simple !== null) {
    const unit = (simple[2] ?? 's').toLowerCase();
    const factor = UNIT_MS[unit];
    const n = Number(simple[1]);
    return factor !== undefined && n > 0 ? n * factor : undefined;
  }
  const iso8601 =
    /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(
      text,
    );
  if (iso8601 !== null && text !== 'P' && !/T$/i.test(text)) {
    const [, d, h, m, s] = iso8601;
    const ms =
      Number(d ?? 0) * 86_400_000 +
      Number(h ?? 0) * 3_600_000 +
      Number(m ?? 0) * 60_000 +
      Number(s ?? 0) * 1000;
    return ms > 0 ? ms : undefined;
  }
  return undefined;
}

function parseTier(value: unknown): 1 | 2 | 3 | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string'
        ? Number(/([1-3])/.exec(value)?.[1])
        : NaN;
  return n === 1 || n === 2 || n === 3 ? n : undefined;
}

const positive = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
const fraction = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 1 ? v : undefined;

const NO_DEFAULTS: Partial<DatasetSlo> & { tier?: 1 | 2 | 3 } = Object.freeze({});
const SHARED_DEFAULTS = new WeakMap<
  object,
  { tier: 1 | 2 | 3; slo: DatasetSlo; applied: readonly string[] }
>();

/**
 * Turns a dataset definition (or none) into the `DatasetContext` engines judge against, applying
 * defaults and naming each default applied (`freshness_max_delay`, `freshness_warn_fraction`,
 * `compliance_min`, `tier`).
 */
export function resolveDatasetContext(
  urn: string,
  definition: DatasetDefinitionInput | undefined,
  defaults: Partial<DatasetSlo> & { tier?: 1 | 2 | 3 } = NO_DEFAULTS,
): DatasetContext {
  if (definition === undefined) {
    // Datasets without a definition share one frozen SLO (memory per dataset matters at scale).
    let shared = SHARED_DEFAULTS.get(defaults);
    if (shared === undefined) {
      const full = resolveDatasetContext('', { urn: '' }, defaults);
      shared = {
        tier: full.tier,
        slo: Object.freeze(full.slo),
        applied: Object.freeze(full.defaultsApplied),
      };
      SHARED_DEFAULTS.set(defaults, shared);
    }
    return { urn, tier: shared.tier, slo: shared.slo, defaultsApplied: shared.applied as string[] };
  }
  const applied: string[] = [];
  const slo = definition?.slo ?? {};
  let freshness = positive(slo.freshnessMaxDelayMs) ?? parseDuration(slo.freshness_max_delay, 1000);
  if (freshness === undefined && Array.isArray(slo.slaProperties)) {
    for (const p of slo.slaProperties) {
      const name = String(p?.property ?? '').toLowerCase();
      if (name === 'latency' || name === 'freshness' || name === 'freshness_max_delay') {
        const unit = typeof p.unit === 'string' ? p.unit : 's';
        freshness = parseDuration(`${String(p.value)}${unit}`);
        if (freshness !== undefined) break;
      }
    }
  }
  if (freshness === undefined || freshness <= 0) {
    freshness = defaults.freshnessMaxDelayMs ?? DEFAULT_SLO.freshnessMaxDelayMs;
    applied.push('freshness_max_delay');
  }
  let warn = fraction(slo.freshnessWarnFraction ?? slo.freshness_warn_fraction);
  if (warn === undefined) {
    warn = defaults.freshnessWarnFraction ?? DEFAULT_SLO.freshnessWarnFraction;
    applied.push('freshness_warn_fraction');
  }
  let compliance = fraction(slo.complianceMin ?? slo.compliance_min);
  if (compliance === undefined) {
    compliance = defaults.complianceMin ?? DEFAULT_SLO.complianceMin;
    applied.push('compliance_min');
  }
  let tier = parseTier(definition?.tier);
  if (tier === undefined) {
    tier = defaults.tier ?? 3;
    applied.push('tier');
  }
  const result: DatasetSlo = {
    freshnessMaxDelayMs: freshness,
    freshnessWarnFraction: warn,
    complianceMin: compliance,
  };
  const volume: Array<[keyof DatasetSlo, unknown]> = [
    [
      'volumeMinPerHour',
      slo.volumeMinPerHour ?? slo.volume_min_per_hour ?? defaults.volumeMinPerHour,
    ],
    [
      'volumeMaxPerHour',
      slo.volumeMaxPerHour ?? slo.volume_max_per_hour ?? defaults.volumeMaxPerHour,
    ],
    [
      'volumeMinPerWindow',
      slo.volumeMinPerWindow ?? slo.volume_min_per_window ?? defaults.volumeMinPerWindow,
    ],
    [
      'volumeMaxPerWindow',
      slo.volumeMaxPerWindow ?? slo.volume_max_per_window ?? defaults.volumeMaxPerWindow,
    ],
  ];
  for (const [key, value] of volume) {
    const v = positive(value);
    if (v !== undefined) (result as unknown as Record<string, number>)[key] = v;
  }
  const context: DatasetContext = { urn, tier, slo: result, defaultsApplied: applied };
  if (typeof definition?.owner === 'string') context.owner = definition.owner;
  if (typeof definition?.producerService === 'string')
    context.producerService = definition.producerService;
  return context;
}

export interface DatasetCatalogOptions {
  /** Known datasets. Default none (every dataset gets defaults). */
  datasets?: DatasetDefinitionInput[];
  /** Defaults for datasets without a setting; `tier` default 3, SLOs default `DEFAULT_SLO`. */
  defaults?: Partial<DatasetSlo> & { tier?: 1 | 2 | 3 };
  /**
   * Looks a dataset up elsewhere (registry) when it is not in `datasets`; failures and `undefined`
   * fall back to defaults. Answers are cached for `cacheMs`.
   */
  lookup?: (urn: string) => Promise<DatasetDefinitionInput | undefined>;
  /**
   * Lists the datasets registered elsewhere (registry), so `known()` includes them and absence
   * is judged for them from the start. Answers are cached for `cacheMs`; a failing listing keeps
   * the last good answer.
   */
  list?: () => Promise<readonly string[]>;
  /** How long a looked-up dataset (and the listing) is cached, in ms. Default 60,000. */
  cacheMs?: number;
  /** Clock for the cache. Default `Date.now`. */
  now?: () => number;
}

/** A `DatasetProvider` over a static list, an optional lookup, and defaults. */
export interface DatasetCatalog extends DatasetProvider {
  get(urn: string): Promise<DatasetContext>;
  /** Adds or replaces a dataset definition (takes effect on the engines' next refresh). */
  set(definition: DatasetDefinitionInput): void;
  /** URNs of the datasets given in `datasets`, added with `set`, or listed by `list`. */
  known(): Promise<string[]>;
}

export function createDatasetCatalog(options: DatasetCatalogOptions = {}): DatasetCatalog {
  const definitions = new Map<string, DatasetDefinitionInput>();
  for (const d of options.datasets ?? []) definitions.set(d.urn, d);
  const cache = new Map<string, { at: number; context: DatasetContext }>();
  const cacheMs = options.cacheMs ?? 60_000;
  const now = options.now ?? Date.now;
  let listed: { at: number; urns: readonly string[] } | undefined;
  const listing = async (): Promise<readonly string[]> => {
    if (options.list === undefined) return [];
    if (listed !== undefined && now() - listed.at < cacheMs) return listed.urns;
    try {
      const urns = (await options.list()).filter((u) => typeof u === 'string' && u !== '');
      listed = { at: now(), urns };
    } catch {
      // the registry is down: keep watching what it listed last
      if (listed !== undefined) listed = { at: now(), urns: listed.urns };
    }
    return listed?.urns ?? [];
  };
  return {
    async get(urn) {
      const known = definitions.get(urn);
      if (known !== undefined || options.lookup === undefined)
        return resolveDatasetContext(urn, known, options.defaults);
      const hit = cache.get(urn);
      if (hit !== undefined && now() - hit.at < cacheMs) return hit.context;
      let found: DatasetDefinitionInput | undefined;
      try {
        found = await options.lookup(urn);
      } catch {
        found = undefined;
      }
      const context = resolveDatasetContext(urn, found, options.defaults);
      cache.set(urn, { at: now(), context });
      return context;
    },
    set(definition) {
      definitions.set(definition.urn, definition);
      cache.delete(definition.urn);
    },
    async known() {
      return [...new Set([...definitions.keys(), ...(await listing())])];
    },
  };
}

/**
 * Lists the datasets of the registry's resolution map (`DatasetResolutionMap`, pk `resolution`,
 * the sidecar's layout): the URN of every `exact#<topic>` item and of every `pattern#<n>` item
 * whose URN is not a template (`urn:dp:$1:events` names no single dataset).
 */
export function stateStoreDatasetList(
  state: StateStore,
  options: { table?: string; pk?: string } = {},
): () => Promise<string[]> {
  const table = options.table ?? 'DatasetResolutionMap';
  const pk = options.pk ?? 'resolution';
  return async () => {
    const urns = new Set<string>();
    for (const item of await state.query(table, pk)) {
      const urn = (item.data as Record<string, unknown>).urn;
      if (typeof urn !== 'string' || urn === '') continue;
      if (item.sk.startsWith('exact#') || (item.sk.startsWith('pattern#') && !urn.includes('$')))
        urns.add(urn);
    }
    return [...urns];
  };
}

/**
 * A lookup over the registry table (`DatasetRegistry`, pk = URN, sk = `meta`): reads `tier`,
 * `owner`, `producerService` and `slo` from the item's data.
 */
export function stateStoreDatasetLookup(
  state: StateStore,
  options: { table?: string; sk?: string } = {},
): (urn: string) => Promise<DatasetDefinitionInput | undefined> {
  const table = options.table ?? 'DatasetRegistry';
  const sk = options.sk ?? 'meta';
  return async (urn) => {
    const item = await state.get(table, { pk: urn, sk });
    if (item === undefined) return undefined;
    const d = item.data as Record<string, unknown>;
    const def: DatasetDefinitionInput = { urn };
    if (d.tier !== undefined) def.tier = d.tier as number | string;
    if (typeof d.owner === 'string') def.owner = d.owner;
    if (typeof d.producerService === 'string') def.producerService = d.producerService;
    if (typeof d.slo === 'object' && d.slo !== null) def.slo = d.slo as DatasetSloInput;
    return def;
  };
}
