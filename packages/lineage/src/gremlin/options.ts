import type { Logger } from '../logger';

/** Headers for the WebSocket handshake: fixed, or computed at every (re)connect (e.g. SigV4). */
export type HeadersOption =
  | Record<string, string>
  | ((url: string) => Record<string, string> | Promise<Record<string, string>>);

export interface GremlinGraphStoreOptions {
  /** Gremlin Server or Neptune WebSocket endpoint, e.g. `wss://my-cluster:8182/gremlin`. Required. */
  url: string;
  /** Traversal source bound on the server. Default `g`. */
  traversalSource?: string;
  /** Serializer MIME type. Default: GraphBinary 1.0 (the client's default; Neptune supports it). */
  mimeType?: string;
  /**
   * Handshake headers. A function is called before every new connection, which is what Neptune IAM
   * needs: a SigV4 signature is only valid for a few minutes (see the README for a signer).
   */
  headers?: HeadersOption;
  /** A `gremlin` `Authenticator` (e.g. `PlainTextSaslAuthenticator`) for SASL servers. */
  authenticator?: unknown;
  /** Verify the server's TLS certificate. Default `true`. */
  rejectUnauthorized?: boolean;
  /** Extra trusted CA certificates (PEM). */
  ca?: string[];
  /** Time allowed for one traversal, connection included, in ms. Default 30,000. */
  requestTimeoutMs?: number;
  /** Retries of a traversal that failed retriably (connection lost, concurrent modification). Default 3. */
  maxRetries?: number;
  /** First retry delay in ms; doubled each time, with jitter. Default 50. */
  retryBaseMs?: number;
  /**
   * Reconnect (with fresh headers) after this many ms even if the socket is healthy; 0 never.
   * Default 0. Set below your token lifetime when the server re-checks credentials.
   */
  maxConnectionAgeMs?: number;
  /** Most ids sent in one `V(ids…)` step. Default 500. */
  maxIdsPerStep?: number;
  /** pino-compatible logger; silent by default. */
  logger?: Logger;
}
