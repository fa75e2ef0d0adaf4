import { isSignalFactoryError } from '@signal-factory/core';
import type { Copilot } from '../copilot';
import { COPILOT_ERROR_CODES } from '../errors';
import type { RcaReport } from '../types';
import { formatRcaReport } from './format-report';

/** Where `runRcaCommand` reads from and writes to. */
export interface RcaCommandIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  /** An embedded copilot; when absent the command asks a copilot HTTP API (`--url` or `SF_COPILOT_URL`). */
  copilot?: Copilot;
  /** Environment (for `SF_COPILOT_URL`). Default `process.env`. */
  env?: Record<string, string | undefined>;
  /** fetch used in `--url` mode. Default the global `fetch`. */
  fetch?: typeof fetch;
}

export const RCA_USAGE = `Usage: signal-factory rca <incident-id> [--json] [--summary auto|template|llm] [--url <copilot-api>]

Prints the root-cause report of an incident.
  --json             print the RcaReport as JSON
  --summary <mode>   auto (LLM wording when configured, default), template, or llm
  --no-llm           same as --summary template
  --url <url>        ask a running copilot HTTP API (default: $SF_COPILOT_URL, else the embedded copilot)
Exit codes: 0 report printed, 1 failure, 2 usage error, 3 incident not found.
`;

interface Parsed {
  id?: string;
  json: boolean;
  summary: 'auto' | 'template' | 'llm';
  url?: string;
  help: boolean;
  errors: string[];
}

function parse(argv: readonly string[]): Parsed {
  const out: Parsed = { json: false, summary: 'auto', help: false, errors: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string | undefined => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) {
        out.errors.push(`${flag} needs a value`);
        return undefined;
      }
      i++;
      return next;
    };
    switch (flag) {
      case '--json':
        out.json = true;
        break;
      case '--no-llm':
        out.summary = 'template';
        break;
      case '--summary': {
        const v = value();
        if (v === 'auto' || v === 'template' || v === 'llm') out.summary = v;
        else if (v !== undefined)
          out.errors.push(`--summary must be auto, template or llm, not ${JSON.stringify(v)}`);
        break;
      }
      case '--url': {
        const v = value();
        if (v !== undefined) out.url = v;
        break;
      }
      case '-h':
      case '--help':
        out.help = true;
        break;
      default:
        if (arg.startsWith('-')) out.errors.push(`unknown option ${arg}`);
        else if (out.id === undefined) out.id = arg;
        else out.errors.push(`unexpected argument ${JSON.stringify(arg)}`);
    }
  }
  if (!out.help && out.id === undefined) out.errors.push('missing <incident-id>');
  return out;
}

async function remote(
  base: string,
  id: string,
  summary: string,
  fetchImpl: typeof fetch,
): Promise<{ report?: RcaReport; status: number; code?: string; message?: string }> {
  const url = new URL(
    `v1/incidents/${encodeURIComponent(id)}/rca`,
    base.endsWith('/') ? base : `${base}/`,
  );
  url.searchParams.set('summary', summary);
  const response = await fetchImpl(url, { headers: { accept: 'application/json' } });
  const body = (await response.json().catch(() => undefined)) as
    (RcaReport & { error?: { code?: string; message?: string } }) | undefined;
  if (response.ok && body !== undefined) return { report: body, status: response.status };
  return {
    status: response.status,
    ...(body?.error?.code !== undefined ? { code: body.error.code } : {}),
    message: body?.error?.message ?? `HTTP ${response.status}`,
  };
}

/**
 * `signal-factory rca <incident-id> [--json]`: prints the report. `argv` is what follows `rca`.
 * Resolves with the exit code (0 ok, 1 failure, 2 usage, 3 not found); never throws.
 */
export async function runRcaCommand(argv: readonly string[], io: RcaCommandIo): Promise<number> {
  const args = parse(argv);
  if (args.help) {
    io.stdout.write(RCA_USAGE);
    return 0;
  }
  if (args.errors.length > 0) {
    io.stderr.write(`signal-factory rca: ${args.errors.join('; ')}\n\n${RCA_USAGE}`);
    return 2;
  }
  const id = args.id as string;
  const url =
    args.url ?? (io.copilot === undefined ? (io.env ?? process.env).SF_COPILOT_URL : undefined);
  try {
    let report: RcaReport;
    if (url !== undefined && url !== '') {
      const answer = await remote(url, id, args.summary, io.fetch ?? fetch);
      if (answer.report === undefined) {
        io.stderr.write(`signal-factory rca: ${answer.code ?? 'error'}: ${answer.message ?? ''}\n`);
        return answer.status === 404 && answer.code === COPILOT_ERROR_CODES.INCIDENT_NOT_FOUND
          ? 3
          : answer.status === 400
            ? 2
            : 1;
      }
      report = answer.report;
    } else if (io.copilot !== undefined) {
      report = await io.copilot.rca(id, { summary: args.summary });
    } else {
      io.stderr.write('signal-factory rca: no copilot: pass --url or set SF_COPILOT_URL\n');
      return 2;
    }
    io.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatRcaReport(report));
    return 0;
  } catch (error) {
    const code = isSignalFactoryError(error) ? error.code : 'error';
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`signal-factory rca: ${code}: ${message}\n`);
    if (code === COPILOT_ERROR_CODES.INCIDENT_NOT_FOUND) return 3;
    if (code === COPILOT_ERROR_CODES.INVALID_ARGUMENT) return 2;
    return 1;
  }
}
