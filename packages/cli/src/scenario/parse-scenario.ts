import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

import { isDatasetUrn, tryParseReasonCode } from '@signal-factory/core';
import { compileContract, lintContract, type OdcsContract } from '@signal-factory/contracts';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, stringify, type Document } from 'yaml';

import {
  SCENARIO_PROBLEM_CODES as C,
  type ScenarioProblem,
  type ScenarioProblemCode,
} from './problems';
import { compilePattern, PatternSyntaxError } from './regex-generator';
import type {
  ExpectedIncident,
  ExpectedRca,
  ExpectedRootCause,
  ExpectedSignal,
  FaultEffect,
  FaultKind,
  FieldGenerator,
  IdentityMode,
  PiiKind,
  PolicyMode,
  Scenario,
  ScenarioContract,
  ScenarioDataset,
  ScenarioDeployment,
  ScenarioExpect,
  ScenarioFault,
  ScenarioLineageJob,
  ScenarioService,
  ScenarioSlo,
  ScenarioTraffic,
  ValueType,
} from './types';
import { parseDuration, parseIsoTime, parseRate, parseScenarioTime } from './units';

/** Options of {@link parseScenario}. */
export interface ParseScenarioOptions {
  /** Path of the scenario file (for messages and, by default, contract resolution). */
  file?: string;
  /** Directory relative contract paths resolve against. Default: the file's directory, else the cwd. */
  baseDir?: string;
  /** Reads a contract file (absolute path) as UTF-8. Default `fs.readFileSync`. */
  readFile?: (path: string) => string;
}

/** Result of parsing: the scenario and its warnings, or every problem found. */
export type ParseScenarioResult =
  | { ok: true; scenario: Scenario; warnings: ScenarioProblem[] }
  | { ok: false; problems: ScenarioProblem[] };

type Path = ReadonlyArray<string | number>;
type Json = Record<string, unknown>;

export const FAULT_KINDS: readonly FaultKind[] = [
  'stall',
  'rate',
  'null_rate',
  'type_change',
  'rename_field',
  'add_fields',
  'inject_pii',
  'late_events',
  'duplicates',
  'drop_fields',
];
export const PII_KINDS: readonly PiiKind[] = ['ssn', 'email', 'credit_card', 'phone', 'iban'];
const VALUE_TYPES: readonly ValueType[] = [
  'string',
  'number',
  'integer',
  'boolean',
  'object',
  'array',
  'null',
];
const SIGNAL_TYPES = ['FRESHNESS', 'VOLUME', 'CONTRACT', 'SCHEMA_DRIFT', 'DQ', 'ANOMALY'] as const;
const SIGNAL_STATES = ['OK', 'WARNING', 'CRITICAL'] as const;
const SEVERITIES = ['SEV-1', 'SEV-2', 'SEV-3'] as const;
const CONFIDENCES = ['HIGH', 'MEDIUM', 'LOW'] as const;
const CAUSE_KINDS = [
  'deployment',
  'stall',
  'upstream_dataset',
  'failure_signature',
  'unknown',
  'unexplained',
];
const SIMPLE_GENERATORS = ['uuid', 'email', 'event_time'] as const;
const GENERATOR_KEYS = ['pattern', 'int', 'float', 'enum', 'const'] as const;
const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const TOP_KEYS = [
  'name',
  'description',
  'start',
  'duration',
  'seed',
  'history',
  'datasets',
  'lineage',
  'services',
  'traffic',
  'deployments',
  'faults',
  'expect',
];

/** `datasets[0].tier`, `lineage[0].reads_columns["urn:dp:a:b"]`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Optimal-string-alignment distance: edits plus adjacent transpositions (`teir` → `tier` is 1). */
function editDistance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    d.push([i]);
    for (let j = 1; j <= b.length; j++) (d[i] as number[]).push(i === 0 ? j : 0);
  }
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(
        (d[i - 1] as number[])[j]! + 1,
        (d[i] as number[])[j - 1]! + 1,
        (d[i - 1] as number[])[j - 1]! + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, (d[i - 2] as number[])[j - 2]! + 1);
      }
      (d[i] as number[])[j] = v;
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

function suggest(word: string, known: readonly string[]): string | undefined {
  const lower = word.toLowerCase().replace(/-/g, '_');
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    if (k === lower) return k;
    const d = editDistance(lower, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  const limit = word.length <= 4 ? 1 : 2;
  return bestD <= limit ? best : undefined;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

class Context {
  readonly problems: ScenarioProblem[] = [];
  readonly #doc: Document;
  readonly #lines: LineCounter;
  readonly #file: string | undefined;

  constructor(doc: Document, lines: LineCounter, file: string | undefined) {
    this.#doc = doc;
    this.#lines = lines;
    this.#file = file;
  }

  error(code: ScenarioProblemCode, path: Path, message: string, onKey = false): void {
    this.#add('error', code, path, message, onKey);
  }

  warn(code: ScenarioProblemCode, path: Path, message: string, onKey = false): void {
    this.#add('warning', code, path, message, onKey);
  }

  get hasErrors(): boolean {
    return this.problems.some((p) => p.severity === 'error');
  }

  #add(
    severity: 'error' | 'warning',
    code: ScenarioProblemCode,
    path: Path,
    message: string,
    onKey: boolean,
  ): void {
    const offset = this.#offset(path, onKey);
    const pos = this.#lines.linePos(offset);
    this.problems.push({
      code,
      severity,
      path: formatPath(path),
      line: pos.line,
      column: pos.col,
      message,
      ...(this.#file === undefined ? {} : { file: this.#file }),
    });
  }

  /** Source offset of the deepest node on `path` (the key itself when `onKey`). */
  #offset(path: Path, onKey: boolean): number {
    let node: unknown = this.#doc.contents;
    let offset = (node as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
        if (pair === undefined) return offset;
        const key = pair.key as { range?: [number, number, number] } | null;
        if (i === path.length - 1 && onKey && key?.range) return key.range[0];
        const value = pair.value as { range?: [number, number, number] } | null;
        offset = value?.range?.[0] ?? key?.range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg] as { range?: [number, number, number] } | undefined;
        if (item === undefined) return offset;
        offset = item.range?.[0] ?? offset;
        node = item;
      } else {
        return offset;
      }
    }
    return offset;
  }
}

/** Validates scenario documents field by field, collecting every problem. */
class Validator {
  readonly #ctx: Context;
  readonly #options: ParseScenarioOptions;
  #start = 0;
  #startValid = false;

  constructor(ctx: Context, options: ParseScenarioOptions) {
    this.#ctx = ctx;
    this.#options = options;
  }

  // --- primitive helpers -------------------------------------------------------------------

