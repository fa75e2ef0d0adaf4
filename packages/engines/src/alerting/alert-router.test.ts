import { InMemoryStateStore } from '@signal-factory/core';
import { createTestClock } from '@signal-factory/core/testing';
import { describe, expect, it } from 'vitest';
import { AlertRouter, type AlertRouterOptions } from './alert-router';
import { ALERT_ERROR_CODES, alertError } from './errors';
import type { Alert, AlertSendResult, AlertSink } from './types';

class RecordingSink implements AlertSink {
  readonly alerts: Alert[] = [];
  fail = false;
  constructor(readonly name: string) {}
  async send(alert: Alert): Promise<AlertSendResult> {
    this.alerts.push(alert);
    if (this.fail) {
      return {
        ok: false,
        sink: this.name,
        attempts: 1,
        error: alertError(ALERT_ERROR_CODES.UNAVAILABLE, 'down', { retriable: true }),
      };
    }
    return { ok: true, sink: this.name, status: 200, attempts: 1 };
  }
  async close(): Promise<void> {}
}

let seq = 0;
function alert(overrides: Partial<Alert> = {}): Alert {
  seq += 1;
  return {
    schema_version: 'alert/v1',
    alert_id: `inc-${seq}|opened|x`,
    kind: 'opened',
    incident_id: `inc-${seq}`,
    severity: 'SEV-2',
    status: 'OPEN',
    title: 'CONTRACT CRITICAL on urn:dp:orders:created',
    dataset_urns: ['urn:dp:orders:created'],
    team: 'orders',
    link: `signal-factory://incidents/inc-${seq}`,
    time: '2026-11-25T10:05:00.000Z',
    ...overrides,
  };
}

function setup(extra: Partial<AlertRouterOptions> = {}) {
  const clock = createTestClock(Date.parse('2026-11-25T10:00:00Z'));
  const pager = new RecordingSink('pager');
  const orders = new RecordingSink('orders-hook');
  const fallback = new RecordingSink('fallback');
  const router = new AlertRouter({
    sinks: [pager, orders, fallback],
    routes: [
      { name: 'sev1', severities: ['SEV-1'], sinks: ['pager', 'orders-hook'] },
      { teams: ['orders'], sinks: ['orders-hook'] },
    ],
    defaultRoute: { sinks: ['fallback'] },
    now: clock.now,
    ...extra,
  });
  return { clock, pager, orders, fallback, router };
}

