import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

let reaper: ChildProcess | undefined;

function instance(): ChildProcess | undefined {
  if (reaper !== undefined) return reaper;
  const script = fileURLToPath(new URL('./watchdog.mjs', import.meta.url));
  const child = spawn(process.execPath, [script], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.on('error', () => undefined);
  child.stdin?.on('error', () => undefined);
  child.unref();
  // The pipe must not keep the harness process alive either.
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  reaper = child;
  return child;
}

function send(line: string): void {
  const child = instance();
  if (child?.stdin?.writable === true) child.stdin.write(`${line}\n`);
}

/** The watchdog kills this process group if the harness process dies without stopping it. */
export function watchProcessGroup(pgid: number): void {
  send(`+${pgid}`);
}

export function unwatchProcessGroup(pgid: number): void {
  send(`-${pgid}`);
}

/** The watchdog removes this directory if the harness process dies without removing it. */
export function watchDirectory(dir: string): void {
  send(`+dir:${dir}`);
}

export function unwatchDirectory(dir: string): void {
  send(`-dir:${dir}`);
}
