import { TRACEPARENT_HEADER, TRACESTATE_HEADER } from '../headers/header-names';
import { tryParseTraceparent, type Traceparent } from './traceparent';
import { parseTracestate, type TracestateEntry } from './tracestate';

/** A header value as HTTP or Kafka clients deliver it. */
export type TraceHeaderValue = string | Uint8Array | ReadonlyArray<string | Uint8Array> | undefined;

/**
 * Incoming headers: a list of `{name, value}` or `[name, value]` (several entries may share a
 * name), or an object such as Node's `IncomingHttpHeaders` or kafkajs `IHeaders`.
 * Header names are matched case-insensitively.
 */
export type TraceHeaders =
  | ReadonlyArray<{ name: string; value: TraceHeaderValue }>
  | ReadonlyArray<readonly [string, TraceHeaderValue]>
  | Readonly<Record<string, TraceHeaderValue>>;

/** What a receiver does with the incoming trace context (W3C Trace Context processing model). */
export type TraceContextOutcome =
  /** No `traceparent`: start a new trace and ignore any `tracestate`. */
  | 'start_new_trace'
  /** `traceparent` present but invalid or duplicated: start a new trace, discard `tracestate`. */
  | 'restart_trace'
  /** Continue the caller's trace and keep its `tracestate`. */
  | 'continue_trace'
  /** Continue the caller's trace; the `tracestate` was invalid and is discarded. */
  | 'continue_trace_discard_tracestate';

/** Result of `extractTraceContext`. */
export interface ExtractedTraceContext {
  outcome: TraceContextOutcome;
  /** The parsed parent, when the outcome continues the trace. */
  traceparent?: Traceparent;
  /** Members to propagate, in order; empty when there are none or they were discarded. */
  tracestate: TracestateEntry[];
}

const decoder = new TextDecoder();

function toStrings(value: TraceHeaderValue): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const item of list as ReadonlyArray<unknown>) {
    if (typeof item === 'string') out.push(item);
    else if (item instanceof Uint8Array) out.push(decoder.decode(item));
  }
  return out;
}

function collect(headers: TraceHeaders): { parents: string[]; states: string[] } {
  const parents: string[] = [];
  const states: string[] = [];
  const add = (name: unknown, value: TraceHeaderValue): void => {
    if (typeof name !== 'string') return;
    const lower = name.toLowerCase();
    if (lower === TRACEPARENT_HEADER) parents.push(...toStrings(value));
    else if (lower === TRACESTATE_HEADER) states.push(...toStrings(value));
  };
  if (Array.isArray(headers)) {
    for (const entry of headers as ReadonlyArray<unknown>) {
      if (Array.isArray(entry)) add(entry[0], entry[1] as TraceHeaderValue);
      else if (typeof entry === 'object' && entry !== null) {
        const { name, value } = entry as { name?: unknown; value?: TraceHeaderValue };
        add(name, value);
      }
    }
  } else if (typeof headers === 'object' && headers !== null) {
    for (const [name, value] of Object.entries(headers as Record<string, TraceHeaderValue>))
      add(name, value);
  }
  return { parents, states };
}

/**
 * Applies the W3C Trace Context processing model to a request's or record's headers. Never throws:
 * malformed input yields `start_new_trace`, `restart_trace` or a discarded `tracestate`.
 */
export function extractTraceContext(
  headers: TraceHeaders | null | undefined,
): ExtractedTraceContext {
  if (headers === null || headers === undefined)
    return { outcome: 'start_new_trace', tracestate: [] };
  const { parents, states } = collect(headers);
  if (parents.length === 0) return { outcome: 'start_new_trace', tracestate: [] };
  if (parents.length > 1) return { outcome: 'restart_trace', tracestate: [] };
  const traceparent = tryParseTraceparent(parents[0]);
  if (traceparent === undefined) return { outcome: 'restart_trace', tracestate: [] };
  if (states.length === 0) return { outcome: 'continue_trace', traceparent, tracestate: [] };
  try {
    return { outcome: 'continue_trace', traceparent, tracestate: parseTracestate(states) };
  } catch {
    return { outcome: 'continue_trace_discard_tracestate', traceparent, tracestate: [] };
  }
}
