import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadContract } from '../load/load-contract';
import { ORDERS_CONTRACT } from '../test-support/shared-dir';
import type { OdcsContract, OdcsProperty } from '../types';
import { diffContracts } from './diff-contracts';

const base = loadContract(readFileSync(ORDERS_CONTRACT(), 'utf8'));

function edit(fn: (props: OdcsProperty[], c: OdcsContract) => void): OdcsContract {
  const c = structuredClone(base);
  c.version = '3.1.0';
  fn(c.schema![0]!.properties!, c);
  return c;
}
const field = (props: OdcsProperty[], name: string): OdcsProperty =>
  props.find((p) => p.name === name)!;

describe('diffContracts', () => {
  it('finds no changes between identical contracts', () => {
    expect(diffContracts(base, structuredClone(base))).toEqual({ breaking: false, changes: [] });
  });

  it('classifies removals, new required fields, narrowing and removed enum values as breaking', () => {
    const next = edit((props) => {
      props.splice(props.indexOf(field(props, 'discount_code')), 1);
      props.push({ name: 'channel', logicalType: 'string', required: true });
      field(props, 'email').required = true;
      field(props, 'amount').logicalType = 'integer';
      field(props, 'amount').logicalTypeOptions = { minimum: 1 };
      field(props, 'currency').quality![0]!.arguments = { validValues: ['EUR', 'USD'] };
      field(props, 'order_id').logicalTypeOptions = { format: 'uuid' };
    });
    const diff = diffContracts(base, next);
    expect(diff.breaking).toBe(true);
    expect(diff.changes.map((c) => [c.kind, c.path, c.breaking])).toEqual([
      ['field_removed', 'orders_created.discount_code', true],
      ['format_changed', 'orders_created.order_id', true],
      ['type_changed', 'orders_created.amount', true],
      ['range_narrowed', 'orders_created.amount', true],
      ['enum_value_removed', 'orders_created.currency', true],
      ['required_added', 'orders_created.email', true],
      ['field_added_required', 'orders_created.channel', true],
    ]);
  });

  it('classifies additions and widenings as compatible', () => {
    const next = edit((props) => {
      props.push({ name: 'channel', logicalType: 'string' });
      field(props, 'amount').logicalTypeOptions = { minimum: -10 };
      field(props, 'currency').quality![0]!.arguments = {
        validValues: ['EUR', 'USD', 'GBP', 'CHF'],
      };
      delete field(props, 'customer_id').logicalTypeOptions;
      field(props, 'email').classification = 'pii';
    });
    const diff = diffContracts(base, next);
    expect(diff.breaking).toBe(false);
    expect(diff.changes.map((c) => c.kind)).toEqual([
      'pattern_removed',
      'range_widened',
      'enum_value_added',
      'classification_changed',
      'field_added',
    ]);
  });

  it('treats integer → number as a widening and a required → optional change as breaking for consumers', () => {
    const a = edit((props) => {
      field(props, 'amount').logicalType = 'integer';
    });
    const b = edit((props) => {
      field(props, 'amount').logicalType = 'number';
      field(props, 'customer_id').required = false;
    });
    const diff = diffContracts(a, b);
    expect(diff.changes.map((c) => [c.kind, c.breaking])).toEqual([
      ['required_removed', true],
      ['type_changed', false],
    ]);
  });

  it('diffs nested fields and array items, and removed schema objects', () => {
    const withItems = edit((props) => {
      props.push({
        name: 'lines',
        logicalType: 'array',
        items: {
          logicalType: 'object',
          properties: [{ name: 'sku', logicalType: 'string', required: true }],
        },
      });
    });
    const narrowed = structuredClone(withItems);
    field(narrowed.schema![0]!.properties!, 'lines').items!.properties![0]!.logicalTypeOptions = {
      maxLength: 8,
    };
    expect(diffContracts(withItems, narrowed).changes).toEqual([
      {
        kind: 'range_narrowed',
        path: 'orders_created.lines[].sku',
        breaking: true,
        message: 'maxLength 8 was added to lines[].sku',
      },
    ]);
    const renamed = structuredClone(base);
    renamed.schema![0]!.name = 'orders';
    expect(diffContracts(base, renamed).changes.map((c) => [c.kind, c.breaking])).toEqual([
      ['schema_removed', true],
      ['schema_added', false],
    ]);
  });

  it('accepts YAML text and rejects invalid contracts with a typed error', () => {
    const text = readFileSync(ORDERS_CONTRACT(), 'utf8');
    expect(diffContracts(text, text).breaking).toBe(false);
    expect(() => diffContracts(text, 'kind: nope')).toThrow(
      expect.objectContaining({ code: 'SF_ERR_CONTRACT_UNSUPPORTED_VERSION' }),
    );
  });
});
