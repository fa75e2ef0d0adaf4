/** A dataset as the platform registers it: sidecar registry, engine SLOs, graph and state. */
export interface PlatformDataset {
  /** Dataset URN. */
  urn: string;
  /** Kafka topic the records go to. */
  topic: string;
  /** Service that owns the topic. */
  producer?: string;
  /** Owning team (alert routing, graph OWNS edge). Default: the producing service's owner. */
  owner?: string;
  /**
   * What gate G2 sees: `header` — the SDK's `x-obs-producer-service` header (HIGH);
   * `topic-pattern` — no header, the sidecar's topic → service fallback map (MEDIUM);
   * `none` — neither (LOW). Default `header`.
   */
  identity?: 'header' | 'topic-pattern' | 'none';
  /** 1 (most critical) … 3. Default 3. */
  tier?: 1 | 2 | 3;
  /** The ODCS contract document (parsed YAML/JSON). */
  contract?: Record<string, unknown>;
  /** Sidecar policy. Default `observe`. */
  policy?: 'observe' | 'enforce';
  slo?: {
    /** ms */
    freshnessMaxDelayMs?: number;
    volumeMinPerHour?: number;
    volumeMaxPerHour?: number;
    /** 0..1 */
    complianceMin?: number;
  };
}

/** Sampling of PASS evidence per dataset tier (FAIL and WARN are always kept). */
export type PassSampleRates = Readonly<Record<1 | 2 | 3, number>>;

export const DEFAULT_PASS_SAMPLE_RATES: PassSampleRates = { 1: 1, 2: 1, 3: 1 };

/** Topic names the platform uses. */
export interface PlatformTopics {
  evidence: string;
  signals: string;
  incidents: string;
  dlq: string;
}

export const DEFAULT_TOPICS: PlatformTopics = {
  evidence: 'signal_factory.evidence',
  signals: 'signal_factory.signals',
  incidents: 'signal_factory.incidents',
  dlq: 'signal_factory.evidence.dlq',
};
