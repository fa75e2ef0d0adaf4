import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { HarnessError } from './errors';
import { unwatchProcessGroup, watchProcessGroup } from './reaper';

export interface ServerProcessOptions {
  /** Short name used in messages ('kafka'). */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** stdout and stderr of the process go here. */
  readonly consoleFile: string;
  /** More log files whose tails are shown when start-up fails (the server's own log). */
  readonly logFiles?: readonly string[];
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** What we wait for, for the error message ('Kafka to answer a metadata request'). */
  readonly what: string;
}

const live = new Set<ServerProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous last resort when the harness process exits without calling stop().
  process.on('exit', () => {
    for (const server of live) server.killNow();
  });
}

/** Tail of a text file, or '' when it does not exist. */
export function tailOf(file: string, lines = 40): string {
  if (!existsSync(file)) return '';
  const text = readFileSync(file, 'utf8');
  return text
    .split('\n')
    .slice(-lines - 1)
    .join('\n');
}

/**
 * A server child process in its own process group (so stop() also reaches the JVM's children),
 * with its console in a file, registered with the watchdog so it never outlives the test run.
 */
export class ServerProcess {
  readonly name: string;
  readonly #options: ServerProcessOptions;
  readonly #child: ChildProcess;
  readonly #exit: Promise<void>;
  #exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  #spawnError: Error | undefined;

  private constructor(options: ServerProcessOptions) {
    this.name = options.name;
    this.#options = options;
    const fd = openSync(options.consoleFile, 'a');
    try {
      this.#child = spawn(options.command, [...options.args], {
        cwd: options.cwd,
        env: options.env ?? process.env,
        detached: true,
        stdio: ['ignore', fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    this.#exit = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        this.#exitInfo = { code, signal };
        live.delete(this);
        if (this.#child.pid !== undefined) unwatchProcessGroup(this.#child.pid);
        resolve();
      });
      this.#child.once('error', (error) => {
        this.#spawnError = error;
        this.#exitInfo ??= { code: null, signal: null };
        live.delete(this);
        resolve();
      });
    });
    if (this.#child.pid !== undefined) {
      watchProcessGroup(this.#child.pid);
      live.add(this);
      installExitHook();
    }
  }

  static start(options: ServerProcessOptions): ServerProcess {
    return new ServerProcess(options);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get exited(): boolean {
    return this.#exitInfo !== undefined;
  }

  /** Tails of the console and log files, for error messages. */
  logTail(lines = 40): string {
    const files = [this.#options.consoleFile, ...(this.#options.logFiles ?? [])];
    return files
      .map((file) => {
        const tail = tailOf(file, lines).trim();
        return tail === ''
          ? ''
          : `--- ${path.basename(file)} (${file}), last ${lines} lines ---\n${tail}`;
      })
      .filter((part) => part !== '')
      .join('\n');
  }

  /** Polls probe until it resolves true; fails early if the process exits, or at the deadline. */
  async waitUntil(probe: () => Promise<boolean>, options: WaitOptions): Promise<void> {
    const deadline = Date.now() + options.timeoutMs;
    const interval = options.intervalMs ?? 250;
    let lastError: unknown;
    for (;;) {
      if (this.exited) {
        const info = this.#exitInfo;
        const how =
          this.#spawnError !== undefined
            ? `could not be started: ${this.#spawnError.message}`
            : `exited (code ${String(info?.code)}, signal ${String(info?.signal)})`;
        throw new HarnessError(
          'SF_HARNESS_SERVER_EXITED',
          `${this.name} ${how} while waiting for ${options.what}.\n${this.logTail()}`,
          { cause: this.#spawnError },
        );
      }
      try {
        if (await probe()) return;
      } catch (error) {
        lastError = error;
      }
      if (Date.now() >= deadline) {
        const last = lastError instanceof Error ? `\nLast probe error: ${lastError.message}` : '';
        throw new HarnessError(
          'SF_HARNESS_START_TIMEOUT',
          `${this.name} did not become ready within ${options.timeoutMs} ms (waiting for ${options.what}).${last}\n${this.logTail()}`,
          { cause: lastError },
        );
      }
      await Promise.race([sleep(interval), this.#exit]);
    }
  }

  /** SIGTERM to the process group, SIGKILL after graceMs. Idempotent. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited || this.#child.pid === undefined) return;
    this.#signal('SIGTERM');
    const timer = setTimeout(() => this.#signal('SIGKILL'), graceMs);
    timer.unref();
    await this.#exit;
    clearTimeout(timer);
    // Whatever the leader left in its group (there should be nothing) goes too.
    this.#signal('SIGKILL');
  }

  /** Synchronous SIGKILL of the process group, for the process 'exit' hook. */
  killNow(): void {
    this.#signal('SIGKILL');
  }

  #signal(signal: NodeJS.Signals): void {
    const pid = this.#child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  }
}
