import type { Prng } from './prng';

/**
 * Generates strings that match a regular expression, for the `{pattern: regex}` field generator.
 *
 * Supported subset (JavaScript syntax): literals, `.`, classes `[a-z0-9_]` and negated classes
 * `[^...]`, escapes `\d \w \s \D \W \S \n \t \r \f \v \0 \xHH \uHHHH` and escaped punctuation,
 * groups `(...)`, `(?:...)`, `(?<name>...)`, alternation `|`, quantifiers `? * + {n} {n,} {n,m}`
 * (lazy `?` suffixes accepted), anchors `^` and `$` (ignored). Unbounded quantifiers repeat at
 * most `min + 8` times. Negated classes, `.` and `\D \W \S` draw from printable ASCII.
 * Not supported (rejected with a message): back-references, lookaround, `\b`/`\B`, flags.
 */

type Node =
  | { t: 'chars'; codes: readonly number[] }
  | { t: 'seq'; items: readonly Node[] }
  | { t: 'alt'; options: readonly Node[] }
  | { t: 'rep'; body: Node; min: number; max: number };

/** A compiled pattern generator. */
export interface PatternGenerator {
  /** The source regex. */
  readonly source: string;
  /** One string matching the source. */
  generate(rng: Prng): string;
}

/** Thrown by {@link compilePattern} for patterns outside the supported subset. */
export class PatternSyntaxError extends Error {
  /** Offset in the pattern where the problem was found. */
  readonly position: number;
  constructor(message: string, position: number) {
    super(message);
    this.name = 'PatternSyntaxError';
    this.position = position;
  }
}

const UNBOUNDED_EXTRA = 8;
const PRINTABLE: readonly number[] = range(32, 126);
const DIGITS = range(48, 57);
const WORD = [...range(48, 57), ...range(65, 90), 95, ...range(97, 122)];
const SPACE = [32, 9];

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let c = from; c <= to; c++) out.push(c);
  return out;
}

function complement(codes: readonly number[]): number[] {
  const set = new Set(codes);
  return PRINTABLE.filter((c) => !set.has(c));
}

class Parser {
  readonly #src: string;
  #i = 0;

  constructor(src: string) {
    this.#src = src;
  }

  parse(): Node {
    const node = this.#alternation();
    if (this.#i < this.#src.length) {
      throw new PatternSyntaxError(`unmatched ')' at offset ${this.#i}`, this.#i);
    }
    return node;
  }

  #peek(): string | undefined {
    return this.#src[this.#i];
  }

