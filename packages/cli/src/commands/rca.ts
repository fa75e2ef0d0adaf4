import { runRcaCommand } from '@signal-factory/copilot';

import { EXIT, type CliIo } from '../cli/io';
import { loadPlatformConfig } from '../config/platform-config';
import { UsageError } from '../errors';
import { createBackends } from '../platform/backends';
import { createCopilotFor } from '../platform/copilot-wiring';
import { createWallClock } from '../platform/sim-clock';

/** Where `signal-factory up` serves the copilot API by default. */
export const DEFAULT_COPILOT_URL = 'http://127.0.0.1:8080';

/**
 * `signal-factory rca <incident-id> [--json]`: the copilot package's command. With
 * `--config <file>` the report is computed here from the configured state store and graph;
 * otherwise the copilot API at `--url`, `$SF_COPILOT_URL` or the `up` default is asked.
 */
export async function runRca(argv: readonly string[], io: CliIo): Promise<number> {
  const rest: string[] = [];
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--config') {
      configFile = argv[i + 1];
      if (configFile === undefined) throw new UsageError('rca: --config needs a value');
      i++;
    } else if (arg.startsWith('--config=')) configFile = arg.slice('--config='.length);
    else rest.push(arg);
  }
  const env = io.env ?? process.env;
  const rcaIo = { stdout: io.stdout, stderr: io.stderr, env };
  if (configFile === undefined) {
    const hasUrl = rest.some((a) => a === '--url' || a.startsWith('--url='));
    const help = rest.includes('--help') || rest.includes('-h');
    if (!hasUrl && !help && (env.SF_COPILOT_URL ?? '') === '')
      rest.push('--url', DEFAULT_COPILOT_URL);
    return runRcaCommand(rest, rcaIo);
  }
  const config = await loadPlatformConfig(configFile, io.cwd ?? process.cwd());
  const clock = createWallClock();
  const backends = await createBackends(
    {
      ...(config.dynamodb === undefined ? {} : { dynamodb: config.dynamodb }),
      ...(config.gremlin === undefined ? {} : { gremlin: config.gremlin }),
    },
    clock.now,
  );
  try {
    const copilot = await createCopilotFor({ state: backends.state, graph: backends.graph, clock });
    return await runRcaCommand(rest, { ...rcaIo, copilot });
  } catch (error) {
    io.stderr.write(`signal-factory rca: ${(error as Error).message}\n`);
    return EXIT.FAILED;
  } finally {
    await backends.state.close().catch(() => undefined);
    await backends.graph.close().catch(() => undefined);
  }
}
