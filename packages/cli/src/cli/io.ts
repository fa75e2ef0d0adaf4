import type { Readable } from 'node:stream';

/** Where a command writes and reads. The binary passes the process streams; tests pass buffers. */
export interface CliIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  /** Read when a file argument is `-`. */
  stdin?: Readable;
  /** Base for relative paths. Default `process.cwd()`. */
  cwd?: string;
  /** Environment. Default `process.env`. */
  env?: Record<string, string | undefined>;
  /**
   * Aborted when a long-running command (`up`, `sidecar`, …) should stop. Without it those
   * commands stop on SIGINT/SIGTERM.
   */
  signal?: AbortSignal;
}

/** Exit statuses of every command. */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const;
