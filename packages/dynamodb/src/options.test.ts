import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DYNAMODB_ERROR_CODES } from './errors';
import { resolveDynamoDbOptions } from './options';

function problemsOf(options: unknown): string[] {
  try {
    resolveDynamoDbOptions(options);
  } catch (error) {
    expect(error).toMatchObject({ code: DYNAMODB_ERROR_CODES.OPTIONS_INVALID, retriable: false });
    return (error as { details: { problems: { path: string }[] } }).details.problems.map(
      (p) => p.path,
    );
  }
  return [];
}

describe('resolveDynamoDbOptions', () => {
  it('applies the documented defaults', () => {
    expect(resolveDynamoDbOptions({})).toMatchObject({
      tablePrefix: '',
      tables: {},
      autoCreateTables: false,
      consistentRead: true,
      maxRetries: 8,
      retryBaseMs: 50,
      retryMaxMs: 5_000,
      requestTimeoutMs: 10_000,
      region: undefined,
    });
    expect(resolveDynamoDbOptions({ endpoint: 'http://127.0.0.1:8000' }).region).toBe('us-east-1');
    expect(
      resolveDynamoDbOptions({ endpoint: 'http://127.0.0.1:8000', region: 'eu-west-1' }).region,
    ).toBe('eu-west-1');
  });

  it('reports every problem at once, each with its path', () => {
    expect(
      problemsOf({
        endpoint: 'ftp://x',
        credentials: { accessKeyId: '' },
        tablePrefix: 'bad prefix!',
        tables: { SignalState: 'x' },
        maxRetries: -1,
        retryBaseMs: 100,
        retryMaxMs: 10,
        clock: 5,
        logger: {},
        client: {},
        autoCreateTables: 'yes',
        typo: 1,
      }).sort(),
    ).toEqual(
      [
        'endpoint',
        'credentials.accessKeyId',
        'credentials.secretAccessKey',
        'tablePrefix',
        'tables.SignalState',
        'maxRetries',
        'retryMaxMs',
        'clock',
        'logger',
        'client',
        'autoCreateTables',
        'typo',
      ].sort(),
    );
  });

  it('never throws anything but a typed error, whatever the input', () => {
    fc.assert(
      fc.property(fc.anything(), (options) => {
        try {
          resolveDynamoDbOptions(options);
        } catch (error) {
          expect(error).toMatchObject({ code: DYNAMODB_ERROR_CODES.OPTIONS_INVALID });
        }
      }),
      { numRuns: 300 },
    );
  });
});
