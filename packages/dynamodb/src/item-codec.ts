import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { SignalFactoryError, type StateItem, type StateKey } from '@signal-factory/core';
import { DYNAMODB_ERROR_CODES, stateArgumentError } from './errors';

/** DynamoDB's item size limit: 400 KB, attribute names included. */
export const MAX_ITEM_BYTES = 400 * 1024;
const MAX_PK_BYTES = 2048;
const MAX_SK_BYTES = 1024;
const MAX_DEPTH = 32;

export type Item = Record<string, AttributeValue>;

export function checkKey(key: unknown, what: string): StateKey {
  if (typeof key !== 'object' || key === null)
    throw stateArgumentError(`${what}: key must be an object { pk, sk }`);
  const { pk, sk } = key as Record<string, unknown>;
  if (typeof pk !== 'string' || pk === '' || Buffer.byteLength(pk) > MAX_PK_BYTES)
    throw stateArgumentError(
      `${what}: key.pk must be a non-empty string of at most ${MAX_PK_BYTES} bytes`,
    );
  if (typeof sk !== 'string' || sk === '' || Buffer.byteLength(sk) > MAX_SK_BYTES)
    throw stateArgumentError(
      `${what}: key.sk must be a non-empty string of at most ${MAX_SK_BYTES} bytes`,
    );
  return { pk, sk };
}

/** Finds the first value that is not JSON (or that DynamoDB cannot store as a number). */
function jsonProblem(value: unknown, path: string, depth: number): string | undefined {
  if (depth > MAX_DEPTH) return `${path} nests deeper than ${MAX_DEPTH} levels`;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return `${path} is not a finite number`;
    const abs = Math.abs(value);
    if (abs !== 0 && (abs < 1e-130 || abs >= 1e126))
      return `${path} is outside DynamoDB's number range`;
    return undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = jsonProblem(value[i], `${path}[${i}]`, depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return `${path} is not a plain object`;
    for (const [key, child] of Object.entries(value)) {
      if (child === undefined) continue; // dropped, as JSON.stringify does
      // The AWS unmarshaller assigns keys with `obj[key] = …`, so this key would set the
      // prototype on read instead of coming back as data.
      if (key === '__proto__')
        return `${path} has a "__proto__" key, which cannot be stored safely`;
      const problem = jsonProblem(child, `${path}.${key}`, depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  return `${path} is a ${typeof value}, not a JSON value`;
}

export function checkData(data: unknown, what: string): StateItem['data'] {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw stateArgumentError(`${what}: data must be a JSON object`);
  const problem = jsonProblem(data, 'data', 0);
  if (problem) throw stateArgumentError(`${what}: ${problem}`, { problem });
  return data as StateItem['data'];
}

function numberSize(n: string): number {
  const digits = n.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '');
  return Math.min(21, Math.ceil(Math.max(digits.length, 1) / 2) + 1);
}

/** Size of an attribute value as DynamoDB counts it (documented rules; an upper-bound estimate for numbers). */
export function attributeValueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.B !== undefined) return value.B.byteLength;
  if (value.L !== undefined) {
    let size = 3;
    for (const child of value.L) size += 1 + attributeValueSize(child);
    return size;
  }
  if (value.M !== undefined) {
    let size = 3;
    for (const [name, child] of Object.entries(value.M))
      size += 1 + Buffer.byteLength(name) + attributeValueSize(child);
    return size;
  }
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  return 0;
}

export function itemSize(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item))
    size += Buffer.byteLength(name) + attributeValueSize(value);
  return size;
}

/** DynamoDB numbers come back as JS numbers, as JSON would parse them (no BigInt). */
export const toNumber = (value: string): number => Number(value);

export function marshallData(data: StateItem['data']): AttributeValue {
  return {
    M: marshall(data, {
      removeUndefinedValues: true,
      convertEmptyValues: false,
      // JSON numbers are doubles; large integers are stored as DynamoDB prints them.
      allowImpreciseNumbers: true,
    }),
  };
}

/** Builds the stored item; throws `SF_ERR_STATE_ITEM_TOO_LARGE` above 400 KB. */
export function toItem(
  key: StateKey,
  dataValue: AttributeValue,
  version: number,
  expiresAt: number | undefined,
  table: string,
): Item {
  const item: Item = {
    pk: { S: key.pk },
    sk: { S: key.sk },
    data: dataValue,
    version: { N: String(version) },
  };
  if (expiresAt !== undefined) item.expiresAt = { N: String(expiresAt) };
  const size = itemSize(item);
  if (size > MAX_ITEM_BYTES)
    throw new SignalFactoryError(
      DYNAMODB_ERROR_CODES.ITEM_TOO_LARGE,
      `DynamoDB items are limited to ${MAX_ITEM_BYTES} bytes; this one is about ${size}`,
      {
        retriable: false,
        details: { table, pk: key.pk, sk: key.sk, bytes: size, limit: MAX_ITEM_BYTES },
      },
    );
  return item;
}

export function fromItem(item: Item): StateItem {
  const out: StateItem = {
    pk: item.pk?.S ?? '',
    sk: item.sk?.S ?? '',
    data: item.data?.M
      ? (unmarshall(item.data.M, { wrapNumbers: toNumber }) as StateItem['data'])
      : {},
    version: Number(item.version?.N ?? '0'),
  };
  if (item.expiresAt?.N !== undefined) out.expiresAt = Number(item.expiresAt.N);
  return out;
}

/** True when the item carries an expiry at or before `nowSeconds` (DynamoDB's TTL deletes lazily). */
export function isExpired(item: Item, nowSeconds: number): boolean {
  const raw = item.expiresAt?.N;
  return raw !== undefined && Number(raw) <= nowSeconds;
}