  #alternation(): Node {
    const options: Node[] = [this.#sequence()];
    while (this.#peek() === '|') {
      this.#i++;
      options.push(this.#sequence());
    }
    return options.length === 1 ? (options[0] as Node) : { t: 'alt', options };
  }

  #sequence(): Node {
    const items: Node[] = [];
    for (;;) {
      const c = this.#peek();
      if (c === undefined || c === '|' || c === ')') break;
      const atom = this.#atom();
      if (atom === undefined) continue;
      items.push(this.#quantified(atom));
    }
    return items.length === 1 ? (items[0] as Node) : { t: 'seq', items };
  }

  #quantified(atom: Node): Node {
    const c = this.#peek();
    let min: number;
    let max: number;
    if (c === '?') {
      min = 0;
      max = 1;
      this.#i++;
    } else if (c === '*') {
      min = 0;
      max = UNBOUNDED_EXTRA;
      this.#i++;
    } else if (c === '+') {
      min = 1;
      max = 1 + UNBOUNDED_EXTRA;
      this.#i++;
    } else if (c === '{') {
      const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(this.#src.slice(this.#i));
      if (m === null) return atom; // a literal '{' follows; handled as the next atom
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? min + UNBOUNDED_EXTRA : Number(m[3]);
      if (max > 10_000) {
        throw new PatternSyntaxError(`quantifier bound ${max} is too large (max 10000)`, this.#i);
      }
      this.#i += m[0].length;
    } else {
      return atom;
    }
    if (this.#peek() === '?') this.#i++; // lazy: same language
    return { t: 'rep', body: atom, min, max };
  }

  #atom(): Node | undefined {
    const c = this.#src[this.#i] as string;
    const at = this.#i;
    switch (c) {
      case '^':
      case '$':
        this.#i++;
        if (
          /^[?*+]/.test(this.#src.slice(this.#i)) ||
          /^\{\d+(,\d*)?\}/.test(this.#src.slice(this.#i))
        ) {
          throw new PatternSyntaxError(`nothing to repeat after anchor '${c}' at offset ${at}`, at);
        }
        return undefined;
      case '.':
        this.#i++;
        return { t: 'chars', codes: PRINTABLE };
      case '[':
        return this.#klass();
      case '(':
        return this.#group();
      case '\\':
        return { t: 'chars', codes: this.#escape(false) };
      case '?':
      case '*':
      case '+':
        throw new PatternSyntaxError(`nothing to repeat at offset ${at}`, at);
      case '{':
        if (/^\{\d+(,\d*)?\}/.test(this.#src.slice(this.#i))) {
          throw new PatternSyntaxError(`nothing to repeat at offset ${at}`, at);
        }
        this.#i++;
        return { t: 'chars', codes: [c.charCodeAt(0)] };
      default: {
        const code = this.#src.codePointAt(this.#i) as number;
        this.#i += code > 0xffff ? 2 : 1;
        if (code > 0xffff) {
          throw new PatternSyntaxError(
            `characters outside the BMP are not supported (offset ${at})`,
            at,
          );
        }
        return { t: 'chars', codes: [code] };
      }
    }
  }

  #group(): Node {
    const at = this.#i;
    this.#i++;
    const rest = this.#src.slice(this.#i);
    if (rest.startsWith('?:')) {
      this.#i += 2;
    } else if (rest.startsWith('?<') && !rest.startsWith('?<=') && !rest.startsWith('?<!')) {
      const m = /^\?<([A-Za-z_$][\w$]*)>/.exec(rest);
      if (m === null) throw new PatternSyntaxError(`malformed group name at offset ${at}`, at);
      this.#i += m[0].length;
    } else if (rest.startsWith('?')) {
      throw new PatternSyntaxError(
        `lookaround and special groups are not supported (offset ${at})`,
        at,
      );
    }
    const body = this.#alternation();
    if (this.#peek() !== ')')
      throw new PatternSyntaxError(`unterminated group at offset ${at}`, at);
    this.#i++;
    return body;
  }

  #klass(): Node {
    const at = this.#i;
    this.#i++;
    let negate = false;
    if (this.#peek() === '^') {
      negate = true;
      this.#i++;
    }
    const codes = new Set<number>();
    let first = true;
    for (;;) {
      const c = this.#peek();
      if (c === undefined) throw new PatternSyntaxError(`unterminated class at offset ${at}`, at);
      if (c === ']' && !first) {
        this.#i++;
        break;
      }
      if (c === ']' && first) {
        // `[]` matches nothing in JS and `[^]` anything: both are unusual; reject.
        throw new PatternSyntaxError(`empty character class at offset ${at}`, at);
      }
      first = false;
      const lo = this.#classAtom();
      if (
        lo.length === 1 &&
        this.#peek() === '-' &&
        this.#src[this.#i + 1] !== undefined &&
        this.#src[this.#i + 1] !== ']'
      ) {
        this.#i++;
        const hi = this.#classAtom();
        if (hi.length !== 1) {
          throw new PatternSyntaxError(`invalid range in class at offset ${at}`, at);
        }
        const a = lo[0] as number;
        const b = hi[0] as number;
        if (b < a) throw new PatternSyntaxError(`range out of order in class at offset ${at}`, at);
        for (let x = a; x <= b; x++) codes.add(x);
      } else {
        for (const x of lo) codes.add(x);
      }
    }
    const list = [...codes].sort((x, y) => x - y);
    const result = negate ? complement(list) : list;
    if (result.length === 0) {
      throw new PatternSyntaxError(`class at offset ${at} matches no printable character`, at);
    }
    return { t: 'chars', codes: result };
  }

  #classAtom(): number[] {
    const c = this.#src[this.#i] as string;
    if (c === '\\') return this.#escape(true);
    const code = this.#src.codePointAt(this.#i) as number;
    if (code > 0xffff) {
      throw new PatternSyntaxError(
        `characters outside the BMP are not supported (offset ${this.#i})`,
        this.#i,
      );
    }
    this.#i++;
    return [code];
  }

  #escape(inClass: boolean): number[] {
    const at = this.#i;
    const c = this.#src[this.#i + 1];
    if (c === undefined) throw new PatternSyntaxError('pattern ends with a lone backslash', at);
    this.#i += 2;
    switch (c) {
      case 'd':
        return DIGITS;
      case 'D':
        return complement(DIGITS);
      case 'w':
        return WORD;
      case 'W':
        return complement(WORD);
      case 's':
        return SPACE;
      case 'S':
        return complement([...SPACE, 10, 11, 12, 13]);
      case 'n':
        return [10];
      case 't':
        return [9];
      case 'r':
        return [13];
      case 'f':
        return [12];
      case 'v':
        return [11];
      case '0':
        if (/[0-9]/.test(this.#src[this.#i] ?? '')) {
          throw new PatternSyntaxError(`octal escapes are not supported (offset ${at})`, at);
        }
        return [0];
      case 'x': {
        const m = /^[0-9a-fA-F]{2}/.exec(this.#src.slice(this.#i));
        if (m === null) throw new PatternSyntaxError(`malformed \\x escape at offset ${at}`, at);
        this.#i += 2;
        return [parseInt(m[0], 16)];
      }
      case 'u': {
        const m = /^[0-9a-fA-F]{4}/.exec(this.#src.slice(this.#i));
        if (m === null) throw new PatternSyntaxError(`malformed \\u escape at offset ${at}`, at);
        this.#i += 4;
        return [parseInt(m[0], 16)];
      }
      case 'b':
        if (inClass) return [8];
        throw new PatternSyntaxError(`word boundaries (\\b) are not supported (offset ${at})`, at);
      case 'B':
        throw new PatternSyntaxError(`\\B is not supported (offset ${at})`, at);
      default:
        if (/[1-9]/.test(c)) {
          throw new PatternSyntaxError(`back-references are not supported (offset ${at})`, at);
        }
        if (/[A-Za-z]/.test(c)) {
          throw new PatternSyntaxError(`unknown escape \\${c} at offset ${at}`, at);
        }
        return [c.charCodeAt(0)];
    }
  }
}

function emit(node: Node, rng: Prng, out: string[]): void {
  switch (node.t) {
    case 'chars':
      out.push(String.fromCharCode(rng.pick(node.codes)));
      return;
    case 'seq':
      for (const item of node.items) emit(item, rng, out);
      return;
    case 'alt':
      emit(rng.pick(node.options), rng, out);
      return;
    case 'rep': {
      const n = rng.int(node.min, node.max);
      for (let k = 0; k < n; k++) emit(node.body, rng, out);
      return;
    }
  }
}

/**
 * Compiles a pattern into a generator; throws {@link PatternSyntaxError} when the pattern is not
 * a valid JavaScript regex or uses an unsupported construct.
 */
export function compilePattern(source: string): PatternGenerator {
  try {
    new RegExp(source);
  } catch (error) {
    throw new PatternSyntaxError(`invalid regular expression: ${(error as Error).message}`, 0);
  }
  const root = new Parser(source).parse();
  return {
    source,
    generate(rng: Prng): string {
      const out: string[] = [];
      emit(root, rng, out);
      return out.join('');
    },
  };
}
