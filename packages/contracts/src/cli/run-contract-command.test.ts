import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ORDERS_CONTRACT, orderRecord, sharedDir } from '../test-support/shared-dir';
import { runContractCommand } from './run-contract-command';

function io(stdin?: string) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
      ...(stdin === undefined ? {} : { stdin: Readable.from([stdin]) }),
    },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'sf-contract-cli-'));
const records = join(dir, 'records.ndjson');
const lines = Array.from({ length: 10 }, (_, i) => {
  const r = orderRecord(i);
  if (i % 5 === 0) delete r['customer_id'];
  return JSON.stringify(r);
});
writeFileSync(records, `${lines.join('\n')}\nnot json\n\n`);

describe('runContractCommand', () => {
  it('lint: exit 0 for a clean contract, 1 with problems and their paths', async () => {
    const ok = io();
    expect(await runContractCommand(['lint', ORDERS_CONTRACT()], ok.io)).toBe(0);
    expect(ok.out()).toMatch(/^ok /);
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, readFileSync(ORDERS_CONTRACT(), 'utf8').replace('status: active\n', ''));
    const bad = io();
    expect(await runContractCommand(['lint', broken, '--json'], bad.io)).toBe(1);
    expect(JSON.parse(bad.out())).toMatchObject({
      ok: false,
      files: [
        { valid: false, problems: [{ path: '', message: "missing required property 'status'" }] },
      ],
    });
  });

  it('validate: prints reason-code counts and fails the run when records are invalid', async () => {
    const t = io();
    expect(await runContractCommand(['validate', ORDERS_CONTRACT(), records, '--json'], t.io)).toBe(
      1,
    );
    expect(JSON.parse(t.out())).toEqual({
      ok: false,
      contract: { id: 'urn:dp:orders:created', version: '3.0.0', schema: 'orders_created' },
      total: 11,
      valid: 8,
      invalid: 3,
      unparseable: 1,
      reasonCodes: { 'MISSING_FIELD:customer_id': 2, UNPARSEABLE_VALUE: 1 },
    });
    const text = io();
    await runContractCommand(['validate', ORDERS_CONTRACT(), records], text.io);
    expect(text.out()).toContain('8/11 valid');
    expect(text.out()).toMatch(/\s+2 {2}MISSING_FIELD:customer_id/);
  });

  it('validate: reads stdin for "-" and exits 0 when every record passes', async () => {
    const t = io(`${JSON.stringify(orderRecord(1))}\n${JSON.stringify(orderRecord(2))}\n`);
    expect(await runContractCommand(['validate', ORDERS_CONTRACT(), '-', '--strict'], t.io)).toBe(
      0,
    );
    expect(t.out()).toContain('2/2 valid');
  });

  it('diff: exit 1 on breaking changes', async () => {
    const next = join(dir, 'next.yaml');
    writeFileSync(
      next,
      readFileSync(ORDERS_CONTRACT(), 'utf8')
        .replace('version: 3.0.0', 'version: 4.0.0')
        .replace('[EUR, USD, GBP]', '[EUR, USD]'),
    );
    const t = io();
    expect(await runContractCommand(['diff', ORDERS_CONTRACT(), next], t.io)).toBe(1);
    expect(t.out()).toContain('BREAKING   enum_value_removed orders_created.currency');
    const same = io();
    expect(
      await runContractCommand(['diff', ORDERS_CONTRACT(), ORDERS_CONTRACT(), '--json'], same.io),
    ).toBe(0);
    expect(JSON.parse(same.out())).toEqual({ ok: true, breaking: false, changes: [] });
  });

  it('infer: prints a YAML draft that lints clean', async () => {
    const t = io();
    expect(
      await runContractCommand(
        ['infer', records, '--name', 'orders', '--id', 'urn:dp:orders:draft'],
        t.io,
      ),
    ).toBe(0);
    const draft = join(dir, 'draft.yaml');
    writeFileSync(draft, t.out());
    const lint = io();
    expect(await runContractCommand(['lint', draft], lint.io)).toBe(0);
    expect(t.out()).toContain('id: urn:dp:orders:draft');
  });

  it('usage and input errors exit 2 with a typed error, never throw', async () => {
    const none = io();
    expect(await runContractCommand([], none.io)).toBe(2);
    expect(none.out()).toContain('usage: signal-factory contract');
    const unknown = io();
    expect(await runContractCommand(['frobnicate'], unknown.io)).toBe(2);
    expect(unknown.err()).toContain('unknown contract command');
    const missing = io();
    expect(await runContractCommand(['validate', ORDERS_CONTRACT()], missing.io)).toBe(2);
    const badContract = io();
    const v2 = join(dir, 'v2.yaml');
    writeFileSync(v2, 'apiVersion: v2.2.2\nkind: DataContract\n');
    expect(await runContractCommand(['validate', v2, records, '--json'], badContract.io)).toBe(2);
    expect(JSON.parse(badContract.out()).error.code).toBe('SF_ERR_CONTRACT_UNSUPPORTED_VERSION');
    const nofile = io();
    expect(await runContractCommand(['lint', join(dir, 'nope.yaml')], nofile.io)).toBe(2);
    const multi = io();
    const adventure = sharedDir(
      'specs',
      'odcs',
      'examples',
      'all',
      'postgresql-adventureworks-contract.odcs.yaml',
    );
    expect(await runContractCommand(['validate', adventure, records, '--json'], multi.io)).toBe(2);
    expect(JSON.parse(multi.out()).error.code).toBe('SF_ERR_CONTRACT_COMPILE');
  });
});