  #mapping(v: unknown, path: Path, what: string): Json | undefined {
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      this.#ctx.error(C.TYPE, path, `${what} must be a mapping, got ${typeName(v)}`);
      return undefined;
    }
    return v as Json;
  }

  #list(v: unknown, path: Path, what: string): unknown[] | undefined {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) {
      this.#ctx.error(C.TYPE, path, `${what} must be a list, got ${typeName(v)}`);
      return undefined;
    }
    return v;
  }

  #keys(obj: Json, known: readonly string[], path: Path, extra: readonly string[] = []): void {
    for (const key of Object.keys(obj)) {
      if (known.includes(key) || extra.includes(key)) continue;
      const near = suggest(key, known);
      if (near !== undefined) {
        this.#ctx.warn(
          C.UNKNOWN_KEY,
          [...path, key],
          `unknown key '${key}': did you mean '${near}'? (it is ignored)`,
          true,
        );
      }
    }
  }

  #extensions(obj: Json, known: readonly string[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) if (!known.includes(k)) out[k] = v;
    return out;
  }

  #string(v: unknown, path: Path, what: string, required: boolean): string | undefined {
    if (v === undefined || v === null) {
      if (required) this.#ctx.error(C.REQUIRED, path, `${what} is required`);
      return undefined;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      this.#ctx.error(C.TYPE, path, `${what} must be a non-empty string, got ${typeName(v)}`);
      return undefined;
    }
    return v;
  }

  /** Versions and commits: strings; YAML numbers accepted with a warning. */
  #version(v: unknown, path: Path, what: string, required: boolean): string | undefined {
    if (typeof v === 'number') {
      this.#ctx.warn(
        C.UNQUOTED,
        path,
        `${what} is written as a YAML number (${String(v)}); quote it ("3.10" would read as 3.1)`,
      );
      return String(v);
    }
    return this.#string(v, path, what, required);
  }

  #number(
    v: unknown,
    path: Path,
    what: string,
    opts: { min?: number; max?: number; integer?: boolean; required?: boolean } = {},
  ): number | undefined {
    if (v === undefined || v === null) {
      if (opts.required === true) this.#ctx.error(C.REQUIRED, path, `${what} is required`);
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      this.#ctx.error(C.TYPE, path, `${what} must be a number, got ${typeName(v)}`);
      return undefined;
    }
    if (opts.integer === true && !Number.isInteger(v)) {
      this.#ctx.error(C.VALUE, path, `${what} must be an integer, got ${v}`);
      return undefined;
    }
    if ((opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max)) {
      const range =
        opts.max === undefined
          ? `>= ${opts.min}`
          : opts.min === undefined
            ? `<= ${opts.max}`
            : `between ${opts.min} and ${opts.max}`;
      this.#ctx.error(C.VALUE, path, `${what} must be ${range}, got ${v}`);
      return undefined;
    }
    return v;
  }

  #oneOf<T extends string>(
    v: unknown,
    allowed: readonly T[],
    path: Path,
    what: string,
    required: boolean,
  ): T | undefined {
    if (v === undefined || v === null) {
      if (required)
        this.#ctx.error(C.REQUIRED, path, `${what} is required (one of ${allowed.join(', ')})`);
      return undefined;
    }
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    const near =
      typeof v === 'string'
        ? suggest(
            v,
            allowed.map((a) => a.toLowerCase()),
          )
        : undefined;
    const hint =
      near === undefined
        ? ''
        : ` (did you mean '${allowed.find((a) => a.toLowerCase() === near) ?? near}'?)`;
    this.#ctx.error(
      C.VALUE,
      path,
      `${what} must be one of ${allowed.join(', ')}, got ${typeName(v)}${hint}`,
    );
    return undefined;
  }

  #tier(v: unknown, path: Path): 1 | 2 | 3 | undefined {
    if (v === undefined || v === null) return undefined;
    if (v !== 1 && v !== 2 && v !== 3) {
      this.#ctx.error(C.VALUE, path, `tier must be 1, 2 or 3, got ${typeName(v)}`);
      return undefined;
    }
    return v;
  }

  #urn(v: unknown, path: Path, what: string, required: boolean): string | undefined {
    const s = this.#string(v, path, what, required);
    if (s === undefined) return undefined;
    if (!isDatasetUrn(s)) {
      this.#ctx.error(
        C.URN,
        path,
        `${what} '${s}' is not a dataset URN (expected urn:dp:<domain>:<name>[:v<major>], lowercase)`,
      );
      return undefined;
    }
    return s;
  }

  #duration(
    v: unknown,
    path: Path,
    what: string,
    required: boolean,
    positive = true,
  ): number | undefined {
    if (v === undefined || v === null) {
      if (required) this.#ctx.error(C.REQUIRED, path, `${what} is required (e.g. 15m)`);
      return undefined;
    }
    const d = typeof v === 'string' ? parseDuration(v) : undefined;
    if (d === undefined) {
      this.#ctx.error(
        C.DURATION,
        path,
        `${what} must be a duration like 30s, 15m, 2h, 7d (or 1h30m), got ${typeName(v)}`,
      );
      return undefined;
    }
    if (positive && d <= 0) {
      this.#ctx.error(C.DURATION, path, `${what} must be longer than 0`);
      return undefined;
    }
    return d;
  }

  #time(v: unknown, path: Path, what: string, required: boolean): number | undefined {
    if (v === undefined || v === null) {
      if (required)
        this.#ctx.error(
          C.REQUIRED,
          path,
          `${what} is required (ISO-8601 or an offset like "+58m")`,
        );
      return undefined;
    }
    const t = typeof v === 'string' ? parseScenarioTime(v, this.#start) : undefined;
    if (t === undefined) {
      this.#ctx.error(
        C.TIME,
        path,
        `${what} must be an ISO-8601 time or an offset from start like "+58m" or "+30s", got ${typeName(v)}`,
      );
      return undefined;
    }
    return t;
  }

  #strings(v: unknown, path: Path, what: string): string[] {
    const list = this.#list(v, path, what);
    if (list === undefined) return [];
    const out: string[] = [];
    list.forEach((item, i) => {
      const s = this.#string(item, [...path, i], `${what} entry`, true);
      if (s !== undefined) out.push(s);
    });
    return out;
  }

  #urns(v: unknown, path: Path, what: string): string[] {
    const list = this.#list(v, path, what);
    if (list === undefined) return [];
    const out: string[] = [];
    list.forEach((item, i) => {
      const s = this.#urn(item, [...path, i], `${what} entry`, true);
      if (s !== undefined) out.push(s);
    });
    return out;
  }

  #rateProb(v: unknown, path: Path, what: string): number | undefined {
    return this.#number(v, path, what, { min: 0, max: 1 });
  }

  // --- the document ------------------------------------------------------------------------

  scenario(root: unknown): Scenario | undefined {
    if (root === undefined || root === null) {
      this.#ctx.error(
        C.REQUIRED,
        [],
        'the scenario is empty: expected a mapping with name, start, duration, datasets, traffic, expect',
      );
      return undefined;
    }
    const top = this.#mapping(root, [], 'a scenario');
    if (top === undefined) return undefined;
    this.#keys(top, TOP_KEYS, []);

    const name = this.#string(top['name'], ['name'], 'name', true);
    if (name !== undefined && !KEBAB.test(name)) {
      this.#ctx.error(
        C.NAME,
        ['name'],
        `name must be kebab-case (lowercase letters, digits, single dashes), got '${name}'`,
      );
    }
    const description =
      top['description'] === undefined
        ? undefined
        : this.#string(top['description'], ['description'], 'description', false);

    let start: number | undefined;
    if (top['start'] === undefined || top['start'] === null) {
      this.#ctx.error(
        C.REQUIRED,
        ['start'],
        'start is required (ISO-8601, e.g. 2026-01-15T09:00:00Z)',
      );
    } else if (
      typeof top['start'] !== 'string' ||
      (start = parseIsoTime(top['start'])) === undefined
    ) {
      this.#ctx.error(
        C.TIME,
        ['start'],
        `start must be an ISO-8601 time like 2026-01-15T09:00:00Z, got ${typeName(top['start'])}`,
      );
    }
    this.#start = start ?? 0;
    this.#startValid = start !== undefined;

    const duration = this.#duration(top['duration'], ['duration'], 'duration', true);
    let seed = this.#number(top['seed'], ['seed'], 'seed', {
      integer: true,
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
    });
    if (top['seed'] === undefined) {
      this.#ctx.warn(
        C.REQUIRED,
        ['seed'],
        'seed is missing: using 0 (set one to make the intent explicit)',
      );
      seed = 0;
    }
    const history =
      top['history'] === undefined
        ? 0
        : (this.#duration(top['history'], ['history'], 'history', false) ?? 0);
    const end = this.#start + (duration ?? 0);

    const datasets = this.#datasets(top['datasets']);
    const urns = new Set(datasets.map((d) => d.urn));
    const services = this.#services(top['services']);
    const knownServices = new Set([
      ...services.map((s) => s.name),
      ...datasets.flatMap((d) => (d.producer === undefined ? [] : [d.producer])),
    ]);
    for (const [i, d] of datasets.entries()) {
      if (
        d.producer !== undefined &&
        !services.some((s) => s.name === d.producer) &&
        services.length > 0
      ) {
        this.#ctx.warn(
          C.REFERENCE,
          ['datasets', i, 'producer'],
          `producer '${d.producer}' is not listed under services (its version is unknown)`,
        );
      }
    }
    const lineage = this.#lineage(top['lineage'], urns);
    const traffic = this.#traffic(top['traffic'], datasets);
    const deployments = this.#deployments(
      top['deployments'],
      services,
      knownServices,
      end,
      history,
    );
    const faults = this.#faults(top['faults'], urns, end, history);
    const expect = this.#expect(top['expect'], urns, lineage);

    if (this.#ctx.hasErrors || name === undefined || duration === undefined || !this.#startValid) {
      return undefined;
    }
    return {
      name,
      ...(description === undefined ? {} : { description }),
      start: this.#start,
      duration,
      end,
      seed: seed ?? 0,
      history,
      datasets,
      lineage,
      services,
      traffic,
      deployments,
      faults,
      expect,
      ...(this.#options.file === undefined ? {} : { file: this.#options.file }),
      ...(this.#baseDir() === undefined ? {} : { baseDir: this.#baseDir() as string }),
      extensions: this.#extensions(top, TOP_KEYS),
    };
  }

  #baseDir(): string | undefined {
    if (this.#options.baseDir !== undefined) return resolve(this.#options.baseDir);
    if (this.#options.file !== undefined) return dirname(resolve(this.#options.file));
    return undefined;
  }

  #datasets(v: unknown): ScenarioDataset[] {
    const path = ['datasets'];
    if (v === undefined || v === null) {
      this.#ctx.error(
        C.REQUIRED,
        path,
        'datasets is required: list at least one dataset (urn, topic)',
      );
      return [];
    }
    const list = this.#list(v, path, 'datasets') ?? [];
    if (Array.isArray(v) && list.length === 0)
      this.#ctx.error(C.REQUIRED, path, 'datasets is empty: list at least one dataset');
    const out: ScenarioDataset[] = [];
    const seen = new Map<string, number>();
    const known = ['urn', 'topic', 'producer', 'identity', 'tier', 'contract', 'policy', 'slo'];
    list.forEach((item, i) => {
      const p = [...path, i];
      const d = this.#mapping(item, p, 'a dataset');
      if (d === undefined) return;
      this.#keys(d, known, p);
      const urn = this.#urn(d['urn'], [...p, 'urn'], 'urn', true);
      const topic = this.#string(d['topic'], [...p, 'topic'], 'topic', true);
      const producer =
        d['producer'] === undefined
          ? undefined
          : this.#string(d['producer'], [...p, 'producer'], 'producer', false);
      const identity: IdentityMode =
        this.#oneOf<IdentityMode>(
          d['identity'],
          ['header', 'topic-pattern', 'none'],
          [...p, 'identity'],
          'identity',
          false,
        ) ?? 'header';
      const tier = this.#tier(d['tier'], [...p, 'tier']) ?? 3;
      const policy: PolicyMode =
        this.#oneOf<PolicyMode>(
          d['policy'],
          ['observe', 'enforce'],
          [...p, 'policy'],
          'policy',
          false,
        ) ?? 'observe';
      const slo = this.#slo(d['slo'], [...p, 'slo']);
      const contract =
        d['contract'] === undefined || d['contract'] === null
          ? undefined
          : this.#contract(d['contract'], [...p, 'contract']);
      if (urn !== undefined) {
        const prior = seen.get(urn);
        if (prior !== undefined) {
          this.#ctx.error(
            C.DUPLICATE,
            [...p, 'urn'],
            `dataset ${urn} is already declared at datasets[${prior}]`,
          );
          return;
        }
        seen.set(urn, i);
      }
      if (urn === undefined || topic === undefined) return;
      out.push({
        urn,
        topic,
        ...(producer === undefined ? {} : { producer }),
        identity,
        tier,
        ...(contract === undefined ? {} : { contract }),
        policy,
        ...(slo === undefined ? {} : { slo }),
        extensions: this.#extensions(d, known),
      });
    });
    return out;
  }

  #slo(v: unknown, path: Path): ScenarioSlo | undefined {
    const s = this.#mapping(v, path, 'slo');
    if (s === undefined) return undefined;
    this.#keys(s, ['freshness_max_delay', 'volume_min_per_hour', 'compliance_min'], path);
    const freshness =
      s['freshness_max_delay'] === undefined
        ? undefined
        : this.#duration(
            s['freshness_max_delay'],
            [...path, 'freshness_max_delay'],
            'freshness_max_delay',
            false,
          );
    const volume = this.#number(
      s['volume_min_per_hour'],
      [...path, 'volume_min_per_hour'],
      'volume_min_per_hour',
      { min: 0 },
    );
    const compliance = this.#number(
      s['compliance_min'],
      [...path, 'compliance_min'],
      'compliance_min',
      { min: 0, max: 1 },
    );
    return {
      ...(freshness === undefined ? {} : { freshnessMaxDelay: freshness }),
      ...(volume === undefined ? {} : { volumeMinPerHour: volume }),
      ...(compliance === undefined ? {} : { complianceMin: compliance }),
    };
  }

  #contract(v: unknown, path: Path): ScenarioContract | undefined {
    if (typeof v === 'string') {
      const base = this.#baseDir() ?? process.cwd();
      const abs = resolve(base, v);
      let text: string;
      try {
        text = (this.#options.readFile ?? ((f: string) => readFileSync(f, 'utf8')))(abs);
      } catch (error) {
        this.#ctx.error(
          C.CONTRACT,
          path,
          `cannot read contract file ${abs}: ${(error as Error).message}`,
        );
        return undefined;
      }
      const lint = lintContract(text);
      if (!lint.valid) {
        for (const p of lint.problems) {
          this.#ctx.error(
            C.CONTRACT,
            path,
            `contract ${v}: ${p.path === '' ? '(root)' : p.path}: ${p.message}`,
          );
        }
        return undefined;
      }
      const document = lint.document as OdcsContract;
      if (!this.#compiles(document, path, `contract ${v}`)) return undefined;
      return { source: 'file', path: abs, text, document };
    }
    const inline = this.#mapping(v, path, 'contract (a path or an inline ODCS document)');
    if (inline === undefined) return undefined;
    const lint = lintContract(inline);
    if (!lint.valid) {
      for (const p of lint.problems) {
        const sub = p.path
          .split('/')
          .slice(1)
          .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
          .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
        this.#ctx.error(C.CONTRACT, [...path, ...sub], `inline contract: ${p.message}`);
      }
      return undefined;
    }
    const document = inline as unknown as OdcsContract;
    if (!this.#compiles(document, path, 'inline contract')) return undefined;
    return { source: 'inline', text: stringify(inline), document };
  }

  #compiles(document: OdcsContract, path: Path, what: string): boolean {
    try {
      compileContract(document);
      return true;
    } catch (error) {
      const details = (
        error as { details?: { problems?: Array<{ path: string; message: string }> } }
      ).details;
      const problems = details?.problems ?? [];
      if (problems.length === 0) {
        this.#ctx.error(C.CONTRACT, path, `${what} does not compile: ${(error as Error).message}`);
      }
      for (const p of problems) {
        this.#ctx.error(C.CONTRACT, path, `${what} does not compile: ${p.path}: ${p.message}`);
      }
      return false;
    }
  }

  #services(v: unknown): ScenarioService[] {
    const path = ['services'];
    const list = this.#list(v, path, 'services') ?? [];
    const out: ScenarioService[] = [];
    const seen = new Map<string, number>();
    const known = ['name', 'version', 'owner'];
    list.forEach((item, i) => {
      const p = [...path, i];
      const s = this.#mapping(item, p, 'a service');
      if (s === undefined) return;
      this.#keys(s, known, p);
      const name = this.#string(s['name'], [...p, 'name'], 'name', true);
      const version =
        s['version'] === undefined
          ? undefined
          : this.#version(s['version'], [...p, 'version'], 'version', false);
      const owner =
        s['owner'] === undefined
          ? undefined
          : this.#string(s['owner'], [...p, 'owner'], 'owner', false);
      if (name === undefined) return;
      const prior = seen.get(name);
      if (prior !== undefined) {
        this.#ctx.error(
          C.DUPLICATE,
          [...p, 'name'],
          `service ${name} is already declared at services[${prior}]`,
        );
        return;
      }
      seen.set(name, i);
      out.push({
        name,
        ...(version === undefined ? {} : { version }),
        ...(owner === undefined ? {} : { owner }),
      });
    });
    return out;
  }

  #lineage(v: unknown, urns: ReadonlySet<string>): ScenarioLineageJob[] {
    const path = ['lineage'];
    const list = this.#list(v, path, 'lineage') ?? [];
    const out: ScenarioLineageJob[] = [];
    const seen = new Map<string, number>();
    const known = ['job', 'owner', 'tier', 'reads', 'writes', 'reads_columns'];
    list.forEach((item, i) => {
      const p = [...path, i];
      const j = this.#mapping(item, p, 'a lineage entry');
      if (j === undefined) return;
      this.#keys(j, known, p);
      const job = this.#string(j['job'], [...p, 'job'], 'job', true);
      const owner =
        j['owner'] === undefined
          ? undefined
          : this.#string(j['owner'], [...p, 'owner'], 'owner', false);
      const tier = this.#tier(j['tier'], [...p, 'tier']);
      const reads = this.#urns(j['reads'], [...p, 'reads'], 'reads');
      const writes = this.#urns(j['writes'], [...p, 'writes'], 'writes');
      const readsColumns: Record<string, string[]> = {};
      const rc = this.#mapping(j['reads_columns'], [...p, 'reads_columns'], 'reads_columns');
      if (rc !== undefined) {
        for (const [urn, cols] of Object.entries(rc)) {
          const cp = [...p, 'reads_columns', urn];
          if (!isDatasetUrn(urn)) {
            this.#ctx.error(C.URN, cp, `reads_columns key '${urn}' is not a dataset URN`, true);
            continue;
          }
          if (!reads.includes(urn)) {
            this.#ctx.warn(
              C.REFERENCE,
              cp,
              `reads_columns names ${urn}, which this job does not list under reads`,
              true,
            );
          }
          readsColumns[urn] = this.#strings(cols, cp, 'reads_columns');
        }
      }
      if (
        reads.length === 0 &&
        writes.length === 0 &&
        j['reads'] === undefined &&
        j['writes'] === undefined
      ) {
        this.#ctx.error(C.REQUIRED, p, 'a lineage entry needs reads and/or writes');
      }
      for (const [k, urn] of reads.entries()) {
        if (
          !urns.has(urn) &&
          !out.some((o) => o.writes.includes(urn)) &&
          !list.some(
            (x) =>
              Array.isArray((x as Json | null)?.['writes']) &&
              ((x as Json)['writes'] as unknown[]).includes(urn),
          )
        ) {
          this.#ctx.warn(
            C.REFERENCE,
            [...p, 'reads', k],
            `${urn} is neither a declared dataset nor written by a lineage job`,
          );
        }
      }
      if (job === undefined) return;
      const prior = seen.get(job);
      if (prior !== undefined) {
        this.#ctx.error(
          C.DUPLICATE,
          [...p, 'job'],
          `job ${job} is already declared at lineage[${prior}]`,
        );
        return;
      }
      seen.set(job, i);
      out.push({
        job,
        ...(owner === undefined ? {} : { owner }),
        ...(tier === undefined ? {} : { tier }),
        reads,
        writes,
        readsColumns,
      });
    });
    return out;
  }

  #profile(v: unknown, path: Path, size: number, what: string): number[] | undefined {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) {
      this.#ctx.error(
        C.PROFILE,
        path,
        `${what} must be a list of ${size} numbers, got ${typeName(v)}`,
      );
      return undefined;
    }
    let ok = true;
    if (v.length !== size) {
      this.#ctx.error(
        C.PROFILE,
        path,
        `${what} must have exactly ${size} numbers (${size === 24 ? 'one per UTC hour' : 'Mon..Sun'}), got ${v.length}`,
      );
      ok = false;
    }
    v.forEach((x, i) => {
      if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) {
        this.#ctx.error(
          C.PROFILE,
          [...path, i],
          `${what} entries must be numbers >= 0, got ${typeName(x)}`,
        );
        ok = false;
      }
    });
    return ok ? (v as number[]) : undefined;
  }

  #traffic(v: unknown, datasets: readonly ScenarioDataset[]): ScenarioTraffic[] {
    const path = ['traffic'];
    const list = this.#list(v, path, 'traffic') ?? [];
    if (list.length === 0)
      this.#ctx.warn(C.REQUIRED, path, 'no traffic: the scenario produces no records');
    const out: ScenarioTraffic[] = [];
    const known = ['dataset', 'rate', 'daily_profile', 'weekly_profile', 'record'];
    list.forEach((item, i) => {
      const p = [...path, i];
      const t = this.#mapping(item, p, 'a traffic entry');
      if (t === undefined) return;
      this.#keys(t, known, p, ['service']);
      const dataset = this.#urn(t['dataset'], [...p, 'dataset'], 'dataset', true);
      const ds = datasets.find((d) => d.urn === dataset);
      if (dataset !== undefined && ds === undefined) {
        this.#ctx.error(
          C.REFERENCE,
          [...p, 'dataset'],
          `dataset ${dataset} is not declared under datasets`,
        );
      }
      let rate: number | undefined;
      const rateText = t['rate'];
      if (rateText === undefined || rateText === null) {
        this.#ctx.error(C.REQUIRED, [...p, 'rate'], 'rate is required (e.g. 250/min)');
      } else if (typeof rateText !== 'string' || (rate = parseRate(rateText)) === undefined) {
        this.#ctx.error(
          C.RATE,
          [...p, 'rate'],
          `rate must look like 250/min, 4/s or 1000/h, got ${typeName(rateText)}`,
        );
      }
      const dailyProfile = this.#profile(
        t['daily_profile'],
        [...p, 'daily_profile'],
        24,
        'daily_profile',
      );
      const weeklyProfile = this.#profile(
        t['weekly_profile'],
        [...p, 'weekly_profile'],
        7,
        'weekly_profile',
      );
      const recordObj = this.#mapping(t['record'], [...p, 'record'], 'record');
      if (t['record'] === undefined)
        this.#ctx.error(
          C.REQUIRED,
          [...p, 'record'],
          'record is required: a mapping of field names to generators',
        );
      const record = recordObj === undefined ? {} : this.#fields(recordObj, [...p, 'record']);
      const service =
        t['service'] === undefined
          ? ds?.producer
          : this.#string(t['service'], [...p, 'service'], 'service', false);
      if (dataset === undefined || ds === undefined || rate === undefined) return;
      out.push({
        dataset,
        rate,
        rateText: rateText as string,
        ...(dailyProfile === undefined ? {} : { dailyProfile }),
        ...(weeklyProfile === undefined ? {} : { weeklyProfile }),
        record,
        ...(service === undefined ? {} : { service }),
      });
    });
    return out;
  }

  #fields(obj: Json, path: Path): Record<string, FieldGenerator> {
    const out: Record<string, FieldGenerator> = {};
    for (const [name, spec] of Object.entries(obj)) {
      const g = this.#generator(spec, [...path, name]);
      if (g !== undefined) out[name] = g;
    }
    return out;
  }

  #generator(v: unknown, path: Path): FieldGenerator | undefined {
    const hint =
      'uuid | email | event_time | {pattern: regex} | {int: [min, max]} | {float: [min, max]} | {enum: [values]} | {const: value}';
    if (typeof v === 'string') {
      if ((SIMPLE_GENERATORS as readonly string[]).includes(v))
        return { kind: v as 'uuid' | 'email' | 'event_time' };
      const near = suggest(v, [...SIMPLE_GENERATORS]);
      this.#ctx.error(
        C.GENERATOR,
        path,
        `unknown field generator '${v}'${near === undefined ? '' : ` (did you mean '${near}'?)`}; use ${hint} (a literal string is {const: "${v}"})`,
      );
      return undefined;
    }
    if (typeof v === 'number' || typeof v === 'boolean' || v === null)
      return { kind: 'const', value: v };
    if (Array.isArray(v)) {
      this.#ctx.error(
        C.GENERATOR,
        path,
        `a field generator cannot be a list; for a choice use {enum: [...]}`,
      );
      return undefined;
    }
    const obj = v as Json;
    const genKeys = Object.keys(obj).filter((k) =>
      (GENERATOR_KEYS as readonly string[]).includes(k),
    );
    if (genKeys.length === 0) {
      // A nested object: every key is a field of its own.
      if (Object.keys(obj).length === 0) {
        this.#ctx.error(C.GENERATOR, path, `empty field generator; use ${hint}`);
        return undefined;
      }
      const typo =
        Object.keys(obj).length === 1
          ? suggest(Object.keys(obj)[0] as string, [...GENERATOR_KEYS])
          : undefined;
      if (typo !== undefined) {
        this.#ctx.error(
          C.GENERATOR,
          [...path, Object.keys(obj)[0] as string],
          `unknown field generator '${Object.keys(obj)[0]}' (did you mean '${typo}'?)`,
          true,
        );
        return undefined;
      }
      return { kind: 'object', fields: this.#fields(obj, path) };
    }
    if (genKeys.length > 1) {
      this.#ctx.error(
        C.GENERATOR,
        path,
        `a field generator has exactly one of ${GENERATOR_KEYS.join(', ')}; got ${genKeys.join(', ')}`,
      );
      return undefined;
    }
    const key = genKeys[0] as (typeof GENERATOR_KEYS)[number];
    const arg = obj[key];
    const ap = [...path, key];
    const extraAllowed = key === 'float' ? ['decimals'] : key === 'enum' ? ['weights'] : [];
    for (const k of Object.keys(obj)) {
      if (k !== key && !extraAllowed.includes(k)) {
        this.#ctx.warn(
          C.UNKNOWN_KEY,
          [...path, k],
          `unknown option '${k}' of the ${key} generator (it is ignored)`,
          true,
        );
      }
    }
    switch (key) {
      case 'pattern': {
        if (typeof arg !== 'string' || arg === '') {
          this.#ctx.error(
            C.GENERATOR,
            ap,
            `pattern must be a non-empty regex string, got ${typeName(arg)}`,
          );
          return undefined;
        }
        try {
          compilePattern(arg);
        } catch (error) {
          const msg = error instanceof PatternSyntaxError ? error.message : String(error);
          this.#ctx.error(C.GENERATOR, ap, `pattern ${JSON.stringify(arg)}: ${msg}`);
          return undefined;
        }
        return { kind: 'pattern', pattern: arg };
      }
      case 'int':
      case 'float': {
        if (
          !Array.isArray(arg) ||
          arg.length !== 2 ||
          arg.some((x) => typeof x !== 'number' || !Number.isFinite(x))
        ) {
          this.#ctx.error(
            C.GENERATOR,
            ap,
            `${key} must be [min, max] (two numbers), got ${typeName(arg)}`,
          );
          return undefined;
        }
        const [min, max] = arg as [number, number];
        if (min > max) {
          this.#ctx.error(C.GENERATOR, ap, `${key} range [${min}, ${max}] has min > max`);
          return undefined;
        }
        if (key === 'int') {
          if (!Number.isInteger(min) || !Number.isInteger(max)) {
            this.#ctx.error(
              C.GENERATOR,
              ap,
              `int bounds must be integers, got [${min}, ${max}] (use float)`,
            );
            return undefined;
          }
          return { kind: 'int', min, max };
        }
        const decimals =
          obj['decimals'] === undefined
            ? 2
            : this.#number(obj['decimals'], [...path, 'decimals'], 'decimals', {
                integer: true,
                min: 0,
                max: 15,
              });
        if (decimals === undefined) return undefined;
        return { kind: 'float', min, max, decimals };
      }
      case 'enum': {
        if (!Array.isArray(arg) || arg.length === 0) {
          this.#ctx.error(
            C.GENERATOR,
            ap,
            `enum must be a non-empty list of values, got ${typeName(arg)}`,
          );
          return undefined;
        }
        let weights: number[] | undefined;
        if (obj['weights'] !== undefined) {
          const w = obj['weights'];
          if (
            !Array.isArray(w) ||
            w.length !== arg.length ||
            w.some((x) => typeof x !== 'number' || !(x >= 0)) ||
            !w.some((x) => (x as number) > 0)
          ) {
            this.#ctx.error(
              C.GENERATOR,
              [...path, 'weights'],
              `weights must be ${arg.length} numbers >= 0, not all 0`,
            );
            return undefined;
          }
          weights = w as number[];
        }
        return { kind: 'enum', values: arg, ...(weights === undefined ? {} : { weights }) };
      }
      case 'const':
        return { kind: 'const', value: arg };
    }
  }

  #effects(v: unknown, path: Path): FaultEffect[] {
    if (v === undefined || v === null) return [];
    const obj = this.#mapping(v, path, 'effect (a mapping of fault kinds to their params)');
    if (obj === undefined) return [];
    const out: FaultEffect[] = [];
    for (const [kind, params] of Object.entries(obj)) {
      const kp = [...path, kind];
      if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
        const near = suggest(kind, FAULT_KINDS);
        this.#ctx.error(
          C.FAULT,
          kp,
          `unknown effect kind '${kind}'${near === undefined ? '' : ` (did you mean '${near}'?)`}; one of ${FAULT_KINDS.join(', ')}`,
          true,
        );
        continue;
      }
      const e = this.#effect(kind as FaultKind, params, kp);
      if (e !== undefined) out.push(e);
    }
    return out;
  }

  /** Params of one fault kind → a normalised effect. */
  #effect(kind: FaultKind, params: unknown, path: Path): FaultEffect | undefined {
    const needMap = (what: string): Json | undefined => {
      if (params === undefined || params === null) {
        this.#ctx.error(C.FAULT, path, `${kind} needs params: ${what}`);
        return undefined;
      }
      if (typeof params !== 'object' || Array.isArray(params)) {
        this.#ctx.error(
          C.FAULT,
          path,
          `${kind} params must be a mapping: ${what}, got ${typeName(params)}`,
        );
        return undefined;
      }
      return params as Json;
    };
    const rateOf = (p: Json, def: number | undefined): number | undefined => {
      if (p['rate'] === undefined) {
        if (def === undefined)
          this.#ctx.error(C.FAULT, [...path, 'rate'], `${kind} needs rate (a probability 0..1)`);
        return def;
      }
      return this.#rateProb(p['rate'], [...path, 'rate'], 'rate');
    };
    const fieldOf = (p: Json, key = 'field'): string | undefined => {
      if (p[key] === undefined) {
        this.#ctx.error(C.FAULT, [...path, key], `${kind} needs ${key} (a field name)`);
        return undefined;
      }
      return this.#string(p[key], [...path, key], key, true);
    };
    switch (kind) {
      case 'stall': {
        const empty =
          params === undefined ||
          params === null ||
          params === true ||
          (typeof params === 'object' &&
            !Array.isArray(params) &&
            Object.keys(params).length === 0);
        if (!empty) this.#ctx.warn(C.UNKNOWN_KEY, path, 'stall takes no params (they are ignored)');
        return { kind };
      }
      case 'rate': {
        if (typeof params === 'number') {
          const m = this.#number(params, path, 'multiplier', { min: 0 });
          return m === undefined ? undefined : { kind, multiplier: m };
        }
        const p = needMap('{multiplier: 0.5}');
        if (p === undefined) return undefined;
        this.#keys(p, ['multiplier'], path);
        const m = this.#number(p['multiplier'], [...path, 'multiplier'], 'multiplier', {
          min: 0,
          required: true,
        });
        return m === undefined ? undefined : { kind, multiplier: m };
      }
      case 'null_rate': {
        const p = needMap('{field: email, rate: 0.15}');
        if (p === undefined) return undefined;
        this.#keys(p, ['field', 'fields', 'rate'], path);
        const fields =
          p['fields'] !== undefined
            ? this.#strings(p['fields'], [...path, 'fields'], 'fields')
            : [fieldOf(p)].filter((x): x is string => x !== undefined);
        const rate = rateOf(p, undefined);
        return fields.length === 0 || rate === undefined ? undefined : { kind, fields, rate };
      }
      case 'type_change': {
        const p = needMap('{field: amount, to: string}');
        if (p === undefined) return undefined;
        this.#keys(p, ['field', 'to', 'rate'], path);
        const field = fieldOf(p);
        const to = this.#oneOf<ValueType>(p['to'], VALUE_TYPES, [...path, 'to'], 'to', true);
        const rate = rateOf(p, 1);
        return field === undefined || to === undefined || rate === undefined
          ? undefined
          : { kind, field, to, rate };
      }
      case 'rename_field': {
        const p = needMap('{from: customer_id, to: customerId}');
        if (p === undefined) return undefined;
        this.#keys(p, ['from', 'to', 'field'], path);
        const from = fieldOf(
          p,
          p['from'] === undefined && p['field'] !== undefined ? 'field' : 'from',
        );
        const to = fieldOf(p, 'to');
        return from === undefined || to === undefined ? undefined : { kind, from, to };
      }
      case 'add_fields': {
        const p = needMap('{discount_code: {pattern: "SAVE[0-9]{2}"}}');
        if (p === undefined) return undefined;
        const inner =
          Object.keys(p).length === 1 &&
          typeof p['fields'] === 'object' &&
          p['fields'] !== null &&
          !Array.isArray(p['fields']);
        const fields = inner
          ? this.#fields(p['fields'] as Json, [...path, 'fields'])
          : this.#fields(p, path);
        if (Object.keys(fields).length === 0) return undefined;
        return { kind, fields };
      }
      case 'inject_pii': {
        const p = needMap('{field: notes, pii: ssn, rate: 0.01}');
        if (p === undefined) return undefined;
        this.#keys(p, ['field', 'pii', 'rate'], path, ['type']);
        const field = fieldOf(p);
        const piiKey = p['pii'] === undefined && p['type'] !== undefined ? 'type' : 'pii';
        const pii = this.#oneOf<PiiKind>(p[piiKey], PII_KINDS, [...path, piiKey], 'pii', true);
        const rate = rateOf(p, 1);
        return field === undefined || pii === undefined || rate === undefined
          ? undefined
          : { kind, field, pii, rate };
      }
      case 'late_events': {
        const p = needMap('{delay: 10m, rate: 0.3}');
        if (p === undefined) return undefined;
        this.#keys(p, ['delay', 'rate'], path);
        const delay = this.#duration(p['delay'], [...path, 'delay'], 'delay', true);
        const rate = rateOf(p, 1);
        return delay === undefined || rate === undefined ? undefined : { kind, delay, rate };
      }
      case 'duplicates': {
        if (typeof params === 'number') {
          const r = this.#rateProb(params, path, 'rate');
          return r === undefined ? undefined : { kind, rate: r };
        }
        const p = needMap('{rate: 0.2}');
        if (p === undefined) return undefined;
        this.#keys(p, ['rate'], path);
        const rate = rateOf(p, undefined);
        return rate === undefined ? undefined : { kind, rate };
      }
      case 'drop_fields': {
        let fields: string[];
        if (typeof params === 'string') fields = [params];
        else if (Array.isArray(params)) fields = this.#strings(params, path, 'drop_fields');
        else {
          const p = needMap('[field, ...] or {fields: [field, ...]}');
          if (p === undefined) return undefined;
          this.#keys(p, ['fields'], path);
          fields = this.#strings(p['fields'], [...path, 'fields'], 'fields');
        }
        if (fields.length === 0) {
          this.#ctx.error(C.FAULT, path, 'drop_fields needs at least one field name');
          return undefined;
        }
        return { kind, fields };
      }
    }
  }

  #inRange(t: number | undefined, path: Path, end: number, history: number): void {
    if (t === undefined || !this.#startValid) return;
    if (t < this.#start - history || t > end) {
      this.#ctx.warn(
        C.OUT_OF_RANGE,
        path,
        `time is outside the played range [start${history > 0 ? ' - history' : ''}, start + duration]: it has no effect`,
      );
    }
  }

  #deployments(
    v: unknown,
    services: readonly ScenarioService[],
    knownServices: ReadonlySet<string>,
    end: number,
    history: number,
  ): ScenarioDeployment[] {
    const path = ['deployments'];
    const list = this.#list(v, path, 'deployments') ?? [];
    const out: Array<Omit<ScenarioDeployment, 'previousVersion'>> = [];
    const known = ['at', 'service', 'version', 'commit', 'effect'];
    list.forEach((item, i) => {
      const p = [...path, i];
      const d = this.#mapping(item, p, 'a deployment');
      if (d === undefined) return;
      this.#keys(d, known, p);
      const at = this.#time(d['at'], [...p, 'at'], 'at', true);
      this.#inRange(at, [...p, 'at'], end, history);
      const service = this.#string(d['service'], [...p, 'service'], 'service', true);
      if (service !== undefined && !knownServices.has(service)) {
        this.#ctx.warn(
          C.REFERENCE,
          [...p, 'service'],
          `service ${service} is neither under services nor a dataset producer: this deployment affects no records`,
        );
      }
      const version = this.#version(d['version'], [...p, 'version'], 'version', true);
      const commit =
        d['commit'] === undefined
          ? undefined
          : this.#version(d['commit'], [...p, 'commit'], 'commit', false);
      const effects = this.#effects(d['effect'], [...p, 'effect']);
      if (at === undefined || service === undefined || version === undefined) return;
      out.push({ at, service, version, ...(commit === undefined ? {} : { commit }), effects });
    });
    // Stable sort by time; previousVersion follows the chain per service.
    const sorted = out
      .map((d, i) => ({ d, i }))
      .sort((a, b) => a.d.at - b.d.at || a.i - b.i)
      .map((x) => x.d);
    const current = new Map<string, string | undefined>(services.map((s) => [s.name, s.version]));
    return sorted.map((d) => {
      const previousVersion = current.get(d.service);
      current.set(d.service, d.version);
      return { ...d, ...(previousVersion === undefined ? {} : { previousVersion }) };
    });
  }

  #faults(v: unknown, urns: ReadonlySet<string>, end: number, history: number): ScenarioFault[] {
    const path = ['faults'];
    const list = this.#list(v, path, 'faults') ?? [];
    const out: ScenarioFault[] = [];
    const known = ['at', 'dataset', 'kind', 'for', 'params'];
    list.forEach((item, i) => {
      const p = [...path, i];
      const f = this.#mapping(item, p, 'a fault');
      if (f === undefined) return;
      this.#keys(f, known, p);
      const at = this.#time(f['at'], [...p, 'at'], 'at', true);
      this.#inRange(at, [...p, 'at'], end, history);
      const dataset = this.#urn(f['dataset'], [...p, 'dataset'], 'dataset', true);
      if (dataset !== undefined && !urns.has(dataset)) {
        this.#ctx.error(
          C.REFERENCE,
          [...p, 'dataset'],
          `dataset ${dataset} is not declared under datasets`,
        );
      }
      let kind: FaultKind | undefined;
      if (f['kind'] === undefined)
        this.#ctx.error(
          C.REQUIRED,
          [...p, 'kind'],
          `kind is required (one of ${FAULT_KINDS.join(', ')})`,
        );
      else if (
        typeof f['kind'] === 'string' &&
        (FAULT_KINDS as readonly string[]).includes(f['kind'])
      )
        kind = f['kind'] as FaultKind;
      else {
        const near = typeof f['kind'] === 'string' ? suggest(f['kind'], FAULT_KINDS) : undefined;
        this.#ctx.error(
          C.FAULT,
          [...p, 'kind'],
          `unknown fault kind ${typeName(f['kind'])}${near === undefined ? '' : ` (did you mean '${near}'?)`}; one of ${FAULT_KINDS.join(', ')}`,
        );
      }
      const forMs =
        f['for'] === undefined ? undefined : this.#duration(f['for'], [...p, 'for'], 'for', false);
      const effect =
        kind === undefined ? undefined : this.#effect(kind, f['params'], [...p, 'params']);
      if (
        at === undefined ||
        dataset === undefined ||
        kind === undefined ||
        effect === undefined ||
        !urns.has(dataset)
      )
        return;
      out.push({
        at,
        dataset,
        kind,
        ...(forMs === undefined ? {} : { for: forMs }),
        until: forMs === undefined ? Infinity : at + forMs,
        effect,
      });
    });
    return out
      .map((f, i) => ({ f, i }))
      .sort((a, b) => a.f.at - b.f.at || a.i - b.i)
      .map((x) => x.f);
  }

  #expect(
    v: unknown,
    urns: ReadonlySet<string>,
    lineage: readonly ScenarioLineageJob[],
  ): ScenarioExpect {
    const path = ['expect'];
    const result: ScenarioExpect = { signals: [], incidents: [], rca: [] };
    if (v === undefined || v === null) {
      this.#ctx.warn(
        C.REQUIRED,
        path,
        'no expect block: the scenario checks nothing (write incident_count: 0 for "nothing should happen")',
      );
      return result;
    }
    const e = this.#mapping(v, path, 'expect');
    if (e === undefined) return result;
    this.#keys(e, ['signals', 'incidents', 'incident_count', 'rca'], path);
    const knownUrns = new Set([...urns, ...lineage.flatMap((j) => j.writes)]);
    const checkKnown = (urn: string | undefined, p: Path): void => {
      if (urn !== undefined && !knownUrns.has(urn)) {
        this.#ctx.warn(
          C.REFERENCE,
          p,
          `${urn} is not a declared dataset (nor written by a lineage job): nothing will produce it`,
        );
      }
    };

    (this.#list(e['signals'], [...path, 'signals'], 'signals') ?? []).forEach((item, i) => {
      const p = [...path, 'signals', i];
      const s = this.#mapping(item, p, 'a signal expectation');
      if (s === undefined) return;
      this.#keys(s, ['type', 'dataset', 'state', 'within'], p);
      const type = this.#oneOf(s['type'], SIGNAL_TYPES, [...p, 'type'], 'type', true);
      const dataset = this.#urn(s['dataset'], [...p, 'dataset'], 'dataset', true);
      checkKnown(dataset, [...p, 'dataset']);
      const state = this.#oneOf(s['state'], SIGNAL_STATES, [...p, 'state'], 'state', false);
      const within =
        s['within'] === undefined
          ? undefined
          : this.#duration(s['within'], [...p, 'within'], 'within', false);
      if (type === undefined || dataset === undefined) return;
      const sig: ExpectedSignal = {
        type,
        dataset,
        ...(state === undefined ? {} : { state }),
        ...(within === undefined ? {} : { within }),
      };
      result.signals.push(sig);
    });

    (this.#list(e['incidents'], [...path, 'incidents'], 'incidents') ?? []).forEach((item, i) => {
      const p = [...path, 'incidents', i];
      const s = this.#mapping(item, p, 'an incident expectation');
      if (s === undefined) return;
      this.#keys(s, ['severity', 'datasets'], p, ['dataset']);
      let severityIn = s['severity'];
      if (typeof severityIn === 'string' && /^sev-?[123]$/i.test(severityIn)) {
        const norm = `SEV-${severityIn.slice(-1)}`;
        if (norm !== severityIn)
          this.#ctx.warn(C.VALUE, [...p, 'severity'], `severity '${severityIn}' read as ${norm}`);
        severityIn = norm;
      }
      const severity = this.#oneOf(severityIn, SEVERITIES, [...p, 'severity'], 'severity', false);
      const datasets =
        s['dataset'] !== undefined && s['datasets'] === undefined
          ? [this.#urn(s['dataset'], [...p, 'dataset'], 'dataset', true)].filter(
              (x): x is string => x !== undefined,
            )
          : this.#urns(s['datasets'], [...p, 'datasets'], 'datasets');
      datasets.forEach((u, k) => checkKnown(u, [...p, 'datasets', k]));
      const inc: ExpectedIncident = { ...(severity === undefined ? {} : { severity }), datasets };
      result.incidents.push(inc);
    });

    if (e['incident_count'] !== undefined) {
      const n = this.#number(e['incident_count'], [...path, 'incident_count'], 'incident_count', {
        integer: true,
        min: 0,
      });
      if (n !== undefined) {
        result.incidentCount = n;
        if (result.incidents.length > n) {
          this.#ctx.error(
            C.CONFLICT,
            [...path, 'incident_count'],
            `incident_count is ${n} but ${result.incidents.length} incident(s) are expected under incidents`,
          );
        }
      }
    }

    const rcaIn = e['rca'];
    const rcaList = Array.isArray(rcaIn)
      ? rcaIn
      : rcaIn === undefined || rcaIn === null
        ? []
        : [rcaIn];
    rcaList.forEach((item, i) => {
      const p = Array.isArray(rcaIn) ? [...path, 'rca', i] : [...path, 'rca'];
      const r = this.#mapping(item, p, 'rca');
      if (r === undefined) return;
      this.#keys(
        r,
        [
          'root_cause',
          'confidence',
          'first_bad_after',
          'blast_radius_includes',
          'reason_codes_include',
        ],
        p,
      );
      const rca: ExpectedRca = { blastRadiusIncludes: [], reasonCodesInclude: [] };
      const rc = this.#mapping(r['root_cause'], [...p, 'root_cause'], 'root_cause');
      if (rc !== undefined) {
        const rp = [...p, 'root_cause'];
        this.#keys(rc, ['service', 'version', 'commit', 'dataset', 'kind'], rp);
        const cause: ExpectedRootCause = {};
        const service =
          rc['service'] === undefined
            ? undefined
            : this.#string(rc['service'], [...rp, 'service'], 'service', false);
        const version =
          rc['version'] === undefined
            ? undefined
            : this.#version(rc['version'], [...rp, 'version'], 'version', false);
        const commit =
          rc['commit'] === undefined
            ? undefined
            : this.#version(rc['commit'], [...rp, 'commit'], 'commit', false);
        const dataset =
          rc['dataset'] === undefined
            ? undefined
            : this.#urn(rc['dataset'], [...rp, 'dataset'], 'dataset', false);
        checkKnown(dataset, [...rp, 'dataset']);
        const kind =
          rc['kind'] === undefined
            ? undefined
            : this.#oneOf(rc['kind'], CAUSE_KINDS, [...rp, 'kind'], 'kind', false);
        if (service !== undefined) cause.service = service;
        if (version !== undefined) cause.version = version;
        if (commit !== undefined) cause.commit = commit;
        if (dataset !== undefined) cause.dataset = dataset;
        if (kind !== undefined) cause.kind = kind;
        if (
          Object.keys(rc).every(
            (k) => !['service', 'version', 'commit', 'dataset', 'kind'].includes(k),
          )
        ) {
          this.#ctx.error(
            C.REQUIRED,
            rp,
            'root_cause needs {service, version}, {dataset} or {kind}',
          );
        }
        if (version !== undefined && service === undefined) {
          this.#ctx.error(
            C.REQUIRED,
            [...rp, 'service'],
            'root_cause.version needs root_cause.service',
          );
        }
        rca.rootCause = cause;
      }
      const confidence = this.#oneOf(
        r['confidence'],
        CONFIDENCES,
        [...p, 'confidence'],
        'confidence',
        false,
      );
      if (confidence !== undefined) rca.confidence = confidence;
      const fba =
        r['first_bad_after'] === undefined
          ? undefined
          : this.#time(r['first_bad_after'], [...p, 'first_bad_after'], 'first_bad_after', false);
      if (fba !== undefined) rca.firstBadAfter = fba;
      rca.blastRadiusIncludes = this.#strings(
        r['blast_radius_includes'],
        [...p, 'blast_radius_includes'],
        'blast_radius_includes',
      );
      rca.reasonCodesInclude = this.#strings(
        r['reason_codes_include'],
        [...p, 'reason_codes_include'],
        'reason_codes_include',
      );
      rca.reasonCodesInclude.forEach((code, k) => {
        if (tryParseReasonCode(code) === undefined) {
          this.#ctx.warn(
            C.VALUE,
            [...p, 'reason_codes_include', k],
            `'${code}' is not a known reason code (CODE or CODE:field_path)`,
          );
        }
      });
      result.rca.push(rca);
    });
    if (result.incidentCount === 0 && result.rca.length > 0) {
      this.#ctx.error(
        C.CONFLICT,
        [...path, 'rca'],
        'incident_count is 0 but an rca is expected: RCA explains an incident',
      );
    }
    return result;
  }
}

