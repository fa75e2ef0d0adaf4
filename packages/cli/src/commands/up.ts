import { resolve } from 'node:path';

import { intFlag, parseCommandArgs, stringFlag } from '../cli/args';
import { EXIT, type CliIo } from '../cli/io';
import { UP_USAGE } from '../cli/usage';
import { waitForStop } from '../cli/wait-for-stop';
import { loadPlatformConfig, type PlatformConfig } from '../config/platform-config';
import { createPlatform, type Platform, type PlatformUrls } from '../platform/create-platform';
import { createWallClock } from '../platform/sim-clock';
import { loadScenario } from '../scenario';
import { formatScenarioProblem } from '../scenario';
import { createProgressPrinter } from '../simulate/progress';
import { renderChecks } from '../simulate/render';
import { simulate } from '../simulate/simulate';

const DEFAULT_COPILOT_PORT = 8080;
const DEFAULT_LINEAGE_PORT = 5000;

/**
 * `signal-factory up`: the platform in one process. With `--scenario`, plays it in accelerated
 * time first (visible progress, an RCA report per incident), then serves the HTTP APIs until
 * stopped (SIGINT/SIGTERM).
 */
export async function runUp(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(
    'up',
    argv,
    {
      config: { type: 'string' },
      scenario: { type: 'string' },
      seed: { type: 'string' },
      host: { type: 'string' },
      'copilot-port': { type: 'string' },
      'lineage-port': { type: 'string' },
      'sidecar-port': { type: 'string' },
      'no-serve': { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
    },
    { min: 0, max: 0, names: '' },
  );
  if (values.help === true) {
    io.stdout.write(UP_USAGE);
    return EXIT.OK;
  }
  const cwd = io.cwd ?? process.cwd();
  const configFile = stringFlag(values.config);
  const config: PlatformConfig =
    configFile === undefined ? {} : await loadPlatformConfig(configFile, cwd);
  const seed = intFlag('up', 'seed', values.seed, 0, 2 ** 32 - 1);
  const copilotFlag = intFlag('up', 'copilot-port', values['copilot-port'], 0, 65_535);
  const lineageFlag = intFlag('up', 'lineage-port', values['lineage-port'], 0, 65_535);
  const sidecarFlag = intFlag('up', 'sidecar-port', values['sidecar-port'], 0, 65_535);
  const host = stringFlag(values.host) ?? config.http?.host ?? '127.0.0.1';
  const quiet = values.quiet === true;
  const out = (line: string): void => void io.stdout.write(line);

  let platform: Platform;
  let passed = true;
  let exampleIncident = '<incident-id>';
  const scenarioFile = stringFlag(values.scenario);
  if (scenarioFile !== undefined) {
    const file = resolve(cwd, scenarioFile);
    const loaded = await loadScenario(file);
    if (!loaded.ok) {
      io.stderr.write(
        `signal-factory up: ${file} is not a valid scenario:\n` +
          loaded.problems.map((p) => `  ${formatScenarioProblem(p)}\n`).join(''),
      );
      return EXIT.USAGE;
    }
    const report = await simulate(loaded.scenario, {
      config,
      ...(seed === undefined ? {} : { seed }),
      ...(io.signal === undefined ? {} : { signal: io.signal }),
      ...(quiet ? {} : { onProgress: createProgressPrinter(out) }),
      keepPlatform: true,
    });
    platform = report.platform as Platform;
    passed = report.passed;
    if (report.incidents[0] !== undefined) exampleIncident = report.incidents[0].incident_id;
    if (!quiet) out(renderChecks(report));
    // The RCA reports come last: what the on-call engineer reads.
    for (const rca of report.rca) out(`\n${platform.copilot.render(rca)}`);
    if (report.rca.length === 0) out('\nNo incident was opened: nothing to explain.\n');
  } else {
    platform = await createPlatform({ config, clock: createWallClock() });
    await platform.start();
    out(
      `Signal Factory platform up: bus ${platform.kinds.bus} · state ${platform.kinds.state} · graph ${platform.kinds.graph}\n`,
    );
  }
  try {
    if (values['no-serve'] === true) return passed ? EXIT.OK : EXIT.FAILED;
    const urls = await listenWithFallback(platform, {
      host,
      copilot: copilotFlag ?? config.http?.copilotPort,
      lineage: lineageFlag ?? config.http?.lineagePort,
      // Live mode (no scenario): applications produce through the HTTP hop.
      sidecar:
        scenarioFile === undefined ? (sidecarFlag ?? config.http?.sidecarPort ?? 7070) : undefined,
    });
    out(
      `\nServing the HTTP APIs (Ctrl-C to stop):\n` +
        `  copilot  ${urls.copilot}/v1/incidents · ${urls.copilot}/v1/incidents/<id>/rca · ${urls.copilot}/v1/datasets/<urn>/blast-radius\n` +
        `  lineage  ${urls.lineage}/api/v1/lineage · /api/v1/lineage-specs · /api/v1/deployments\n` +
        (urls.sidecar === undefined ? '' : `  sidecar  ${urls.sidecar}/v1/produce\n`) +
        `  e.g. npm run signal-factory -- rca ${exampleIncident} --url ${urls.copilot}\n`,
    );
    await waitForStop(io.signal);
    return passed ? EXIT.OK : EXIT.FAILED;
  } finally {
    await platform.close().catch(() => undefined);
  }
}

/** Listens on the configured ports; a default port already in use falls back to a free one. */
async function listenWithFallback(
  platform: Platform,
  ports: {
    host: string;
    copilot: number | undefined;
    lineage: number | undefined;
    sidecar: number | undefined;
  },
): Promise<PlatformUrls> {
  const copilotPort = ports.copilot ?? DEFAULT_COPILOT_PORT;
  const lineagePort = ports.lineage ?? DEFAULT_LINEAGE_PORT;
  const sidecar = ports.sidecar === undefined ? {} : { sidecarPort: ports.sidecar };
  try {
    return await platform.listen({ host: ports.host, copilotPort, lineagePort, ...sidecar });
  } catch (error) {
    const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    if (!inUse || (ports.copilot !== undefined && ports.lineage !== undefined)) throw error;
    return platform.listen({
      host: ports.host,
      copilotPort: ports.copilot ?? 0,
      lineagePort: ports.lineage ?? 0,
      ...sidecar,
    });
  }
}
