import type { SignalType } from '@signal-factory/core';
import { iso } from './window-math';

// Key layout of the SignalState table (docs/protocols/signals-and-incidents.md).

/** Engine state of one dataset: pk = URN, sk = `engine#<type>`. */
export const engineStateKey = (urn: string, type: SignalType) => ({
  pk: urn,
  sk: `engine#${type}`,
});

/** Closed-window marker: pk = URN, sk = `window#<type>#<start ISO>`. */
export const windowMarkerKey = (urn: string, type: SignalType, start: number) => ({
  pk: urn,
  sk: `window#${type}#${iso(start)}`,
});

/** Signal history: pk = `signals#<URN>`, sk = `<emitted_at ISO>#<signal_id>`. */
export const signalHistoryPk = (urn: string) => `signals#${urn}`;

/** Latest signal per type: pk = `current#<URN>`, sk = `<type>`. */
export const currentSignalPk = (urn: string) => `current#${urn}`;

/** Index of datasets a consumer group has state for: pk = `datasets#<group id>` (e.g. `datasets#signal_engines.volume`), sk = URN. */
export const datasetIndexPk = (group: string) => `datasets#${group}`;