/**
 * Parses and validates a scenario (YAML text). Reports every problem, each with its JSON path,
 * line and column; never throws for bad input.
 */
export function parseScenario(
  text: string,
  options: ParseScenarioOptions = {},
): ParseScenarioResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    schema: 'core',
    version: '1.2',
    uniqueKeys: true,
    prettyErrors: false,
  });
  const ctx = new Context(doc, lines, options.file);
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const pos = lines.linePos(e.pos[0]);
      ctx.problems.push({
        code: C.SYNTAX,
        severity: 'error',
        path: '',
        line: pos.line,
        column: pos.col,
        message: `malformed YAML: ${e.message.split('\n')[0] ?? e.code}`,
        ...(options.file === undefined ? {} : { file: options.file }),
      });
    }
    return { ok: false, problems: ctx.problems };
  }
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    ctx.error(C.SYNTAX, [], `malformed YAML: ${(error as Error).message}`);
    return { ok: false, problems: ctx.problems };
  }
  const scenario = new Validator(ctx, options).scenario(root);
  const sorted = [...ctx.problems].sort((a, b) => a.line - b.line || a.column - b.column);
  if (scenario === undefined || ctx.hasErrors) {
    return { ok: false, problems: sorted };
  }
  return { ok: true, scenario, warnings: sorted };
}

/** Reads and parses a scenario file; contract paths resolve against the file's directory. */
export async function loadScenario(
  path: string,
  options: Omit<ParseScenarioOptions, 'file'> = {},
): Promise<ParseScenarioResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return {
      ok: false,
      problems: [
        {
          code: C.IO,
          severity: 'error',
          path: '',
          line: 1,
          column: 1,
          message: `cannot read scenario file ${path}: ${(error as Error).message}`,
          file: path,
        },
      ],
    };
  }
  return parseScenario(text, { ...options, file: path });
}
