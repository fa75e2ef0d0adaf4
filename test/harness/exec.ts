import { spawn } from 'node:child_process';

export interface ExecResult {
  /** null when the command could not be started (see error). */
  readonly code: number | null;
  readonly output: string;
  readonly error?: NodeJS.ErrnoException;
}

/** Runs a short command to completion, collecting stdout and stderr together. */
export function exec(
  command: string,
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<ExecResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let settled = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            chunks.push(Buffer.from(`\n[harness] killed after ${options.timeoutMs} ms\n`));
            child.kill('SIGKILL');
          }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      resolve({ code: null, output: Buffer.concat(chunks).toString('utf8'), error });
    });
    child.once('close', (code) => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      resolve({ code: code ?? -1, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}
