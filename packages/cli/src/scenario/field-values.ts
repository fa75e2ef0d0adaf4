import { personalEmail } from './pii-values';
import { createPrng, type Prng } from './prng';
import { compilePattern, type PatternGenerator } from './regex-generator';
import type { FieldGenerator } from './types';

/** Builds record values from field generators; one PRNG per field path so fields draw independently. */
export class RecordBuilder {
  readonly #fields: ReadonlyArray<{ name: string; build: (eventTime: number) => unknown }>;

  /** `labels` identify the stream (seed, dataset, traffic index). */
  constructor(
    fields: Readonly<Record<string, FieldGenerator>>,
    seed: number,
    labels: readonly string[],
  ) {
    this.#fields = Object.entries(fields).map(([name, gen]) => ({
      name,
      build: fieldBuilder(gen, seed, [...labels, name]),
    }));
  }

  /** Field names at the top level, in declaration order. */
  get names(): string[] {
    return this.#fields.map((f) => f.name);
  }

  /** One record's value; `event_time` fields get `eventTime` as RFC 3339. */
  build(eventTime: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const f of this.#fields) out[f.name] = f.build(eventTime);
    return out;
  }
}

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex8(n: number): string {
  return (
    (HEX2[(n >>> 24) & 255] as string) +
    (HEX2[(n >>> 16) & 255] as string) +
    (HEX2[(n >>> 8) & 255] as string) +
    (HEX2[n & 255] as string)
  );
}

/** RFC 4122 version-4 UUID from four 32-bit draws. */
function uuid(rng: Prng): string {
  const a = hex8(rng.u32());
  const b = hex8(rng.u32());
  const c = hex8(rng.u32());
  const d = hex8(rng.u32());
  const variant = ((parseInt(c[0] as string, 16) & 3) | 8).toString(16);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

const patternCache = new Map<string, PatternGenerator>();

function pattern(source: string): PatternGenerator {
  let g = patternCache.get(source);
  if (g === undefined) {
    g = compilePattern(source);
    patternCache.set(source, g);
  }
  return g;
}

let lastIsoMs = NaN;
let lastIso = '';

/** RFC 3339 of epoch ms, with a one-entry cache (a record's field and header share it). */
export function isoTime(ms: number): string {
  if (ms !== lastIsoMs) {
    lastIsoMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

function round(x: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

/** A closure producing one field's value per record. */
export function fieldBuilder(
  gen: FieldGenerator,
  seed: number,
  labels: readonly string[],
): (eventTime: number) => unknown {
  const rng = createPrng(seed, 'field', ...labels);
  switch (gen.kind) {
    case 'uuid':
      return () => uuid(rng);
    case 'email':
      return () => personalEmail(rng);
    case 'event_time':
      return isoTime;
    case 'pattern': {
      const p = pattern(gen.pattern);
      return () => p.generate(rng);
    }
    case 'int':
      return () => rng.int(gen.min, gen.max);
    case 'float':
      return () =>
        Math.min(gen.max, round(gen.min + rng.next() * (gen.max - gen.min), gen.decimals));
    case 'enum': {
      const values = gen.values;
      const weights = gen.weights;
      if (weights === undefined) return () => structuredCloneIfObject(rng.pick(values));
      const total = weights.reduce((a, b) => a + b, 0);
      return () => {
        let r = rng.next() * total;
        for (let i = 0; i < values.length; i++) {
          r -= weights[i] as number;
          if (r < 0) return structuredCloneIfObject(values[i]);
        }
        return structuredCloneIfObject(values[values.length - 1]);
      };
    }
    case 'const':
      return () => structuredCloneIfObject(gen.value);
    case 'object': {
      const inner = new RecordBuilder(gen.fields, seed, labels);
      return (t) => inner.build(t);
    }
  }
}

function structuredCloneIfObject(v: unknown): unknown {
  return typeof v === 'object' && v !== null ? structuredClone(v) : v;
}
