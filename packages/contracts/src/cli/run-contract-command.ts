import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { compileContract } from '../compile/compile-contract';
import { diffContracts } from '../diff/diff-contracts';
import { inferContract } from '../infer/infer-contract';
import { lintContract, loadContract } from '../load/load-contract';

/** Where the command writes and reads; the cli package passes process streams. */
export interface ContractCommandIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  /** Read when a file argument is `-`. */
  stdin?: Readable;
  /** Base for relative paths. Default `process.cwd()`. */
  cwd?: string;
}

/** Exit codes: 0 clean, 1 findings (lint problems, invalid records, breaking changes), 2 usage or input error. */
export const CONTRACT_EXIT = { OK: 0, FINDINGS: 1, ERROR: 2 } as const;

const USAGE = `usage: signal-factory contract <command> [options]

commands:
  lint <contract.yaml>...                    lint ODCS v3 contracts against the official JSON Schema
  validate <contract.yaml> <records.ndjson|-> validate NDJSON records; prints reason-code counts
           [--schema <name>] [--strict]
  diff <old.yaml> <new.yaml>                 classify changes as breaking or compatible
  infer <records.ndjson|-> [--name <n>] [--id <urn>] [--physical-name <topic>] [--limit <n>]
                                             draft an ODCS v3.1.0 contract from sample records

options:
  --json    machine-readable output
exit status: 0 clean, 1 findings (problems, invalid records, breaking changes), 2 usage or input error
`;

interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set(['--schema', '--name', '--id', '--physical-name', '--limit']);

function parseArgs(argv: readonly string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags.set(a.slice(0, eq), a.slice(eq + 1));
      else if (VALUE_FLAGS.has(a)) {
        const v = argv[i + 1];
        if (v === undefined) throw new UsageError(`${a} needs a value`);
        flags.set(a, v);
        i += 1;
      } else flags.set(a, true);
    } else positional.push(a);
  }
  return { positional, flags };
}

class UsageError extends Error {}

function errorJson(error: unknown): Record<string, unknown> {
  const e = error as { code?: unknown; message?: unknown; details?: unknown };
  return {
    code: typeof e.code === 'string' ? e.code : 'SF_ERR_CONTRACT_IO',
    message: String(e.message ?? error),
    ...(e.details === undefined ? {} : { details: e.details }),
  };
}

async function* ndjsonLines(file: string, io: ContractCommandIo): AsyncGenerator<string> {
  const input =
    file === '-'
      ? io.stdin
      : createReadStream(resolve(io.cwd ?? process.cwd(), file), { encoding: 'utf8' });
  if (input === undefined) throw new UsageError('no stdin available for "-"');
  const rl = createInterface({ input, crlfDelay: Infinity });
  for await (const line of rl) yield line;
}

/**
 * `signal-factory contract lint|validate|diff|infer`, as a function: the cli package dispatches
 * `argv` (the words after `contract`) here. Resolves to the exit status; never throws.
 */
