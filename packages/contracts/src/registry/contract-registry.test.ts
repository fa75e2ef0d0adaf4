import { readFileSync } from 'node:fs';
import { InMemoryStateStore } from '@signal-factory/core';
import { describe, expect, it } from 'vitest';
import { loadContract } from '../load/load-contract';
import { ORDERS_CONTRACT, orderRecord } from '../test-support/shared-dir';
import type { OdcsContract } from '../types';
import { ContractRegistry } from './contract-registry';

const URN = 'urn:dp:orders:created';
const v3 = loadContract(readFileSync(ORDERS_CONTRACT(), 'utf8'));
/** v4 renames nothing but requires discount_code and drops GBP. */
const v4: OdcsContract = structuredClone(v3);
v4.version = '4.0.0';
for (const p of v4.schema?.[0]?.properties ?? []) {
  if (p.name === 'discount_code') p.required = true;
}
/** v2 has no pattern on customer_id and no email. */
const v2: OdcsContract = structuredClone(v3);
v2.version = '2.0.0';
v2.schema![0]!.properties = v2.schema![0]!.properties!.filter((p) => p.name !== 'email');
delete v2.schema![0]!.properties!.find((p) => p.name === 'customer_id')!.logicalTypeOptions;

const DAY = 86_400_000;

describe('ContractRegistry', () => {
  it('publishes immutable versions and lists them in semver order', async () => {
    const registry = new ContractRegistry();
    await registry.publish(v3);
    await registry.publish(v2);
    await registry.publish(readFileSync(ORDERS_CONTRACT(), 'utf8')); // same content again: no-op
    const changed = structuredClone(v3);
    changed.description = { purpose: 'changed' };
    await expect(registry.publish(changed)).rejects.toMatchObject({
      code: 'SF_ERR_CONTRACT_VERSION_EXISTS',
    });
    expect((await registry.list(URN)).map((p) => p.version)).toEqual(['2.0.0', '3.0.0']);
    expect((await registry.get(URN, '3.0.0'))?.contract).toEqual(v3);
    expect(await registry.get(URN, '9.9.9')).toBeUndefined();
  });

  it('needs a dataset URN and refuses invalid contracts', async () => {
    const registry = new ContractRegistry();
    const other = { ...structuredClone(v3), id: 'orders-created' };
    await expect(registry.publish(other)).rejects.toMatchObject({
      code: 'SF_ERR_CONTRACT_OPTIONS',
    });
    expect((await registry.publish(other, { datasetUrn: 'urn:dp:orders:other' })).datasetUrn).toBe(
      'urn:dp:orders:other',
    );
    await expect(registry.publish(other, { datasetUrn: 'orders' })).rejects.toMatchObject({
      code: 'SF_ERR_CONTRACT_OPTIONS',
    });
    await expect(registry.publish('apiVersion: v9\n')).rejects.toMatchObject({
      code: 'SF_ERR_CONTRACT_UNSUPPORTED_VERSION',
    });
  });

  it('validates against every active version during a grace period, then only the new one', async () => {
    let now = Date.UTC(2026, 0, 15);
    const registry = new ContractRegistry({
      store: new InMemoryStateStore({ now: () => now }),
      now: () => now,
      cacheTtlMs: 0,
    });
    await registry.publish(v2);
    await registry.publish(v3);
    await registry.setActive(URN, ['2.0.0']);
    const active = await registry.setActive(URN, ['3.0.0'], { graceUntil: now + 7 * DAY });
    expect(active).toEqual([{ version: '3.0.0' }, { version: '2.0.0', until: now + 7 * DAY }]);

    const record = { ...orderRecord(1), customer_id: 'legacy-42' };
    const during = await registry.validate(URN, record);
    expect(during).toEqual({
      anyValid: true,
      results: [
        { version: '3.0.0', valid: false, reasonCodes: ['PATTERN_MISMATCH:customer_id'] },
        { version: '2.0.0', valid: true, reasonCodes: [] },
      ],
    });
    expect((await registry.activeValidators(URN)).map((v) => v.version)).toEqual([
      '3.0.0',
      '2.0.0',
    ]);

    now += 8 * DAY;
    const after = await registry.validate(URN, record);
    expect(after.anyValid).toBe(false);
    expect(after.results.map((r) => r.version)).toEqual(['3.0.0']);
    expect((await registry.activeVersions(URN)).map((a) => a.version)).toEqual(['3.0.0']);
  });

  it('compiles active validators once and reuses them', async () => {
    const registry = new ContractRegistry({ cacheTtlMs: 60_000 });
    await registry.publish(v3);
    await registry.publish(v4);
    await registry.setActive(URN, ['3.0.0', '4.0.0']);
    const [a] = await registry.activeValidators(URN);
    const [b] = await registry.activeValidators(URN);
    expect(a).toBe(b);
    const result = await registry.validate(URN, orderRecord(3));
    expect(result.results).toEqual([
      { version: '4.0.0', valid: false, reasonCodes: ['MISSING_FIELD:discount_code'] },
      { version: '3.0.0', valid: true, reasonCodes: [] },
    ]);
  });

  it('rejects unknown versions, empty sets, bad options and datasets without contracts', async () => {
    const registry = new ContractRegistry();
    await registry.publish(v3);
    await expect(registry.setActive(URN, ['5.0.0'])).rejects.toMatchObject({
      code: 'SF_ERR_CONTRACT_NOT_FOUND',
    });
    await expect(registry.setActive(URN, [])).rejects.toMatchObject({
      code: 'SF_ERR_CONTRACT_OPTIONS',
    });
    await expect(registry.setActive(URN, ['3.0.0'], { graceUntil: 'soon' })).rejects.toMatchObject({
      code: 'SF_ERR_CONTRACT_OPTIONS',
    });
    expect(await registry.validate('urn:dp:x:y', {})).toEqual({ results: [], anyValid: false });
    expect(() => new ContractRegistry({ table: '', cacheTtlMs: -1 })).toThrow(
      expect.objectContaining({
        code: 'SF_ERR_CONTRACT_OPTIONS',
        details: {
          problems: [
            expect.objectContaining({ path: 'table' }),
            expect.objectContaining({ path: 'cacheTtlMs' }),
          ],
        },
      }),
    );
  });
});
