import { LLM_FALLBACK_REASONS, type LlmFallbackReason } from '../errors';
import type { RcaReport } from '../types';

export type LlmTextCheck =
  | { ok: true; text: string; refs: string[] }
  | { ok: false; reason: LlmFallbackReason; detail: string };

const BRACKETS = /\[([^[\]]{1,200})\]/g;
const EVIDENCE_ID = /\bev_[0-9a-f]{32}\b/g;
const TIME = /\b\d{1,2}:\d{2}(?::\d{2})?\b/g;
const URN = /urn:dp:[A-Za-z0-9._~\-:]+/g;
const VERSION = /\b\d+\.\d+(?:\.\d+)*\b/g;
const HEX = /\b[0-9a-f]{7,40}\b/g;

/**
 * Accepts an LLM summary only if it is non-empty text that cites evidence refs present in the
 * report (at least one), and mentions no time, dataset URN, version or commit the report lacks.
 */
export function validateLlmText(text: string, report: RcaReport): LlmTextCheck {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, reason: LLM_FALLBACK_REASONS.EMPTY, detail: 'no text' };
  const refs = new Set(report.evidence.map((e) => e.ref));
  const ids = new Set(report.evidence.map((e) => e.id));
  const cited: string[] = [];
  for (const match of trimmed.matchAll(BRACKETS)) {
    for (const token of (match[1] ?? '').split(/[\s,;]+/).filter((t) => t !== '')) {
      if (refs.has(token) || ids.has(token)) {
        if (!cited.includes(token)) cited.push(token);
        continue;
      }
      return {
        ok: false,
        reason: LLM_FALLBACK_REASONS.BAD_CITATIONS,
        detail: `cites ${JSON.stringify(token.slice(0, 60))}, which is not in the report`,
      };
    }
  }
  for (const match of trimmed.matchAll(EVIDENCE_ID)) {
    if (!ids.has(match[0])) {
      return {
        ok: false,
        reason: LLM_FALLBACK_REASONS.BAD_CITATIONS,
        detail: `names evidence ${match[0]}, which is not in the report`,
      };
    }
  }
  if (cited.length === 0) {
    return {
      ok: false,
      reason: LLM_FALLBACK_REASONS.BAD_CITATIONS,
      detail: 'cites no evidence ref',
    };
  }
  const { summary: _summary, ...rest } = report;
  const haystack = `${JSON.stringify(rest)}\n${report.summary.template}`;
  const unsupported = (pattern: RegExp, what: string, strip = false): string | undefined => {
    for (const match of trimmed.matchAll(pattern)) {
      const value = strip ? match[0].replace(/[.:-]+$/, '') : match[0];
      if (!haystack.includes(value))
        return `mentions ${what} ${JSON.stringify(value)}, which is not in the report`;
    }
    return undefined;
  };
  const problem =
    unsupported(TIME, 'the time') ??
    unsupported(URN, 'the dataset', true) ??
    unsupported(VERSION, 'the version') ??
    [...trimmed.matchAll(HEX)]
      .map((m) => m[0])
      .filter((h) => /[0-9]/.test(h) && /[a-f]/.test(h))
      .map((h) =>
        haystack.includes(h)
          ? undefined
          : `mentions the commit ${JSON.stringify(h)}, which is not in the report`,
      )
      .find((p) => p !== undefined);
  if (problem !== undefined) {
    return { ok: false, reason: LLM_FALLBACK_REASONS.UNSUPPORTED_CLAIM, detail: problem };
  }
  return { ok: true, text: trimmed, refs: cited };
}
