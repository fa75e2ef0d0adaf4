import {
  CopilotHttpServer,
  createCopilot,
  formatRcaReport,
  llmOptionsFromEnv,
  type Copilot,
  type RcaReport,
} from '@signal-factory/copilot';
import type { GraphStore, StateStore } from '@signal-factory/core';
import type { LineageGraph } from '@signal-factory/lineage';

import type { PlatformConfig } from '../config/platform-config';
import { createBackends } from './backends';
import type { PlatformClock } from './sim-clock';

export interface CopilotWiringOptions {
  graph: GraphStore;
  state: StateStore;
  lineage: LineageGraph;
  clock: PlatformClock;
  /** Environment for the LLM settings (`ANTHROPIC_API_KEY`…). Default none: template summaries. */
  env?: Record<string, string | undefined>;
}

/** The copilot as the platform uses it. */
export interface CopilotWiring {
  readonly copilot: Copilot;
  /** The deterministic RCA report of an incident (JSON-serialisable). */
  rca(incidentId: string): Promise<RcaReport>;
  /** The report as the readable text `signal-factory rca` prints. */
  render(report: RcaReport): string;
  /** Starts the HTTP API; resolves with its base URL. */
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The copilot over the platform's graph (with its lineage queries) and state store, on the
 * platform clock. Summaries are the template unless an LLM key is in `env` — the simulator passes
 * none, so its reports are deterministic.
 */
export async function createCopilotWiring(options: CopilotWiringOptions): Promise<CopilotWiring> {
  const copilot = createCopilot({
    graph: { store: options.graph, queries: options.lineage.queries },
    state: options.state,
    clock: options.clock.now,
    llm: options.env === undefined ? false : llmOptionsFromEnv(options.env),
  });
  let server: CopilotHttpServer | undefined;
  return {
    copilot,
    rca: (incidentId) => copilot.rca(incidentId, { summary: 'auto' }),
    render: (report) => formatRcaReport(report),
    async listen(port, host) {
      const http = new CopilotHttpServer({ copilot });
      const address = await http.listen(port, host);
      server = http;
      return `http://${host}:${address.port}`;
    },
    async close() {
      await server?.close();
    },
  };
}

/** A copilot over a state store and a graph (the `rca --config` path). */
export async function createCopilotFor(options: {
  state: StateStore;
  graph: GraphStore;
  clock: PlatformClock;
  env?: Record<string, string | undefined>;
}): Promise<Copilot> {
  return createCopilot({
    graph: options.graph,
    state: options.state,
    clock: options.clock.now,
    llm: llmOptionsFromEnv(options.env ?? process.env),
  });
}

/** `signal-factory copilot`: the copilot HTTP API on the configured state store and graph. */
export async function startCopilotProcess(
  config: PlatformConfig,
  clock: PlatformClock,
  listen: { host: string; port: number },
): Promise<{ description: string; close(): Promise<void> }> {
  const backends = await createBackends(
    {
      ...(config.dynamodb === undefined ? {} : { dynamodb: config.dynamodb }),
      ...(config.gremlin === undefined ? {} : { gremlin: config.gremlin }),
    },
    clock.now,
  );
  const copilot = await createCopilotFor({ state: backends.state, graph: backends.graph, clock });
  const server = new CopilotHttpServer({ copilot });
  const address = await server.listen(listen.port, listen.host);
  return {
    description: `copilot API at http://${listen.host}:${address.port}/v1/incidents (state ${backends.kinds.state}, graph ${backends.kinds.graph})`,
    async close() {
      await server.close();
      await backends.state.close();
      await backends.graph.close();
    },
  };
}
