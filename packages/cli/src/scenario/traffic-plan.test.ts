import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { loadScenario } from './parse-scenario';
import { ibanValid, luhnValid } from './pii-values';
import { scenarioFrom } from './testing/build-scenario';
import { REPO_SCENARIOS } from './testing/paths';
import {
  convertValue,
  createTrafficPlan,
  expectedRecords,
  historySummary,
  type SimEvent,
  type SimRecord,
} from './traffic-plan';

const MIN = 60_000;

function records(events: Iterable<SimEvent>, dataset?: string): SimRecord[] {
  const out: SimRecord[] = [];
  for (const e of events)
    if (e.kind === 'record' && (dataset === undefined || e.dataset === dataset)) out.push(e);
  return out;
}

/** A one-dataset scenario with extra YAML appended. */
function single(
  extra = '',
  opts: { rate?: string; duration?: string; seed?: number; record?: string } = {},
): string {
  return `name: t
start: 2026-01-15T09:00:00Z
duration: ${opts.duration ?? '60m'}
seed: ${opts.seed ?? 5}
datasets:
  - { urn: "urn:dp:orders:created", topic: raw.orders, producer: orders-svc }
services:
  - { name: orders-svc, version: "1.0" }
traffic:
  - dataset: urn:dp:orders:created
    rate: ${opts.rate ?? '250/min'}
    record: ${opts.record ?? '{ id: uuid, customer_id: { pattern: "C[0-9]{6}" }, amount: { float: [5, 500] }, email: email, notes: { const: "" }, created_at: event_time }'}
${extra}`;
}

function within(actual: number, expected: number, sigmas = 5): void {
  const sd = Math.sqrt(Math.max(expected, 1));
  expect(
    Math.abs(actual - expected),
    `actual ${actual}, expected ${expected} ± ${sigmas}σ`,
  ).toBeLessThanOrEqual(sigmas * sd);
}

