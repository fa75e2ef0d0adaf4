import type { Evidence, EvidenceBus, Subscription } from '@signal-factory/core';

import { EVIDENCE_TOPIC } from '../evidence/evidence-publisher';
import type { TrustTracker } from './trust-tracker';

/** Options of `startTrustFeed`. */
export interface TrustFeedOptions {
  bus: EvidenceBus;
  tracker: TrustTracker;
  /** Evidence topic. Default `signal_factory.evidence`. */
  topic?: string;
  /** Consumer group; give each trust-API instance its own so each sees all evidence. Default `signal-factory-trust`. */
  groupId?: string;
}

/**
 * Feeds a `TrustTracker` from the evidence topic, so `GET /v1/trust` also reflects evidence other
 * sidecars and tap consumers published. Unparseable messages are skipped, never thrown.
 */
export function startTrustFeed(options: TrustFeedOptions): Promise<Subscription> {
  return options.bus.subscribe(
    {
      groupId: options.groupId ?? 'signal-factory-trust',
      topics: [options.topic ?? EVIDENCE_TOPIC],
      fromBeginning: false,
    },
    async (batch) => {
      for (const message of batch) {
        try {
          const evidence = JSON.parse(message.value) as Evidence;
          if (typeof evidence.result === 'string' && typeof evidence.sample_weight === 'number') {
            options.tracker.observe(evidence, Date.parse(evidence.processing_time) || Date.now());
          }
        } catch {
          // Not evidence: ignore.
        }
      }
    },
  );
}
