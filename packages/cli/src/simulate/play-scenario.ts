import type { RcaReport } from '@signal-factory/copilot';
import type { Incident, Signal } from '@signal-factory/core';
import { SignalFactoryError } from '@signal-factory/core';

import type { PlatformConfig } from '../config/platform-config';
import { CLI_ERROR_CODES } from '../errors';
import { createPlatform, type Platform } from '../platform/create-platform';
import { createSimulatedClock } from '../platform/sim-clock';
import type { PlatformTopics } from '../platform/types';
import { createTrafficPlan, type Scenario, type SimRecord } from '../scenario';
import { PlatformObserver } from './observer';
import type { ProgressEvent } from './progress';
import { warmUpHistory } from './history-warmup';
import { registerScenario } from './register-scenario';

export interface PlayOptions {
  /** Backends (absent sections embedded). Default everything embedded. */
  config?: PlatformConfig;
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Simulated time between engine advances, ms. Default 5 s embedded, 60 s on Kafka. */
  stepMs?: number;
  /** Progress events (text printer: `createProgressPrinter`). */
  onProgress?: (event: ProgressEvent) => void;
  /** Renders each RCA report as text for the `rca` progress event. Default: none. */
  renderRca?: boolean;
  /** Keep the platform running after the play (for `up`): the result then holds it. Default false. */
  keepPlatform?: boolean;
  /** Topic names (unique ones keep runs apart on a shared Kafka). */
  topics?: Partial<PlatformTopics>;
  /** Consumer-group prefix (same reason). */
  groupPrefix?: string;
  /** Records are sent in chunks of this much simulated time, ms. Default 1 s embedded, `stepMs` on Kafka. */
  chunkMs?: number;
  /** Stops the play between two steps (Ctrl-C); the play then rejects with `SF_ERR_CLI_SIMULATION_FAILED`. */
  signal?: AbortSignal;
  /** Simulated minutes between `tick` progress lines. Default 5. */
  progressEveryMinutes?: number;
}

/** What the platform concluded while playing a scenario. */
export interface PlayResult {
  scenario: Scenario;
  seed: number;
  signals: Signal[];
  incidents: Incident[];
  /** One copilot report per incident, in incident order. */
  rca: RcaReport[];
  stats: { records: number; evidence: number; simulatedMs: number; wallMs: number };
  /** The running platform when `keepPlatform` was set. */
  platform?: Platform;
}

const MINUTE = 60_000;

/**
 * Plays a scenario through the real components: every record is sent with the producer SDK
 * (headers, client-side contract check) into the sidecar's gates, whose evidence goes on the bus
 * to the engines; incidents open from their signals; RCA is asked of the copilot for each one.
 * Simulated time moves in steps; before each step the platform is drained, so the result is the
 * same on every run with the same seed.
 */
