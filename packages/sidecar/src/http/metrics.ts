/** A minimal Prometheus text-format registry (counters, gauges, histograms with labels). */

type Labels = Readonly<Record<string, string>>;

const escapeLabel = (v: string): string =>
  v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

const labelCache = new WeakMap<Labels, string>();

/** Label text; constant label objects are rendered once. */
function labelText(labels: Labels): string {
  const cached = labelCache.get(labels);
  if (cached !== undefined) return cached;
  const text = renderLabels(labels);
  labelCache.set(labels, text);
  return text;
}

function renderLabels(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeLabel(labels[k] as string)}"`).join(',')}}`;
}

interface Metric {
  render(): string;
}

export class Counter implements Metric {
  readonly #values = new Map<string, number>();
  readonly #maxSeries: number;
  constructor(
    readonly name: string,
    readonly help: string,
    maxSeries = 2_000,
  ) {
    this.#maxSeries = maxSeries;
  }
  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    const current = this.#values.get(key);
    if (current === undefined && this.#values.size >= this.#maxSeries) return;
    this.#values.set(key, (current ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.#values.get(labelText(labels)) ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [k, v] of this.#values) lines.push(`${this.name}${k} ${v}`);
    return lines.join('\n');
  }
}

export class Gauge implements Metric {
  readonly #values = new Map<string, number | (() => number)>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  set(value: number | (() => number), labels: Labels = {}): void {
    this.#values.set(labelText(labels), value);
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    for (const [k, v] of this.#values)
      lines.push(`${this.name}${k} ${typeof v === 'function' ? v() : v}`);
    return lines.join('\n');
  }
}

export class Histogram implements Metric {
  readonly #series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}
  observe(value: number, labels: Labels = {}): void {
    const key = labelText(labels);
    let s = this.#series.get(key);
    if (s === undefined) {
      s = { counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.#series.set(key, s);
    }
    for (let i = 0; i < this.buckets.length; i++)
      if (value <= (this.buckets[i] as number)) (s.counts[i] as number)++;
    s.sum += value;
    s.count++;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [key, s] of this.#series) {
      const inner = key === '' ? '' : key.slice(1, -1);
      const withLe = (le: string): string => `{${inner === '' ? '' : `${inner},`}le="${le}"}`;
      this.buckets.forEach((b, i) =>
        lines.push(`${this.name}_bucket${withLe(String(b))} ${s.counts[i]}`),
      );
      lines.push(`${this.name}_bucket${withLe('+Inf')} ${s.count}`);
      lines.push(`${this.name}_sum${key} ${s.sum}`);
      lines.push(`${this.name}_count${key} ${s.count}`);
    }
    return lines.join('\n');
  }
}

const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

/** The sidecar's metrics. */
export class SidecarMetrics {
  readonly records = new Counter(
    'sf_sidecar_records_total',
    'Records handled, by status (produced, quarantined, rejected, error) and source.',
  );
  readonly outcomes = new Counter(
    'sf_sidecar_gate_outcomes_total',
    'Gate results by gate and result.',
  );
  readonly reasons = new Counter(
    'sf_sidecar_reason_codes_total',
    'Reason codes seen, by code (without field path) and gate.',
  );
  readonly evidence = new Counter(
    'sf_sidecar_evidence_total',
    'Evidence records, by status (published, sampled_out, failed).',
  );
  readonly requests = new Counter(
    'sf_sidecar_http_requests_total',
    'HTTP requests by route and status code.',
  );
  readonly gateLatency = new Histogram(
    'sf_sidecar_gate_duration_seconds',
    'Time to run the five gates on one batch.',
    LATENCY_BUCKETS,
  );
  readonly requestLatency = new Histogram(
    'sf_sidecar_request_duration_seconds',
    'Produce request latency (gates, produce, evidence).',
    LATENCY_BUCKETS,
  );
  readonly queueDepth = new Gauge(
    'sf_sidecar_queue_depth',
    'Records accepted and not yet acknowledged.',
  );
  readonly registryStale = new Gauge(
    'sf_sidecar_registry_stale',
    '1 when the last registry refresh failed and the last good copy is served.',
  );
  readonly registryAge = new Gauge(
    'sf_sidecar_registry_age_seconds',
    'Seconds since the last successful registry load.',
  );
  readonly registryFailures = new Gauge(
    'sf_sidecar_registry_refresh_failures',
    'Consecutive failed registry refreshes.',
  );
  readonly ready = new Gauge('sf_sidecar_ready', '1 when the sidecar accepts produce requests.');

  render(): string {
    return `${[
      this.records,
      this.outcomes,
      this.reasons,
      this.evidence,
      this.requests,
      this.gateLatency,
      this.requestLatency,
      this.queueDepth,
      this.registryStale,
      this.registryAge,
      this.registryFailures,
      this.ready,
    ]
      .map((m) => m.render())
      .join('\n')}\n`;
  }
}
