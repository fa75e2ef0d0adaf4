import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ORDERS_CONTRACT, sharedDir } from '../test-support/shared-dir';
import { lintContract, loadContract, loadContractFile } from './load-contract';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : name.endsWith('.yaml') ? [p] : [];
  });
}

const examples = walk(sharedDir('specs', 'odcs', 'examples'));

describe('ODCS examples', () => {
  it('finds all 18 upstream examples', () => {
    expect(examples).toHaveLength(18);
  });
  it.each(examples.map((f) => [f.slice(f.indexOf('examples')), f]))(
    '%s loads and lints clean',
    (_name, file) => {
      const text = readFileSync(file, 'utf8');
      const result = lintContract(text);
      expect(result.problems).toEqual([]);
      expect(result.valid).toBe(true);
      expect(loadContract(text).kind).toBe('DataContract');
    },
  );
});

describe('loadContract', () => {
  it('keeps unquoted dates as strings (YAML 1.2 core schema)', () => {
    const doc = loadContract(
      readFileSync(
        sharedDir(
          'specs',
          'odcs',
          'examples',
          'fundamentals',
          'table-column-description.odcs.yaml',
        ),
        'utf8',
      ),
    );
    expect(JSON.stringify(doc)).toContain('"2022-10-03"');
  });

  it('loads the steel-thread contract from a file and from JSON text', async () => {
    const fromFile = await loadContractFile(ORDERS_CONTRACT());
    expect(fromFile.id).toBe('urn:dp:orders:created');
    expect(loadContract(JSON.stringify(fromFile))).toEqual(fromFile);
    expect(loadContract(fromFile)).toBe(fromFile);
  });

  it('reports malformed YAML with its line', () => {
    const result = lintContract('apiVersion: v3.1.0\nkind: [DataContract\n');
    expect(result.valid).toBe(false);
    expect(result.problems[0]?.message).toMatch(/malformed YAML at line \d+/);
    expect(() => loadContract('a: b: c')).toThrow(
      expect.objectContaining({ code: 'SF_ERR_CONTRACT_INVALID' }),
    );
  });

  it('rejects duplicate keys and malformed JSON', () => {
    expect(lintContract('id: a\nid: b\n').problems[0]?.message).toMatch(/malformed YAML/);
    expect(lintContract('{"id": ').problems[0]?.message).toMatch(/malformed JSON/);
  });

  it('rejects an unsupported apiVersion with its own code', () => {
    const src = readFileSync(ORDERS_CONTRACT(), 'utf8').replace(
      'apiVersion: v3.1.0',
      'apiVersion: v2.2.2',
    );
    expect(lintContract(src).problems).toEqual([
      { path: '/apiVersion', message: expect.stringMatching(/unsupported apiVersion "v2.2.2"/) },
    ]);
    expect(() => loadContract(src)).toThrow(
      expect.objectContaining({ code: 'SF_ERR_CONTRACT_UNSUPPORTED_VERSION' }),
    );
    expect(lintContract({ kind: 'DataContract' }).problems[0]?.message).toMatch(
      /missing apiVersion/,
    );
  });

  it('reports every schema problem with its path', () => {
    const src = readFileSync(ORDERS_CONTRACT(), 'utf8')
      .replace('status: active\n', '')
      .replace('logicalType: number', 'logicalType: money')
      .replace('domain: orders', 'domain: orders\nowner: me');
    let error: unknown;
    try {
      loadContract(src);
    } catch (e) {
      error = e;
    }
    const problems = (error as { details: { problems: Array<{ path: string; message: string }> } })
      .details.problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: '', message: "missing required property 'status'" },
        { path: '/owner', message: expect.stringMatching(/not allowed/) },
        expect.objectContaining({ path: '/schema/0/properties/2/logicalType' }),
      ]),
    );
  });

  it('names the field of a problem and keeps unknown keys inside properties', () => {
    const src = readFileSync(ORDERS_CONTRACT(), 'utf8')
      .replace('unique: true', 'unique: true\n        colour: red')
      .replace('metric: invalidValues', 'metric: invalidValuez');
    const problems = lintContract(src).problems;
    expect(problems).toEqual([
      {
        path: '/schema/0/properties/0/colour',
        message:
          'property is not allowed here (not in the ODCS schema; use customProperties) (at orders_created.order_id)',
      },
      {
        path: '/schema/0/properties/3/quality/0/metric',
        message: expect.stringMatching(/^must be one of .*\(at orders_created\.currency\)$/),
      },
    ]);
  });

  it('rejects non-object documents and oversize sources', () => {
    expect(lintContract('- a\n- b\n').problems[0]?.message).toMatch(/mapping/);
    expect(lintContract('x'.repeat(100), { maxBytes: 10 }).problems[0]?.message).toMatch(/larger/);
    expect(() => loadContract(42 as never)).toThrow(
      expect.objectContaining({ code: 'SF_ERR_CONTRACT_INVALID' }),
    );
  });

  it('lints v3.0.x strictly against v3.0.2 on request', () => {
    const file = sharedDir('specs', 'odcs', 'examples', 'stakeholders', 'basic-four-dpo.odcs.yaml');
    const text = readFileSync(file, 'utf8');
    expect(lintContract(text).valid).toBe(true);
    expect(lintContract(text, { schemaVersion: 'v3.0.2' }).problems[0]?.path).toBe('/team');
  });

  it('survives pathological documents: deep nesting, alias bombs', () => {
    const deep = `a: ${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    expect(lintContract(deep).valid).toBe(false);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++)
      bomb.push(
        `${'b'.repeat(i)}: &${'b'.repeat(i)} [${Array(10)
          .fill(i === 1 ? '*a' : `*${'b'.repeat(i - 1)}`)
          .join(', ')}]`,
      );
    const result = lintContract(bomb.join('\n'));
    expect(result.valid).toBe(false);
    expect(result.problems[0]?.message).toMatch(/alias|malformed|processed/i);
  });

  it('throws an IO error for a missing file', async () => {
    await expect(loadContractFile('/nonexistent/contract.yaml')).rejects.toMatchObject({
      code: 'SF_ERR_CONTRACT_IO',
    });
  });
});
