/** A server the harness started (or found already running); stop() is idempotent. */
export interface RunningServer {
  /** 'kafka' | 'gremlin' | 'dynamo'. */
  readonly name: string;
  /** What clients connect to: '127.0.0.1:PORT', 'ws://127.0.0.1:PORT/gremlin', 'http://127.0.0.1:PORT'. */
  readonly endpoint: string;
  /** Directory with the server's data and logs (undefined for external servers). */
  readonly workDir: string | undefined;
  /** Milliseconds from the call to ready, Maven fetch included. */
  readonly startMs: number;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Milliseconds to wait for the server to answer its readiness probe. */
  readonly timeoutMs: number;
  /** Progress lines (fetching jars, ready). */
  readonly log: (line: string) => void;
}