export async function playScenario(
  scenario: Scenario,
  options: PlayOptions = {},
): Promise<PlayResult> {
  const wallStart = performance.now();
  const seed = options.seed ?? scenario.seed;
  const config = options.config ?? {};
  // On Kafka every step costs broker round trips and a consumer-idle wait: bigger steps and
  // chunks keep a 75-minute play near a minute (processing_time then moves in 60 s steps).
  const onKafka = config.kafka !== undefined;
  const stepMs = options.stepMs ?? (onKafka ? 60_000 : 5_000);
  const progressEvery = (options.progressEveryMinutes ?? 5) * MINUTE;
  const chunkMs = options.chunkMs ?? (onKafka ? stepMs : 1_000);
  const emit = (event: ProgressEvent): void => {
    try {
      options.onProgress?.(event);
    } catch {
      // progress output never stops the play
    }
  };
  const firstTraffic = scenario.start - scenario.history;
  const clock = createSimulatedClock(firstTraffic);
  const platform = await createPlatform({
    config,
    clock,
    ...(options.topics === undefined ? {} : { topics: options.topics }),
    ...(options.groupPrefix === undefined ? {} : { groupPrefix: options.groupPrefix }),
  });
  const observer = new PlatformObserver();
  let keep = false;
  try {
    await platform.start();
    await observer.start(platform, options.groupPrefix ?? '');
    let live = scenario.history <= 0;
    observer.onEvent((event) => {
      if (!live) return;
      if (event.kind === 'signal') {
        if (event.change) emit({ kind: 'signal', time: clock.now(), signal: event.signal });
      } else {
        emit({
          kind: 'incident',
          time: clock.now(),
          incident: event.incident,
          transition: event.transition,
        });
      }
    });
    await registerScenario(platform, scenario);
    emit({
      kind: 'start',
      scenario: scenario.name,
      ...(scenario.description === undefined ? {} : { description: scenario.description }),
      start: scenario.start,
      end: scenario.end,
      seed,
      backends: platform.kinds,
      datasets: scenario.datasets.length,
      jobs: scenario.lineage.length,
    });
    if (scenario.history > 0) {
      const warm = await warmUpHistory(
        platform,
        seed === scenario.seed ? scenario : { ...scenario, seed },
      );
      if (warm !== undefined) emit({ kind: 'history', ...warm });
    }
    await platform.advanceTo(scenario.start);
    // What the warm-up produced is the baselines' business, not the scenario's outcome (its
    // signals reach no incident manager, see warmUpHistory); counts start at `start` too.
    const firstSignal = observer.signals.length;
    const warmupEvidence = platform.bus.published(platform.topics.evidence);
    const played = (): Incident[] =>
      observer.incidents.filter((i) => Date.parse(i.opened_at) >= scenario.start);
    live = true;

    const seeded = seed === scenario.seed ? scenario : { ...scenario, seed };
    const eventTimeFields = new Map(
      scenario.traffic.map((t) => [
        t.dataset,
        Object.entries(t.record).find(([, g]) => g.kind === 'event_time')?.[0],
      ]),
    );
    const evidenceTopic = platform.topics.evidence;
    let records = 0;
    let nextProgress = scenario.start + progressEvery;
    let pending: SimRecord[] = [];

    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      clock.set(batch[batch.length - 1]!.at);
      const groups = new Map<string, SimRecord[]>();
      for (const r of batch) {
        const key = `${r.dataset}\u0000${r.service ?? ''}\u0000${r.version ?? ''}`;
        let list = groups.get(key);
        if (list === undefined) groups.set(key, (list = []));
        list.push(r);
      }
      for (const list of groups.values()) {
        const first = list[0]!;
        const eventTimeField = eventTimeFields.get(first.dataset);
        const producer = platform.producer(
          first.dataset,
          first.service ?? 'unknown',
          first.version,
          {
            ...(eventTimeField === undefined ? {} : { eventTimeField }),
          },
        );
        await producer.send({
          topic: first.topic,
          messages: list.map((r) => ({
            key: r.key,
            value: JSON.stringify(r.value),
            timestamp: String(r.at),
          })),
        });
        records += list.length;
      }
    };

    const plan = createTrafficPlan(seeded);
    let next = plan.next();
    for (let t = scenario.start; t < scenario.end; t += stepMs) {
      if (options.signal?.aborted === true) {
        throw new SignalFactoryError(
          CLI_ERROR_CODES.SIMULATION_FAILED,
          `Scenario ${scenario.name} stopped at ${new Date(t).toISOString()}`,
        );
      }
      const stepEnd = Math.min(t + stepMs, scenario.end);
      let chunkEnd = 0;
      for (; next.done !== true && next.value.at < stepEnd; next = plan.next()) {
        const event = next.value;
        if (event.kind === 'fault') continue;
        if (event.kind === 'deployment') {
          await flush();
          clock.set(event.at);
          await platform.recordDeployment({
            kind: 'DeploymentEvent',
            service: event.service,
            version: event.version,
            time: new Date(event.at).toISOString(),
            ...(event.commit === undefined ? {} : { commit: event.commit }),
          });
          emit({
            kind: 'deployment',
            time: event.at,
            service: event.service,
            version: event.version,
            ...(event.commit === undefined ? {} : { commit: event.commit }),
          });
          continue;
        }
        // Records leave in chunks of `chunkMs`, each when its last record is due.
        if (event.at >= chunkEnd) {
          await flush();
          chunkEnd = Math.floor(event.at / chunkMs) * chunkMs + chunkMs;
        }
        pending.push(event);
      }
      await flush();
      await platform.advanceTo(stepEnd);
      if (stepEnd >= nextProgress) {
        emit({
          kind: 'tick',
          time: stepEnd,
          records,
          evidence: platform.bus.published(evidenceTopic) - warmupEvidence,
          signals: observer.signals.length - firstSignal,
          incidents: played().length,
        });
        nextProgress += progressEvery;
      }
    }
    await platform.advanceTo(scenario.end);
    await platform.settle();

    const incidents = played();
    const rca: RcaReport[] = [];
    for (const incident of incidents) {
      const report = await platform.copilot.rca(incident.incident_id);
      rca.push(report);
      if (options.renderRca === true)
        emit({
          kind: 'rca',
          incidentId: incident.incident_id,
          text: platform.copilot.render(report),
        });
    }
    const wallMs = performance.now() - wallStart;
    const stats = {
      records,
      evidence: platform.bus.published(evidenceTopic) - warmupEvidence,
      simulatedMs: scenario.end - scenario.start,
      wallMs,
    };
    emit({ kind: 'done', ...stats });
    keep = options.keepPlatform === true;
    return {
      scenario,
      seed,
      signals: observer.signals.slice(firstSignal),
      incidents,
      rca,
      stats,
      ...(keep ? { platform } : {}),
    };
  } catch (error) {
    throw error instanceof SignalFactoryError
      ? error
      : new SignalFactoryError(
          CLI_ERROR_CODES.SIMULATION_FAILED,
          `Scenario ${scenario.name} could not be played: ${(error as Error).message}`,
          { cause: error },
        );
  } finally {
    if (!keep) {
      await observer.close();
      await platform.close().catch(() => undefined);
    }
  }
}
