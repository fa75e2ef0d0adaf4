import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

import { SIDECAR_ERROR_CODES } from '../errors';
import { silentLogger, type Logger } from '../logger';
import { checkInt, throwIfProblems } from '../options';
import { admissionResponse, decideAdmission, type InjectorOptions } from './mutate-pod';

/** Options of `createInjectorServer`. */
export interface InjectorServerOptions extends InjectorOptions {
  /** PEM certificate (chain) served to the API server. */
  cert: string | Buffer;
  /** PEM private key. */
  key: string | Buffer;
  /** Listen address. Default `0.0.0.0` (the API server must reach it). */
  host?: string;
  /** Listen port. Default 8443; 0 picks a free one. */
  listenPort?: number;
  /** Largest AdmissionReview accepted, in bytes. Default 3 MiB. */
  maxBodyBytes?: number;
  logger?: Logger;
}

/** The admission-webhook injector: HTTPS `POST /mutate` (AdmissionReview v1), `GET /healthz`. */
export function createInjectorServer(options: InjectorServerOptions): {
  listen(): Promise<string>;
  close(): Promise<void>;
} {
  const problems: Array<{ path: string; message: string }> = [];
  if (typeof options.image !== 'string' || options.image === '')
    problems.push({ path: 'image', message: 'must name the sidecar image' });
  if (!options.cert) problems.push({ path: 'cert', message: 'a PEM certificate is required' });
  if (!options.key) problems.push({ path: 'key', message: 'a PEM private key is required' });
  const listenPort = options.listenPort ?? 8443;
  checkInt(listenPort, 'listenPort', 0, 65_535, problems);
  throwIfProblems('injector', problems);
  const max = options.maxBodyBytes ?? 3 * 1024 * 1024;
  const logger = options.logger ?? silentLogger;
  const server: Server = createServer({ cert: options.cert, key: options.key }, (req, res) => {
    const reply = (status: number, body: unknown): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    };
    if (req.method === 'GET' && req.url === '/healthz') return reply(200, { status: 'ok' });
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/mutate') {
      req.resume();
      return reply(404, {
        error: { code: SIDECAR_ERROR_CODES.NOT_FOUND, message: 'POST /mutate only' },
      });
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) tooBig = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      let review: unknown;
      if (tooBig) review = undefined;
      else {
        try {
          review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          review = undefined;
        }
      }
      const decision =
        review === undefined
          ? {
              uid: '',
              allowed: false,
              status: {
                code: 400,
                message: `${SIDECAR_ERROR_CODES.ADMISSION_INVALID}: ${tooBig ? `AdmissionReview larger than ${max} bytes` : 'body is not JSON'}`,
              },
              reason: 'malformed',
            }
          : decideAdmission(review, options);
      logger.info(
        { uid: decision.uid, allowed: decision.allowed, reason: decision.reason },
        'admission decision',
      );
      reply(200, admissionResponse(decision));
    });
  });
  return {
    async listen() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(listenPort, options.host ?? '0.0.0.0', () => resolve());
      });
      const a = server.address() as AddressInfo;
      return `https://${a.address}:${a.port}`;
    },
    async close() {
      if (!server.listening) return;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