describe('createTrafficPlan', () => {
  it('is deterministic for a seed and differs for another seed', () => {
    const a = [...createTrafficPlan(scenarioFrom(single('', { duration: '15m' })))];
    const b = [...createTrafficPlan(scenarioFrom(single('', { duration: '15m' })))];
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    const c = [...createTrafficPlan(scenarioFrom(single('', { seed: 6, duration: '15m' })))];
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
  });

  it('keeps a dataset stream unchanged when another dataset or field is added', () => {
    const base = records(createTrafficPlan(scenarioFrom(single('', { duration: '15m' }))));
    const withOther = scenarioFrom(
      single('', { duration: '15m' }).replace(
        'datasets:\n',
        'datasets:\n  - { urn: "urn:dp:other:x", topic: other }\n',
      ) + '',
    );
    withOther.traffic.unshift({
      dataset: 'urn:dp:other:x',
      rate: 1 / 1000,
      rateText: '1/s',
      record: { id: { kind: 'uuid' } },
    });
    const mixed = records(createTrafficPlan(withOther), 'urn:dp:orders:created');
    expect(mixed.map((r) => [r.at, r.value])).toEqual(base.map((r) => [r.at, r.value]));

    const extraField = records(
      createTrafficPlan(
        scenarioFrom(
          single('', {
            duration: '15m',
            record:
              '{ id: uuid, zzz: { int: [1, 9] }, customer_id: { pattern: "C[0-9]{6}" }, amount: { float: [5, 500] }, email: email, notes: { const: "" }, created_at: event_time }',
          }),
        ),
      ),
    );
    expect(extraField.map((r) => r.value['customer_id'])).toEqual(
      base.map((r) => r.value['customer_id']),
    );
  });

  it('produces Poisson arrivals at the configured rate, in time order, within [start, end)', () => {
    const s = scenarioFrom(single());
    const recs = records(createTrafficPlan(s));
    within(recs.length, 15_000);
    expect(recs[0]!.at).toBeGreaterThanOrEqual(s.start);
    expect(recs[recs.length - 1]!.at).toBeLessThan(s.end);
    for (let i = 1; i < recs.length; i++)
      expect(recs[i]!.at).toBeGreaterThanOrEqual(recs[i - 1]!.at);
    // Per-minute counts: Poisson has variance ≈ mean.
    const perMinute = new Array<number>(60).fill(0);
    for (const r of recs) perMinute[Math.floor((r.at - s.start) / MIN)]!++;
    const mean = perMinute.reduce((a, b) => a + b) / 60;
    const variance = perMinute.reduce((a, b) => a + (b - mean) ** 2, 0) / 59;
    expect(variance / mean).toBeGreaterThan(0.5);
    expect(variance / mean).toBeLessThan(1.7);
  });

  it('generates field values as declared', () => {
    const recs = records(
      createTrafficPlan(
        scenarioFrom(
          single('', {
            duration: '5m',
            record: `
      order_id: uuid
      customer_id: { pattern: "C[0-9]{6}" }
      qty: { int: [1, 3] }
      amount: { float: [5, 500] }
      currency: { enum: [EUR, USD], weights: [3, 1] }
      channel: { const: web }
      email: email
      created_at: event_time
      address: { zip: { pattern: "\\\\d{5}" } }`,
          }),
        ),
      ),
    );
    const euro = recs.filter((r) => r.value['currency'] === 'EUR').length / recs.length;
    expect(euro).toBeGreaterThan(0.68);
    expect(euro).toBeLessThan(0.82);
    for (const r of recs) {
      expect(r.value['order_id']).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(r.key).toBe(r.value['order_id']);
      expect(r.value['customer_id']).toMatch(/^C[0-9]{6}$/);
      expect([1, 2, 3]).toContain(r.value['qty']);
      const amount = r.value['amount'] as number;
      expect(amount).toBeGreaterThanOrEqual(5);
      expect(amount).toBeLessThanOrEqual(500);
      expect(Math.round(amount * 100)).toBeCloseTo(amount * 100, 6);
      expect(r.value['channel']).toBe('web');
      expect(r.value['email']).toMatch(/^[a-z]+\.[a-z]+\d*@[a-z.]+$/);
      expect(r.value['created_at']).toBe(new Date(r.eventTime).toISOString());
      expect((r.value['address'] as { zip: string }).zip).toMatch(/^\d{5}$/);
      expect(r.headers).toEqual({
        'x-obs-event-time': new Date(r.eventTime).toISOString(),
        'x-obs-producer-service': 'orders-svc',
        'x-obs-producer-version': '1.0',
      });
      expect(r).toMatchObject({
        topic: 'raw.orders',
        service: 'orders-svc',
        version: '1.0',
        identity: 'header',
        applied: [],
      });
    }
  });

  it('follows daily and weekly profiles (UTC hours, Mon..Sun)', () => {
    const daily = Array.from({ length: 24 }, (_, h) => (h === 9 ? 1 : h === 10 ? 0.25 : 0));
    const s = scenarioFrom(
      single('', { duration: '2h', rate: '200/min' }).replace(
        '    rate: 200/min\n',
        `    rate: 200/min\n    daily_profile: [${daily.join(',')}]\n    weekly_profile: [1,1,1,0.5,1,1,1]\n`,
      ),
    );
    // 2026-01-15 is a Thursday: weekly multiplier 0.5.
    const recs = records(createTrafficPlan(s));
    const nine = recs.filter((r) => new Date(r.at).getUTCHours() === 9).length;
    const ten = recs.filter((r) => new Date(r.at).getUTCHours() === 10).length;
    within(nine, 200 * 60 * 0.5);
    within(ten, 200 * 60 * 0.25 * 0.5);
    expect(expectedRecords(s, 'urn:dp:orders:created', s.start, s.end)).toBeCloseTo(
      200 * 60 * 0.5 * 1.25,
      6,
    );
  });

  it('applies deployments: version switches, effect applies from then on, a later version without effect stops it', () => {
    const s = scenarioFrom(
      single(`deployments:
  - { at: "+20m", service: orders-svc, version: "2.0", commit: abc1234, effect: { drop_fields: [customer_id] } }
  - { at: "+40m", service: orders-svc, version: "2.1" }
`),
    );
    const events = [...createTrafficPlan(s)];
    const deps = events.filter((e) => e.kind === 'deployment');
    expect(deps).toEqual([
      {
        kind: 'deployment',
        at: s.start + 20 * MIN,
        service: 'orders-svc',
        version: '2.0',
        commit: 'abc1234',
        previousVersion: '1.0',
        effects: ['drop_fields'],
      },
      {
        kind: 'deployment',
        at: s.start + 40 * MIN,
        service: 'orders-svc',
        version: '2.1',
        previousVersion: '2.0',
        effects: [],
      },
    ]);
    const idx = events.indexOf(deps[0]!);
    expect(events.slice(0, idx).every((e) => e.at <= deps[0]!.at)).toBe(true);
    const wrong = records(events).filter((r) => {
      const phase = r.at < s.start + 20 * MIN ? 0 : r.at < s.start + 40 * MIN ? 1 : 2;
      return (
        r.version !== ['1.0', '2.0', '2.1'][phase] ||
        r.headers['x-obs-producer-version'] !== r.version ||
        'customer_id' in r.value !== (phase !== 1) ||
        r.applied.join() !== (phase === 1 ? 'drop_fields' : '')
      );
    });
    expect(wrong).toEqual([]);
  });

  it('does not apply a deployment of another service', () => {
    const s = scenarioFrom(
      single(`deployments:
  - { at: "+1m", service: other-svc, version: "9", effect: { stall: {} } }
`),
    );
    within(records(createTrafficPlan(s)).length, 15_000);
  });

  it('stall: no records during the window, normal traffic after', () => {
    const s = scenarioFrom(
      single(
        `faults:\n  - { at: "+20m", dataset: "urn:dp:orders:created", kind: stall, for: 20m }\n`,
      ),
    );
    const events = [...createTrafficPlan(s)];
    const recs = records(events);
    const inside = recs.filter((r) => r.at >= s.start + 20 * MIN && r.at < s.start + 40 * MIN);
    expect(inside).toEqual([]);
    within(recs.filter((r) => r.at >= s.start + 40 * MIN).length, 5000);
    expect(events.filter((e) => e.kind === 'fault')).toEqual([
      {
        kind: 'fault',
        phase: 'start',
        at: s.start + 20 * MIN,
        dataset: 'urn:dp:orders:created',
        fault: 'stall',
        index: 0,
      },
      {
        kind: 'fault',
        phase: 'end',
        at: s.start + 40 * MIN,
        dataset: 'urn:dp:orders:created',
        fault: 'stall',
        index: 0,
      },
    ]);
  });

  it('rate: scales the arrival rate during the window', () => {
    const s = scenarioFrom(
      single(
        `faults:\n  - { at: "+30m", dataset: "urn:dp:orders:created", kind: rate, params: { multiplier: 0.2 } }\n`,
      ),
    );
    const recs = records(createTrafficPlan(s));
    within(recs.filter((r) => r.at < s.start + 30 * MIN).length, 7500);
    within(recs.filter((r) => r.at >= s.start + 30 * MIN).length, 1500);
  });

  it('null_rate: nulls the field in about rate of the records', () => {
    const s = scenarioFrom(
      single(
        `faults:\n  - { at: "+0m", dataset: "urn:dp:orders:created", kind: null_rate, params: { field: email, rate: 0.15 } }\n`,
      ),
    );
    const recs = records(createTrafficPlan(s));
    const nulls = recs.filter((r) => r.value['email'] === null).length;
    within(nulls, recs.length * 0.15);
    expect(
      recs.filter((r) => r.value['email'] === null).every((r) => r.applied.includes('null_rate')),
    ).toBe(true);
  });

  it('type_change: converts the field to the target type', () => {
    const s = scenarioFrom(
      single(
        `faults:\n  - { at: "+30m", dataset: "urn:dp:orders:created", kind: type_change, params: { field: amount, to: string } }\n`,
      ),
    );
    const wrong = records(createTrafficPlan(s)).filter(
      (r) => typeof r.value['amount'] !== (r.at >= s.start + 30 * MIN ? 'string' : 'number'),
    );
    expect(wrong).toEqual([]);
    expect(convertValue('12.5', 'number')).toBe(12.5);
    expect(convertValue(12.7, 'integer')).toBe(13);
    expect(convertValue(1, 'boolean')).toBe(true);
    expect(convertValue('x', 'array')).toEqual(['x']);
    expect(convertValue('x', 'object')).toEqual({ value: 'x' });
    expect(convertValue('x', 'null')).toBeNull();
  });

  it('rename_field, add_fields and drop_fields change the shape', () => {
    const s = scenarioFrom(
      single(
        `faults:
  - { at: "+0m", dataset: "urn:dp:orders:created", kind: rename_field, params: { from: customer_id, to: customerId } }
  - { at: "+0m", dataset: "urn:dp:orders:created", kind: add_fields, params: { discount_code: { pattern: "SAVE[0-9]{2}" } } }
  - { at: "+0m", dataset: "urn:dp:orders:created", kind: drop_fields, params: { fields: [email] } }
`,
        { duration: '5m' },
      ),
    );
    for (const r of records(createTrafficPlan(s))) {
      expect(r.value).not.toHaveProperty('customer_id');
      expect(r.value['customerId']).toMatch(/^C\d{6}$/);
      expect(r.value['discount_code']).toMatch(/^SAVE\d{2}$/);
      expect(r.value).not.toHaveProperty('email');
      expect(r.applied).toEqual(['rename_field', 'add_fields', 'drop_fields']);
    }
  });

  it.each(['ssn', 'email', 'credit_card', 'phone', 'iban'] as const)(
    'inject_pii %s: realistic values in a string field at the rate',
    (pii) => {
      const s = scenarioFrom(
        single(
          `faults:\n  - { at: "+0m", dataset: "urn:dp:orders:created", kind: inject_pii, params: { field: notes, pii: ${pii}, rate: 0.1 } }\n`,
          { duration: '20m' },
        ),
      );
      const recs = records(createTrafficPlan(s));
      const hit = recs.filter((r) => r.applied.includes('inject_pii'));
      within(hit.length, recs.length * 0.1);
      for (const r of recs)
        if (!r.applied.includes('inject_pii')) expect(r.value['notes']).toBe('');
      for (const r of hit) {
        const text = r.value['notes'] as string;
        expect(typeof text).toBe('string');
        switch (pii) {
          case 'ssn': {
            const m = /(\d{3})-(\d{2})-(\d{4})/.exec(text);
            expect(m).not.toBeNull();
            expect(m![1]).not.toMatch(/^(000|666|9\d\d)$/);
            expect(m![2]).not.toBe('00');
            expect(m![3]).not.toBe('0000');
            break;
          }
          case 'email':
            expect(text).toMatch(/[a-z]+\.[a-z]+\d*@[a-z.]+\.[a-z]{2,}/);
            break;
          case 'credit_card': {
            const m = /4\d{3}[ -]?\d{4}[ -]?\d{4}[ -]?\d{4}/.exec(text);
            expect(m).not.toBeNull();
            expect(luhnValid(m![0])).toBe(true);
            break;
          }
          case 'phone':
            expect(text).toMatch(/(\(\d{3}\) \d{3}-\d{4}|\+1 \d{3}-\d{3}-\d{4})/);
            break;
          case 'iban': {
            const m = /[A-Z]{2}\d{2}[A-Z0-9]{14,30}/.exec(text);
            expect(m).not.toBeNull();
            expect(ibanValid(m![0])).toBe(true);
            break;
          }
        }
      }
    },
  );

  it('late_events: event time (and event_time fields) lag the send time by delay for about rate of the records', () => {
    const s = scenarioFrom(
      single(
        `faults:\n  - { at: "+10m", dataset: "urn:dp:orders:created", kind: late_events, for: 20m, params: { delay: 10m, rate: 0.3 } }\n`,
      ),
    );
    const recs = records(createTrafficPlan(s));
    const late = recs.filter((r) => r.eventTime !== r.at);
    within(late.length, 5000 * 0.3);
    for (const r of late) {
      expect(r.at - r.eventTime).toBe(10 * MIN);
      expect(r.at).toBeGreaterThanOrEqual(s.start + 10 * MIN);
      expect(r.at).toBeLessThan(s.start + 30 * MIN);
      expect(r.value['created_at']).toBe(new Date(r.eventTime).toISOString());
      expect(r.headers['x-obs-event-time']).toBe(new Date(r.eventTime).toISOString());
      expect(r.applied).toContain('late_events');
    }
  });

  it('duplicates: re-sends about rate of the records with the same key, value and event time', () => {
    const s = scenarioFrom(
      single(
        `faults:\n  - { at: "+0m", dataset: "urn:dp:orders:created", kind: duplicates, params: { rate: 0.2 } }\n`,
        { duration: '10m' },
      ),
    );
    const recs = records(createTrafficPlan(s));
    const dups = recs.filter((r) => r.duplicate === true);
    within(dups.length, 2500 * 0.2);
    for (let i = 1; i < recs.length; i++) {
      const r = recs[i]!;
      if (r.duplicate !== true) continue;
      const prev = recs[i - 1]!;
      expect(r.key).toBe(prev.key);
      expect(r.value).toEqual(prev.value);
      expect(r.eventTime).toBe(prev.eventTime);
      expect(r.at).toBe(prev.at);
    }
  });

  it('sends no producer headers for identity topic-pattern and none', () => {
    for (const identity of ['topic-pattern', 'none']) {
      const s = scenarioFrom(
        single('', { duration: '1m' }).replace(
          'producer: orders-svc }',
          `producer: orders-svc, identity: ${identity} }`,
        ),
      );
      for (const r of records(createTrafficPlan(s))) {
        expect(r.identity).toBe(identity);
        expect(Object.keys(r.headers)).toEqual(['x-obs-event-time']);
        expect(r.service).toBe('orders-svc');
      }
    }
  });

  it('plays a window with from/until identically to the full plan', () => {
    const s = scenarioFrom(
      single(
        `faults:\n  - { at: "+0m", dataset: "urn:dp:orders:created", kind: null_rate, params: { field: email, rate: 0.5 } }\n`,
        { duration: '20m' },
      ),
    );
    const full = [...createTrafficPlan(s)].filter(
      (e) => e.at >= s.start + 5 * MIN && e.at < s.start + 10 * MIN,
    );
    const part = [...createTrafficPlan(s, { from: s.start + 5 * MIN, until: s.start + 10 * MIN })];
    expect(part).toEqual(full);
  });

  it('generates the 75-minute steel thread in well under a second', async () => {
    const result = await loadScenario(join(REPO_SCENARIOS, 'steel-thread.yaml'));
    if (!result.ok) throw new Error('steel thread does not parse');
    expect(records(createTrafficPlan(result.scenario)).length).toBeGreaterThan(0); // warm up
    const t0 = performance.now();
    const recs = records(createTrafficPlan(result.scenario));
    const ms = performance.now() - t0;
    within(recs.length, 250 * 75);
    expect(ms).toBeLessThan(1500);
    const dropped = recs.filter((r) => !('customer_id' in r.value));
    expect(
      dropped.every((r) => r.at >= result.scenario.start + 58 * MIN && r.version === '3.17'),
    ).toBe(true);
    within(dropped.length, 250 * 17);
  });
});

