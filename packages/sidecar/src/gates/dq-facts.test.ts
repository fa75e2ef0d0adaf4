import { describe, expect, it } from 'vitest';
import { compileContract, loadContract } from '@signal-factory/contracts';
import { readFileSync } from 'node:fs';
import { dqFacts } from './dq-facts';
import { RecentValues } from './recent-values';

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

  it('reports a repeated value of a unique field once per record, and only when repeats are tracked', () => {
    const recent = new RecentValues(3);
    const repeated = (path: string, v: unknown) => recent.repeated(path, v);
    // the shared contract declares order_id `unique: true`
    expect(dqFacts(contract.aggregateRules, order, repeated)).toEqual([]);
    expect(dqFacts(contract.aggregateRules, order, repeated)).toEqual(['duplicateValues:order_id']);
    expect(dqFacts(contract.aggregateRules, order)).toEqual([]);
    const both = [
      { kind: 'unique', path: 'order_id' },
      { kind: 'duplicateValues', path: 'order_id' },
    ];
    const calls: unknown[] = [];
    const spy = (path: string, v: unknown) => {
      calls.push(v);
      return true;
    };
    expect(dqFacts(both, order, spy)).toEqual(['duplicateValues:order_id']);
    expect(calls).toEqual(['o-1']); // remembered once, not once per rule
    expect(dqFacts(both, { ...order, order_id: null }, spy)).toEqual([]);
  });

  it('forgets the oldest values past its capacity and keeps numbers apart from strings', () => {
    const recent = new RecentValues(2);
    expect(recent.repeated('d', 'a')).toBe(false);
    expect(recent.repeated('d', 'b')).toBe(false);
    expect(recent.repeated('d', 'c')).toBe(false); // 'a' is forgotten
    expect(recent.repeated('d', 'a')).toBe(false);
    expect(recent.repeated('d', 'c')).toBe(true);
    expect(recent.repeated('e', 'c')).toBe(false); // another field
    expect(recent.repeated('d', 1)).toBe(false);
    expect(recent.repeated('d', '1')).toBe(false);
    expect(recent.repeated('d', { id: 1 })).toBe(false);
    expect(new RecentValues(0).repeated('d', 'a')).toBe(false);
  });

  it('counts values that do not match an invalidValues pattern, on RE2', () => {
    const rules = [
      {
        kind: 'invalidValues',
        path: 'customer_id',
        arguments: { pattern: '^C[0-9]{6}$' },
      },
      { kind: 'invalidValues', path: 'sku', arguments: { pattern: '(a' } },
    ];
    expect(dqFacts(rules, order)).toEqual([]);
    expect(dqFacts(rules, { ...order, customer_id: 'X1' })).toEqual(['invalidValues:customer_id']);
    expect(dqFacts(rules, { ...order, customer_id: 42 })).toEqual(['invalidValues:customer_id']);
    expect(dqFacts(rules, { ...order, customer_id: null })).toEqual([]);
    expect(dqFacts(rules, { ...order, sku: 'anything' })).toEqual([]); // a bad pattern judges nothing
  });
});
