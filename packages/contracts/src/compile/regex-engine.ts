import RE2 from 're2';

/**
 * The regular-expression engine handed to ajv (`code.regExp`). Every contract pattern must
 * compile on RE2 (so backreferences and lookarounds are rejected). A pattern that is provably
 * linear on a backtracking engine (see `isLinearPattern`) runs on V8's RegExp, which is about
 * 20× faster than RE2 on short strings; every other pattern runs on RE2. Either way no contract
 * can make validation super-linear.
 */
export function contractRegExp(pattern: string, flags: string): RegExp {
  return isLinearPattern(pattern)
    ? new RegExp(pattern, flags)
    : (new RE2(pattern, flags) as unknown as RegExp);
}
contractRegExp.code = 'contractRegExp';

/** Throws the engine's message when RE2 (or, for the fast subset, V8) cannot compile the pattern. */
export function checkPattern(pattern: string): void {
  new RE2(pattern, 'u');
  if (isLinearPattern(pattern)) new RegExp(pattern, 'u');
}

type CharSet = { ranges: Array<[number, number]> } | 'any';

interface Atom {
  set: CharSet;
  min: number;
  max: number;
}

const DIGIT: Array<[number, number]> = [[48, 57]];
const WORD: Array<[number, number]> = [
  [48, 57],
  [65, 90],
  [95, 95],
  [97, 122],
];

function escapeSet(ch: string): Array<[number, number]> | undefined {
  if (ch === 'd') return DIGIT;
  if (ch === 'w') return WORD;
  if (/[.\\/\-^$*+?()[\]{}|]/.test(ch)) return [[ch.charCodeAt(0), ch.charCodeAt(0)]];
  return undefined; // \s, \D, \b, \1 … : not in the analysable subset
}

/**
 * True when the pattern belongs to a subset that a backtracking engine matches in linear time:
 * no groups, alternation, backreferences or lookarounds; a variable quantifier only on a single
 * character or positive class, in a `^`-anchored pattern, and followed by a mandatory atom (or
 * `$`) whose characters are disjoint from its own — so a greedy run can never be re-split.
 */
export function isLinearPattern(pattern: string): boolean {
  if (pattern.length > 512) return false;
  const atoms: Atom[] = [];
  let i = 0;
  let anchoredStart = false;
  if (pattern.startsWith('^')) {
    anchoredStart = true;
    i = 1;
  }
  while (i < pattern.length) {
    const c = pattern[i] as string;
    let set: CharSet;
    if (c === '$' && i === pattern.length - 1) {
      i += 1;
      break;
    } else if (c === '\\') {
      const e = pattern[i + 1];
      if (e === undefined) return false;
      const ranges = escapeSet(e);
      if (ranges === undefined) return false;
      set = { ranges };
      i += 2;
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0 || pattern[i + 1] === '^' || pattern[i + 1] === ']') return false;
      const body = pattern.slice(i + 1, end);
      const ranges: Array<[number, number]> = [];
      for (let j = 0; j < body.length; j++) {
        let ch = body[j] as string;
        if (ch === '\\') {
          const e = body[j + 1];
          if (e === undefined) return false;
          const r = escapeSet(e);
          if (r === undefined) return false;
          ranges.push(...r);
          j += 1;
          continue;
        }
        if (ch === '[') return false;
        const lo = ch.charCodeAt(0);
        if (lo >= 0xd800 && lo <= 0xdfff) return false; // astral characters: not analysed
        if (body[j + 1] === '-' && j + 2 < body.length) {
          ch = body[j + 2] as string;
          if (ch === '\\' || ch === '[') return false;
          const hi = ch.charCodeAt(0);
          if (hi >= 0xd800 && hi <= 0xdfff) return false;
          if (hi < lo) return false;
          ranges.push([lo, hi]);
          j += 2;
        } else {
          ranges.push([lo, lo]);
        }
      }
      set = { ranges };
      i = end + 1;
    } else if (c === '.') {
      set = 'any';
      i += 1;
    } else if ('()|^$*+?{}]'.includes(c)) {
      return false;
    } else {
      const cp = c.charCodeAt(0);
      if (cp >= 0xd800 && cp <= 0xdfff) return false; // astral characters: not analysed
      set = { ranges: [[cp, cp]] };
      i += 1;
    }
    let min = 1;
    let max = 1;
    const q = pattern[i];
    if (q === '*' || q === '+' || q === '?') {
      min = q === '+' ? 1 : 0;
      max = q === '?' ? 1 : Infinity;
      i += 1;
    } else if (q === '{') {
      const m = /^\{(\d{1,4})(,(\d{0,4}))?\}/.exec(pattern.slice(i));
      if (m === null) return false;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (max < min) return false;
      i += m[0].length;
    }
    if (pattern[i] === '?' || pattern[i] === '+') return false; // lazy / possessive forms
    atoms.push({ set, min, max });
  }
  if (i !== pattern.length) return false;
  for (let k = 0; k < atoms.length; k++) {
    const atom = atoms[k] as Atom;
    if (atom.min === atom.max) continue;
    if (!anchoredStart) return false;
    const next = atoms[k + 1];
    // A trailing greedy run never backtracks into anything (`$` only checks the end).
    if (next === undefined) continue;
    if (next.min === 0 || !disjoint(atom.set, next.set)) return false;
  }
  return true;
}

function disjoint(a: CharSet, b: CharSet): boolean {
  if (a === 'any' || b === 'any') return false;
  for (const [alo, ahi] of a.ranges) {
    for (const [blo, bhi] of b.ranges) {
      if (alo <= bhi && blo <= ahi) return false;
    }
  }
  return true;
}
