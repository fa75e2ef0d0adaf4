import { describe, expect, it } from 'vitest';
import * as core from './index';

describe('public API', () => {
  it('keeps the exact header names other packages code against', () => {
    expect(core.HEADERS).toEqual({
      producerService: 'x-obs-producer-service',
      producerVersion: 'x-obs-producer-version',
      eventTime: 'x-obs-event-time',
      contractId: 'x-obs-contract-id',
      contractVersion: 'x-obs-contract-version',
      enforcement: 'x-obs-enforcement',
      reasonCodes: 'x-obs-reason-codes',
      sourceTopic: 'x-obs-source-topic',
    });
    expect(core.TRACEPARENT_HEADER).toBe('traceparent');
    expect(core.TRACESTATE_HEADER).toBe('tracestate');
  });

  it('keeps every error code in the SF_ERR_ form and unique', () => {
    const codes = Object.values(core.CORE_ERROR_CODES);
    for (const code of codes) expect(code).toMatch(/^SF_ERR_[A-Z]+(_[A-Z]+)+$/);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('exports the functions of the shared language', () => {
    for (const name of [
      'parseDatasetUrn',
      'formatDatasetUrn',
      'isDatasetUrn',
      'parseTraceparent',
      'formatTraceparent',
      'parseTracestate',
      'formatTracestate',
      'extractTraceContext',
      'formatReasonCode',
      'parseReasonCode',
      'canonicalize',
      'shapeOf',
      'shapeFingerprint',
      'createShapeFingerprinter',
      'evidenceId',
      'failureSignatureId',
      'validateEvidence',
      'checkEvidence',
      'isEvidence',
      'validateSignal',
      'checkSignal',
      'isSignal',
      'validateIncident',
      'checkIncident',
      'isIncident',
    ] as const) {
      expect(typeof core[name]).toBe('function');
    }
  });
});
