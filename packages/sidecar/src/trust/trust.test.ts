import { InMemoryEvidenceBus } from '@signal-factory/core';
import { waitFor } from '@signal-factory/core/testing';
import { describe, expect, it } from 'vitest';

import { startTrustFeed } from './trust-feed';
import { TrustTracker, parseWindow } from './trust-tracker';

const ev = (result: 'PASS' | 'WARN' | 'FAIL', weight = 1, at = Date.now()) => ({
  dataset_urn: 'urn:dp:orders:created',
  result,
  sample_weight: weight,
  reason_codes: result === 'FAIL' ? ['MISSING_FIELD:customer_id'] : [],
  processing_time: new Date(at).toISOString(),
});

describe('TrustTracker', () => {
  it('weights sampled evidence and windows by time', () => {
    const t = new TrustTracker({ passRateThreshold: 0.9 });
    const now = Date.now();
    t.observe(ev('PASS', 10), now - 10 * 60_000);
    t.observe(ev('PASS', 10), now);
    t.observe(ev('FAIL'), now);
    const r = t.report('urn:dp:orders:created', 300_000, now);
    expect(r).toMatchObject({
      records: 11,
      samples: 2,
      pass: 10,
      fail: 1,
      recommendation: 'process',
    });
    expect(r.passRate).toBeCloseTo(10 / 11, 4);
    expect(r.lastFailure?.reasonCodes).toEqual(['MISSING_FIELD:customer_id']);
    expect(t.report('urn:dp:orders:created', 3_600_000, now).records).toBe(21);
    expect(t.report('urn:dp:other:x', 300_000, now)).toMatchObject({
      records: 0,
      passRate: null,
      recommendation: 'unknown',
    });
  });

  it('parses windows', () => {
    expect(parseWindow('5m')).toBe(300_000);
    expect(parseWindow('30s')).toBe(30_000);
    expect(parseWindow('1h')).toBe(3_600_000);
    expect(parseWindow(undefined)).toBe(300_000);
    expect(parseWindow('2h')).toBeUndefined();
    expect(parseWindow('5 m')).toBeUndefined();
  });

  it('is fed from the evidence topic by a consumer group, skipping junk', async () => {
    const bus = new InMemoryEvidenceBus();
    const tracker = new TrustTracker();
    await bus.ensureTopic('signal_factory.evidence');
    const feed = await startTrustFeed({ bus, tracker });
    await bus.publish('signal_factory.evidence', [
      { key: 'urn:dp:orders:created', value: JSON.stringify(ev('PASS')) },
      { key: 'urn:dp:orders:created', value: 'junk' },
      { key: 'urn:dp:orders:created', value: JSON.stringify(ev('FAIL')) },
    ]);
    try {
      await waitFor(() => tracker.report('urn:dp:orders:created', 300_000).samples === 2);
    } finally {
      await feed.close();
      await bus.close();
    }
    expect(tracker.report('urn:dp:orders:created', 300_000)).toMatchObject({ pass: 1, fail: 1 });
  });
});