export async function runContractCommand(
  argv: readonly string[],
  io: ContractCommandIo,
): Promise<number> {
  const json = argv.includes('--json');
  const out = (text: string): void =>
    void io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  const fail = (error: unknown, code: number): number => {
    if (json) out(JSON.stringify({ ok: false, error: errorJson(error) }));
    else
      io.stderr.write(
        `error: ${(error as Error).message ?? String(error)}\n${error instanceof UsageError ? USAGE : ''}`,
      );
    return code;
  };
  const read = (file: string): Promise<string> =>
    readFile(resolve(io.cwd ?? process.cwd(), file), 'utf8');
  try {
    const [command, ...rest] = argv.filter((a) => a !== '--json');
    const { positional, flags } = parseArgs(rest);
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
        io.stdout.write(USAGE);
        return command === undefined ? CONTRACT_EXIT.ERROR : CONTRACT_EXIT.OK;
      case 'lint': {
        if (positional.length === 0) throw new UsageError('lint needs at least one contract file');
        const files = [];
        for (const file of positional) {
          const result = lintContract(await read(file));
          files.push({ file, valid: result.valid, problems: result.problems });
        }
        const valid = files.every((f) => f.valid);
        if (json) out(JSON.stringify({ ok: valid, files }));
        else {
          for (const f of files) {
            out(`${f.valid ? 'ok  ' : 'FAIL'} ${f.file}`);
            for (const p of f.problems) out(`  ${p.path || '(root)'}: ${p.message}`);
          }
        }
        return valid ? CONTRACT_EXIT.OK : CONTRACT_EXIT.FINDINGS;
      }
      case 'validate': {
        const [contractFile, recordsFile] = positional;
        if (contractFile === undefined || recordsFile === undefined)
          throw new UsageError('validate needs a contract file and an NDJSON file (or -)');
        const schema = flags.get('--schema');
        const compiled = compileContract(loadContract(await read(contractFile)), {
          ...(typeof schema === 'string' ? { schemaName: schema } : {}),
          ...(flags.has('--strict') ? { strict: true } : {}),
        });
        let total = 0;
        let valid = 0;
        let unparseable = 0;
        const counts = new Map<string, number>();
        for await (const line of ndjsonLines(recordsFile, io)) {
          if (line.trim() === '') continue;
          total += 1;
          let record: unknown;
          try {
            record = JSON.parse(line);
          } catch {
            unparseable += 1;
            counts.set('UNPARSEABLE_VALUE', (counts.get('UNPARSEABLE_VALUE') ?? 0) + 1);
            continue;
          }
          const r = compiled.validate(record);
          if (r.valid) valid += 1;
          for (const code of r.reasonCodes) counts.set(code, (counts.get(code) ?? 0) + 1);
        }
        const reasonCodes = Object.fromEntries(
          [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
        );
        const invalid = total - valid;
        if (json) {
          out(
            JSON.stringify({
              ok: invalid === 0,
              contract: { id: compiled.id, version: compiled.version, schema: compiled.schemaName },
              total,
              valid,
              invalid,
              unparseable,
              reasonCodes,
            }),
          );
        } else {
          out(
            `${compiled.id} ${compiled.version} (${compiled.schemaName}): ${valid}/${total} valid, ${invalid} invalid`,
          );
          for (const [code, n] of Object.entries(reasonCodes))
            out(`  ${String(n).padStart(8)}  ${code}`);
        }
        return invalid === 0 ? CONTRACT_EXIT.OK : CONTRACT_EXIT.FINDINGS;
      }
      case 'diff': {
        const [oldFile, newFile] = positional;
        if (oldFile === undefined || newFile === undefined)
          throw new UsageError('diff needs two contract files');
        const result = diffContracts(await read(oldFile), await read(newFile));
        if (json) out(JSON.stringify({ ok: !result.breaking, ...result }));
        else {
          if (result.changes.length === 0) out('no changes');
          for (const c of result.changes)
            out(`${c.breaking ? 'BREAKING  ' : 'compatible'} ${c.kind} ${c.path}: ${c.message}`);
          out(result.breaking ? 'breaking changes found' : 'no breaking changes');
        }
        return result.breaking ? CONTRACT_EXIT.FINDINGS : CONTRACT_EXIT.OK;
      }
      case 'infer': {
        const [recordsFile] = positional;
        if (recordsFile === undefined) throw new UsageError('infer needs an NDJSON file (or -)');
        const limitFlag = flags.get('--limit');
        const limit = typeof limitFlag === 'string' ? Number(limitFlag) : 100_000;
        if (!Number.isInteger(limit) || limit < 1)
          throw new UsageError('--limit must be a positive integer');
        const samples: unknown[] = [];
        let unparseable = 0;
        for await (const line of ndjsonLines(recordsFile, io)) {
          if (line.trim() === '') continue;
          try {
            samples.push(JSON.parse(line));
          } catch {
            unparseable += 1;
          }
          if (samples.length >= limit) break;
        }
        const name = flags.get('--name');
        const id = flags.get('--id');
        const physicalName = flags.get('--physical-name');
        const result = inferContract(samples, {
          ...(typeof name === 'string' ? { name } : {}),
          ...(typeof id === 'string' ? { id } : {}),
          ...(typeof physicalName === 'string' ? { physicalName } : {}),
        });
        if (json)
          out(
            JSON.stringify({
              ok: true,
              contract: result.contract,
              confidence: result.confidence,
              samples: samples.length,
              unparseable,
              skipped: result.skipped,
            }),
          );
        else io.stdout.write(result.yaml);
        return CONTRACT_EXIT.OK;
      }
      default:
        throw new UsageError(`unknown contract command ${JSON.stringify(command)}`);
    }
  } catch (error) {
    return fail(error, CONTRACT_EXIT.ERROR);
  }
}
