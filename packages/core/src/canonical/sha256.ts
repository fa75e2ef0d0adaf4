import * as crypto from 'node:crypto';

type OneShotHash = (algorithm: string, data: string, outputEncoding: 'hex') => string;

// `crypto.hash` (Node >= 20.12) is ~1.6x faster than createHash for small inputs.
const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash;

/** Lowercase hex SHA-256 of the UTF-8 encoding of `data`. */
export const sha256Hex: (data: string) => string =
  typeof oneShot === 'function'
    ? (data) => oneShot('sha256', data, 'hex')
    : (data) => crypto.createHash('sha256').update(data, 'utf8').digest('hex');
