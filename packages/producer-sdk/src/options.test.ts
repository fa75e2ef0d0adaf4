import { describe, expect, it } from 'vitest';
import { InvalidOptionsError } from './errors';
import { resolveOptions } from './options';

describe('resolveOptions', () => {
  it('reports every problem at once, each with its path', () => {
    let error: unknown;
    try {
      resolveOptions({
        service: { name: '' },
        eventTimeField: 'a..b',
        contracts: [{ file: 'x.yaml', url: 'http://r/c' }, { url: 'ftp://nope' }, 'bad'],
        validation: { mode: 'strict', partialSends: 'yes' },
        tracing: { span: 1 },
        transport: 'carrier-pigeon',
        sidecar: {
          url: 'https://127.0.0.1:1',
          batchSize: 0,
          lingerMs: -1,
          failMode: 'ajar',
          bogus: true,
        },
        logger: { info: () => {} },
        extra: 1,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidOptionsError);
    const err = error as InvalidOptionsError;
    expect(err.code).toBe('SF_ERR_SDK_INVALID_OPTIONS');
    expect(err.retriable).toBe(false);
    const paths = err.problems.map((p) => p.path).sort();
    expect(paths).toEqual(
      [
        'contracts[0]',
        'contracts[1].url',
        'contracts[2]',
        'eventTimeField',
        'extra',
        'logger',
        'service.name',
        'service.name',
        'sidecar.batchSize',
        'sidecar.bogus',
        'sidecar.failMode',
        'sidecar.lingerMs',
        'sidecar.url',
        'tracing.span',
        'transport',
        'validation.mode',
        'validation.partialSends',
      ].sort(),
    );
    expect(err.message).toContain('sidecar.batchSize');
  });

  it('takes service identity from OTEL_SERVICE_NAME and npm_package_version', () => {
    const o = resolveOptions({
      env: { OTEL_SERVICE_NAME: 'orders-svc', npm_package_version: '1.2.3' },
    });
    expect(o.serviceName).toBe('orders-svc');
    expect(o.serviceVersion).toBe('1.2.3');
  });

  it('prefers options over the environment', () => {
    const o = resolveOptions({
      service: { name: 'a', version: '2' },
      env: { OTEL_SERVICE_NAME: 'b', npm_package_version: '1' },
    });
    expect([o.serviceName, o.serviceVersion]).toEqual(['a', '2']);
  });

  it('names both the option and the environment variable when the service name is missing', () => {
    expect(() => resolveOptions({ env: {} })).toThrow(
      /options\.service\.name or the OTEL_SERVICE_NAME/,
    );
  });

  it('fills defaults: direct transport, validation off without contracts, warn with contracts', () => {
    const a = resolveOptions({ service: { name: 's' }, env: {} });
    expect(a.transport).toBe('direct');
    expect(a.validationMode).toBe('off');
    expect(a.propagate).toBe(true);
    expect(a.span).toBe(false);
    expect(a.sidecar).toMatchObject({
      url: 'http://127.0.0.1:7070',
      batchSize: 100,
      lingerMs: 5,
      failMode: 'open',
    });
    const b = resolveOptions({
      service: { name: 's' },
      env: {},
      contracts: [{ contract: { id: 'x' } }],
    });
    expect(b.validationMode).toBe('warn');
    expect(b.contracts[0]!.refreshIntervalMs).toBe(60_000);
  });

  it('reads the sidecar URL from SF_SIDECAR_URL', () => {
    const o = resolveOptions({
      service: { name: 's' },
      env: { SF_SIDECAR_URL: 'http://127.0.0.1:9999/' },
    });
    expect(o.sidecar.url).toBe('http://127.0.0.1:9999');
  });

  it('refuses a validation mode without contracts', () => {
    expect(() =>
      resolveOptions({ service: { name: 's' }, env: {}, validation: { mode: 'block' } }),
    ).toThrow(/validation\.mode/);
  });

  it('refuses a queue smaller than a batch', () => {
    expect(() =>
      resolveOptions({
        service: { name: 's' },
        env: {},
        sidecar: { batchSize: 100, maxQueueRecords: 10 },
      }),
    ).toThrow(/sidecar\.maxQueueRecords/);
  });
});