describe('AlertRouter', () => {
  it('routes by severity first, then team, else the default route', async () => {
    const { router, pager, orders, fallback } = setup();
    const sev1 = await router.dispatch(alert({ severity: 'SEV-1', team: 'crm' }));
    expect(sev1).toMatchObject({ status: 'sent', sinks: ['pager', 'orders-hook'] });
    expect(sev1.deliveries.map((d) => d.ok)).toEqual([true, true]);
    expect((await router.dispatch(alert())).sinks).toEqual(['orders-hook']);
    expect((await router.dispatch(alert({ team: 'crm' }))).sinks).toEqual(['fallback']);
    expect(pager.alerts).toHaveLength(1);
    expect(orders.alerts).toHaveLength(2);
    expect(fallback.alerts).toHaveLength(1);
    expect(router.routeFor({ team: 'crm', severity: 'SEV-3', kind: 'resolved' })).toEqual([
      'fallback',
    ]);
  });

  it('reports no_route when nothing matches and there is no default', async () => {
    const sink = new RecordingSink('only');
    const router = new AlertRouter({ sinks: [sink], routes: [{ teams: ['x'], sinks: ['only'] }] });
    expect((await router.dispatch(alert())).status).toBe('no_route');
  });

  it('never sends the same incident transition twice', async () => {
    const { router, orders } = setup();
    const a = alert();
    expect((await router.dispatch(a)).status).toBe('sent');
    expect((await router.dispatch({ ...a })).status).toBe('duplicate');
    expect(
      (
        await router.dispatch(
          alert({
            incident_id: a.incident_id,
            alert_id: `${a.incident_id}|resolved|t`,
            kind: 'resolved',
          }),
        )
      ).status,
    ).toBe('sent');
    expect(orders.alerts).toHaveLength(2);
    expect(router.stats().byStatus).toMatchObject({ sent: 2, duplicate: 1 });
  });

  it('shares dedup across instances through a state store', async () => {
    // One clock for both routers and the store: dedup items expire on it, not on the wall clock.
    const clock = createTestClock(Date.parse('2026-11-25T10:00:00Z'));
    const store = new InMemoryStateStore({ now: clock.now });
    const a = setup({ dedupStore: { store }, now: clock.now });
    const b = setup({ dedupStore: { store }, now: clock.now });
    const one = alert();
    expect((await a.router.dispatch(one)).status).toBe('sent');
    expect((await b.router.dispatch(one)).status).toBe('duplicate');
    expect(b.orders.alerts).toHaveLength(0);
  });

  it('shares the per-team hourly budget across instances through the state store', async () => {
    const a = setup({ maxAlertsPerHourPerTeam: 3, storm: false });
    const store = new InMemoryStateStore({ now: a.clock.now });
    const shared = { dedupStore: { store }, maxAlertsPerHourPerTeam: 3, storm: false as const };
    const one = setup({ ...shared, now: a.clock.now });
    const two = setup({ ...shared, now: a.clock.now });
    const statuses: string[] = [];
    for (const router of [one.router, two.router, one.router, two.router, one.router]) {
      statuses.push((await router.dispatch(alert())).status);
      a.clock.advance(60_000);
    }
    expect(statuses).toEqual(['sent', 'sent', 'sent', 'rate_limited', 'rate_limited']);
    expect(one.orders.alerts.length + two.orders.alerts.length).toBe(3);
    // the next hour still carries most of this hour's count (sliding estimate), then frees up
    a.clock.advance(55 * 60_000);
    expect((await two.router.dispatch(alert())).status).toBe('rate_limited');
    a.clock.advance(50 * 60_000);
    expect((await two.router.dispatch(alert())).status).toBe('sent');
    expect(two.orders.alerts.at(-1)?.suppressed).toBe(2);
  });

  it('rate-limits each team per sliding hour and reports the suppressed count', async () => {
    const { router, orders, fallback, clock } = setup({ maxAlertsPerHourPerTeam: 3, storm: false });
    const statuses: string[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await router.dispatch(alert())).status);
      clock.advance(60_000);
    }
    expect(statuses).toEqual(['sent', 'sent', 'sent', 'rate_limited', 'rate_limited']);
    // Another team is not affected.
    expect((await router.dispatch(alert({ team: 'crm' }))).status).toBe('sent');
    expect(fallback.alerts).toHaveLength(1);
    // An hour after the first alert a slot frees; the next alert says how many were dropped.
    clock.advance(3_600_000 - 5 * 60_000);
    expect((await router.dispatch(alert())).status).toBe('sent');
    expect(orders.alerts.at(-1)?.suppressed).toBe(2);
    expect(orders.alerts.slice(0, 3).every((a) => a.suppressed === undefined)).toBe(true);
  });

  it('collapses an alert storm into summaries: one when it starts, one when it ends', async () => {
    const { router, orders, fallback, clock } = setup({
      storm: { threshold: 3, windowMs: 60_000, cooldownMs: 120_000 },
      maxAlertsPerHourPerTeam: 100,
    });
    const results = [];
    for (let i = 0; i < 8; i++) {
      results.push(
        await router.dispatch(alert({ severity: i === 5 ? 'SEV-1' : 'SEV-2', team: 'crm' })),
      );
      clock.advance(1_000);
    }
    expect(results.map((r) => r.status)).toEqual([
      'sent',
      'sent',
      'sent',
      'collapsed',
      'collapsed',
      'collapsed',
      'collapsed',
      'collapsed',
    ]);
    expect(router.stats().stormOpen).toBe(true);
    const started = results[3]?.summary;
    expect(started?.status).toBe('sent');
    // Three normal alerts plus the storm-started summary went to the default route.
    expect(fallback.alerts.map((a) => a.kind)).toEqual([
      'opened',
      'opened',
      'opened',
      'storm_summary',
    ]);
    expect(fallback.alerts[3]?.title).toMatch(/^Alert storm: 4 alerts within 60 s/);
    expect(fallback.alerts[3]?.storm?.ended).toBe(false);
    // The last collapsed alert came 1 s before the loop ended: 118 s more is 1 s short of the cooldown.
    clock.advance(118_000);
    expect(await router.tick()).toBeUndefined();
    clock.advance(1_000);
    const ended = await router.tick();
    expect(ended?.status).toBe('sent');
    const summary = fallback.alerts.at(-1);
    expect(summary?.kind).toBe('storm_summary');
    expect(summary?.severity).toBe('SEV-1');
    expect(summary?.storm).toMatchObject({ collapsed: 5, ended: true });
    expect(summary?.storm?.incident_ids).toHaveLength(5);
    expect(summary?.title).toMatch(/5 alerts were collapsed/);
    expect(router.stats()).toMatchObject({ stormOpen: false, stormSummaries: 2 });
    // After the storm, alerts flow again.
    expect((await router.dispatch(alert({ team: 'crm' }))).status).toBe('sent');
    expect(orders.alerts).toHaveLength(0);
  });

  it('reports failed and partial deliveries, and a sink that throws', async () => {
    const { router, pager } = setup();
    pager.fail = true;
    const partial = await router.dispatch(alert({ severity: 'SEV-1' }));
    expect(partial.status).toBe('partial');
    const thrower: AlertSink = {
      name: 'bad',
      send: () => Promise.reject(new Error('boom')),
      close: async () => undefined,
    };
    const r = new AlertRouter({ sinks: [thrower], defaultRoute: { sinks: ['bad'] } });
    const failed = await r.dispatch(alert());
    expect(failed.status).toBe('failed');
    expect(failed.deliveries[0]).toMatchObject({
      ok: false,
      error: { code: ALERT_ERROR_CODES.NETWORK },
    });
  });

  it('validates options with paths', () => {
    const sink = new RecordingSink('a');
    expect(
      () =>
        new AlertRouter({
          sinks: [sink, new RecordingSink('a')],
          routes: [{ sinks: ['nope'], severities: ['SEV-9' as never] }],
          defaultRoute: { sinks: ['zzz'] },
          maxAlertsPerHourPerTeam: 0,
          storm: { threshold: -1 },
        }),
    ).toThrow(
      expect.objectContaining({
        code: ALERT_ERROR_CODES.OPTIONS_INVALID,
        details: {
          problems: [
            { path: 'sinks[1].name', message: 'duplicate sink name a' },
            { path: 'routes[0].sinks[0]', message: 'names no configured sink' },
            { path: 'routes[0].severities', message: 'must list SEV-1, SEV-2 or SEV-3' },
            { path: 'defaultRoute.sinks[0]', message: 'names no configured sink' },
            { path: 'maxAlertsPerHourPerTeam', message: 'must be a positive integer' },
            { path: 'storm.threshold', message: 'must be a positive integer' },
          ],
        },
      }),
    );
  });
});
