import { HEADERS, formatReasonCode } from '@signal-factory/core';

import type { GateOutcome, Identity } from '../types';

export interface IdentityOutcome extends GateOutcome {
  identity: Identity;
}

const MAX_SERVICE_LENGTH = 200;
const UNVERIFIED = formatReasonCode('IDENTITY_UNVERIFIED');

/**
 * Gate G2: who produced the record. The `x-obs-producer-service` header gives HIGH confidence;
 * the topic → service fallback map MEDIUM (WARN `IDENTITY_UNVERIFIED`); otherwise LOW, service `unknown`.
 */
export class IdentityGate {
  readonly #fallback: Map<string, string>;

  constructor(fallback: Readonly<Record<string, string>>) {
    this.#fallback = new Map(Object.entries(fallback));
  }

  evaluate(topic: string, headers: Readonly<Record<string, string>>): IdentityOutcome {
    const version = headers[HEADERS.producerVersion];
    const header = headers[HEADERS.producerService]?.trim();
    if (header !== undefined && header.length > 0 && header.length <= MAX_SERVICE_LENGTH) {
      return {
        result: 'PASS',
        reasonCodes: [],
        identity: {
          service: header,
          confidence: 'HIGH',
          method: 'header',
          ...(version ? { version } : {}),
        },
      };
    }
    const mapped = this.#fallback.get(topic);
    if (mapped !== undefined) {
      return {
        result: 'WARN',
        reasonCodes: [UNVERIFIED],
        identity: {
          service: mapped,
          confidence: 'MEDIUM',
          method: 'fallback_map',
          ...(version ? { version } : {}),
        },
      };
    }
    return {
      result: 'WARN',
      reasonCodes: [UNVERIFIED],
      identity: {
        service: 'unknown',
        confidence: 'LOW',
        method: 'none',
        ...(version ? { version } : {}),
      },
    };
  }
}
