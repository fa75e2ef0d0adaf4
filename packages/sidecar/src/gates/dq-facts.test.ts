import { describe, expect, it } from 'vitest';
import { compileContract, loadContract } from '@signal-factory/contracts';
import { readFileSync } from 'node:fs';
import { dqFacts } from './dq-facts';

const contract = compileContract(
  loadContract(
    readFileSync(
      new URL('../../../../../shared/scenarios/examples/orders-created.odcs.yaml', import.meta.url),
      'utf8',
    ),
  ),
);

describe('dqFacts', () => {
  const order = {
    order_id: 'o-1',
    customer_id: 'C123456',
    amount: 10,
    currency: 'EUR',
    email: 'a@example.com',
    created_at: '2026-01-15T10:00:00Z',
  };

  it("names the shared orders contract's aggregate rules a record counts against", () => {
    // `email` may be null in < 1 % of records: judged over windows (a zero-tolerance rule, like
    // currency's validValues, is compiled into the per-record schema instead)
    expect(contract.aggregateRules.map((r) => `${r.kind}:${r.path}`)).toContain('nullValues:email');
    expect(dqFacts(contract.aggregateRules, order)).toEqual([]);
    expect(dqFacts(contract.aggregateRules, { ...order, email: null })).toEqual([
      'nullValues:email',
    ]);
    const { email: _e, ...noEmail } = order;
    expect(dqFacts(contract.aggregateRules, noEmail)).toEqual(['nullValues:email']);
  });

  it('counts values outside validValues as invalid, but a null as a null', () => {
    const rules = [
      { kind: 'invalidValues', path: 'currency', arguments: { validValues: ['EUR'] } },
    ];
    expect(dqFacts(rules, { ...order, currency: 'JPY' })).toEqual(['invalidValues:currency']);
    expect(dqFacts(rules, { ...order, currency: null })).toEqual([]);
    expect(dqFacts(rules, order)).toEqual([]);
  });

  it('handles nested paths, missingValues lists, and records that are not objects', () => {
    const rules = [
      { kind: 'missingValues', path: 'ship.city', arguments: { missingValues: ['', 'N/A'] } },
      { kind: 'nullValues', path: 'lines[].sku' },
      { kind: 'rowCount' },
    ];
    expect(dqFacts(rules, { ship: { city: 'N/A' } })).toEqual(['missingValues:ship.city']);
    expect(dqFacts(rules, { ship: { city: 'Berlin' } })).toEqual([]);
    expect(dqFacts(rules, { ship: 'nowhere' })).toEqual(['missingValues:ship.city']);
    expect(dqFacts(rules, [1, 2])).toEqual([]);
    expect(dqFacts(rules, 'text')).toEqual([]);
    expect(dqFacts(undefined, order)).toEqual([]);
  });
});