describe('historySummary', () => {
  it('summarises 7 days of 5-minute windows from the same rate and profiles, seeded', () => {
    const text = single('', { rate: '120/min' })
      .replace('duration: 60m', 'duration: 60m\nhistory: 7d')
      .replace(
        '    rate: 120/min\n',
        '    rate: 120/min\n    weekly_profile: [1,1,1,1,1,0.4,0.4]\n',
      );
    const s = scenarioFrom(text);
    const h = historySummary(s);
    expect(h).toMatchObject({ windowMs: 300_000, from: s.start - 7 * 86_400_000, to: s.start });
    expect(h.datasets).toHaveLength(1);
    const d = h.datasets[0]!;
    expect(d).toMatchObject({
      dataset: 'urn:dp:orders:created',
      topic: 'raw.orders',
      service: 'orders-svc',
    });
    expect(d.windows).toHaveLength(2016);
    expect(d.windows[0]!.start).toBe(h.from);
    expect(d.windows[2015]!.end).toBe(s.start);
    const weekend = d.windows.filter((w) => [0, 6].includes(new Date(w.start).getUTCDay()));
    const weekday = d.windows.filter((w) => ![0, 6].includes(new Date(w.start).getUTCDay()));
    expect(weekend[0]!.expected).toBeCloseTo(600 * 0.4, 6);
    expect(weekday[0]!.expected).toBeCloseTo(600, 6);
    within(d.total, 600 * (weekday.length + 0.4 * weekend.length));
    expect(d.total).toBe(d.windows.reduce((a, w) => a + w.count, 0));
    for (const w of d.windows) within(w.count, w.expected, 6);
    expect(historySummary(s)).toEqual(h);
    expect(historySummary({ ...s, seed: 99 })).not.toEqual(h);
  });

  it('is empty without history', () => {
    expect(historySummary(scenarioFrom(single())).datasets).toEqual([]);
  });
});
