import { isDatasetUrn } from '@signal-factory/core';
import { lineageError, LINEAGE_ERROR_CODES, type Problem } from '../errors';

/** One pattern rule: the first matching pattern (in order) wins. */
export interface DatasetPatternRule {
  /**
   * A glob (`raw.orders.*`: `*` matches any run of characters, `?` one character; each wildcard is a
   * capture group) or a regular expression written `/…/` or starting with `^` (anchored as written).
   * Regexes are trusted configuration: keep them linear (no nested quantifiers).
   */
  pattern: string;
  /** The dataset URN; `$1`…`$9` insert capture groups. Must yield a valid dataset URN. */
  urn: string;
}

export interface DatasetResolverOptions {
  /** Topic → dataset URN, checked first. */
  exact?: Record<string, string>;
  /** Checked in order when no exact entry matches. */
  patterns?: DatasetPatternRule[];
  /** Most resolutions remembered (pattern matches are cached by topic). Default 10,000. */
  cacheSize?: number;
}

/** Why a topic did not resolve. */
export type UnresolvedReason = 'UNRESOLVED_TOPIC' | 'INVALID_TOPIC' | 'INVALID_URN';

export type DatasetResolution =
  | { resolved: true; urn: string; matchedBy: 'exact' | 'pattern'; pattern?: string }
  | { resolved: false; reason: UnresolvedReason; detail: string };

export interface DatasetResolver {
  /** Topic (or any dataset name) → URN: exact map first, then patterns in order. Never throws. */
  resolve(topic: string): DatasetResolution;
}

// Names from other systems (tables, paths) may be longer than Kafka topics; bounded all the same.
const MAX_NAME_LENGTH = 1024;

interface CompiledRule {
  regex: RegExp;
  urn: string;
  pattern: string;
}

function globToRegex(glob: string): RegExp {
  let source = '^';
  for (const ch of glob) {
    if (ch === '*') source += '(.*?)';
    else if (ch === '?') source += '(.)';
    else source += ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`${source}$`, 'u');
}

function compilePattern(pattern: string): RegExp {
  const slashed = /^\/(.*)\/([imsu]*)$/su.exec(pattern);
  if (slashed !== null) return new RegExp(slashed[1] ?? '', slashed[2]);
  if (pattern.startsWith('^')) return new RegExp(pattern, 'u');
  return globToRegex(pattern);
}

function substitute(template: string, match: RegExpExecArray): string {
  return template.replace(/\$(\d)/g, (_, n: string) => match[Number(n)] ?? '');
}

/**
 * Creates the topic → dataset URN resolver shared by lineage ingestion and the sidecar's gate G1:
 * an exact map first, then patterns in order. Options are validated at once; every problem is
 * reported with its path (`SF_ERR_LINEAGE_OPTIONS_INVALID`).
 */
export function createDatasetResolver(options: DatasetResolverOptions = {}): DatasetResolver {
  const problems: Problem[] = [];
  const exact = new Map<string, string>();
  for (const [topic, urn] of Object.entries(options.exact ?? {})) {
    if (!isDatasetUrn(urn))
      problems.push({ path: `exact[${JSON.stringify(topic)}]`, message: 'not a dataset URN' });
    else exact.set(topic, urn);
  }
  const rules: CompiledRule[] = [];
  (options.patterns ?? []).forEach((rule, i) => {
    const path = `patterns[${i}]`;
    if (typeof rule?.pattern !== 'string' || rule.pattern.length === 0) {
      problems.push({ path: `${path}.pattern`, message: 'must be a non-empty string' });
      return;
    }
    let regex: RegExp;
    try {
      regex = compilePattern(rule.pattern);
    } catch (error) {
      problems.push({
        path: `${path}.pattern`,
        message: `not a valid pattern: ${(error as Error).message}`,
      });
      return;
    }
    if (typeof rule.urn !== 'string' || !isDatasetUrn(rule.urn.replace(/\$\d/g, 'x'))) {
      problems.push({
        path: `${path}.urn`,
        message: 'must be a dataset URN template (use $1…$9 for groups)',
      });
      return;
    }
    rules.push({ regex, urn: rule.urn, pattern: rule.pattern });
  });
  const cacheSize = options.cacheSize ?? 10_000;
  if (!Number.isInteger(cacheSize) || cacheSize < 0) {
    problems.push({ path: 'cacheSize', message: 'must be a non-negative integer' });
  }
  if (problems.length > 0) {
    throw lineageError(
      LINEAGE_ERROR_CODES.OPTIONS_INVALID,
      `Invalid dataset resolver options: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
      { details: { problems } },
    );
  }

  const cache = new Map<string, DatasetResolution>();
  const remember = (topic: string, resolution: DatasetResolution): DatasetResolution => {
    if (cacheSize > 0) {
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
      cache.set(topic, resolution);
    }
    return resolution;
  };

  return {
    resolve(topic: string): DatasetResolution {
      if (typeof topic !== 'string' || topic.length === 0 || topic.length > MAX_NAME_LENGTH) {
        return {
          resolved: false,
          reason: 'INVALID_TOPIC',
          detail: 'empty, not a string, or too long',
        };
      }
      const direct = exact.get(topic);
      if (direct !== undefined) return { resolved: true, urn: direct, matchedBy: 'exact' };
      const cached = cache.get(topic);
      if (cached !== undefined) return cached;
      for (const rule of rules) {
        const match = rule.regex.exec(topic);
        if (match === null) continue;
        const urn = substitute(rule.urn, match);
        if (!isDatasetUrn(urn)) {
          return remember(topic, {
            resolved: false,
            reason: 'INVALID_URN',
            detail: `pattern ${rule.pattern} gave ${JSON.stringify(String(urn).slice(0, 120))}, not a dataset URN`,
          });
        }
        return remember(topic, {
          resolved: true,
          urn,
          matchedBy: 'pattern',
          pattern: rule.pattern,
        });
      }
      return remember(topic, {
        resolved: false,
        reason: 'UNRESOLVED_TOPIC',
        detail: 'no exact entry and no pattern matches',
      });
    },
  };
}
