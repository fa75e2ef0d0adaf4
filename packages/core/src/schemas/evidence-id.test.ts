import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SignalFactoryError } from '../errors/signal-factory-error';
import { evidenceId } from './evidence-id';
import { evidenceProblems } from './validators';
import { passEvidence } from './fixtures.test-data';

describe('evidenceId', () => {
  const kafka = {
    datasetUrn: 'urn:dp:orders:created',
    topic: 'orders.created',
    partition: 3,
    offset: '42',
  };
  const content = {
    datasetUrn: 'urn:dp:orders:created',
    producerService: 'orders-svc',
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    eventTime: '2026-11-25T10:00:00Z',
    valueDigest: `sha256:${'ab'.repeat(32)}`,
  };

  it('is deterministic, schema-valid and offset-type agnostic', () => {
    const id = evidenceId(kafka);
    expect(id).toMatch(/^ev_[0-9a-f]{32}$/);
    expect(evidenceId({ ...kafka })).toBe(id);
    expect(evidenceId({ ...kafka, offset: 42 })).toBe(id);
    expect(evidenceId({ ...kafka, offset: 42n })).toBe(id);
    expect(evidenceProblems({ ...passEvidence, evidence_id: id })).toEqual([]);
  });

  it('differs when any coordinate differs', () => {
    const ids = new Set([
      evidenceId(kafka),
      evidenceId({ ...kafka, offset: '43' }),
      evidenceId({ ...kafka, partition: 4 }),
      evidenceId({ ...kafka, topic: 'orders.created.v2' }),
      evidenceId({ ...kafka, datasetUrn: null }),
      evidenceId(content),
      evidenceId({ ...content, traceId: undefined, recordKey: 'k1' }),
      evidenceId({ ...content, eventTime: '2026-11-25T10:00:01Z' }),
      evidenceId({ ...content, valueDigest: 'sha256:00' }),
    ]);
    expect(ids.size).toBe(9);
    expect(evidenceId(content)).toBe(evidenceId({ ...content }));
  });

  it.each<[string, unknown, string]>([
    ['null input', null, 'input'],
    ['bad partition', { ...kafka, partition: -1 }, 'partition'],
    ['bad offset', { ...kafka, offset: '-1' }, 'offset'],
    ['offset object', { ...kafka, offset: {} }, 'offset'],
    ['empty topic', { ...kafka, topic: '' }, 'topic'],
    ['numeric urn', { ...kafka, datasetUrn: 5 }, 'datasetUrn'],
    ['no trace id or key', { ...content, traceId: undefined }, 'traceId'],
    ['no producer', { ...content, producerService: '' }, 'producerService'],
    ['no digest', { ...content, valueDigest: undefined }, 'valueDigest'],
    ['lone surrogate', { ...kafka, topic: 'orders\ud800' }, 'input'],
  ])('rejects %s naming the field', (_name, input, path) => {
    try {
      evidenceId(input as never);
      throw new Error('expected a throw');
    } catch (error) {
      expect(error).toBeInstanceOf(SignalFactoryError);
      expect((error as SignalFactoryError).code).toBe('SF_ERR_CORE_ARGUMENT_INVALID');
      expect((error as SignalFactoryError).details).toEqual({ path });
    }
  });

  it('fuzz: only typed errors', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        try {
          expect(evidenceId(input as never)).toMatch(/^ev_/);
        } catch (error) {
          expect((error as SignalFactoryError).code).toBe('SF_ERR_CORE_ARGUMENT_INVALID');
        }
      }),
    );
  });
});
