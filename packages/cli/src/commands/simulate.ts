import { resolve } from 'node:path';

import { intFlag, parseCommandArgs, stringFlag } from '../cli/args';
import { EXIT, type CliIo } from '../cli/io';
import { SIMULATE_USAGE } from '../cli/usage';
import { loadPlatformConfig } from '../config/platform-config';
import { loadScenario } from '../scenario';
import { formatScenarioProblem } from '../scenario';
import { createProgressPrinter } from '../simulate/progress';
import { simulate } from '../simulate/simulate';
import { renderChecks } from '../simulate/render';

/** `signal-factory simulate <file> [--json] [--seed n] [--config f] [--quiet]`. */
export async function runSimulate(argv: readonly string[], io: CliIo): Promise<number> {
  const { positionals, values } = parseCommandArgs(
    'simulate',
    argv,
    {
      json: { type: 'boolean' },
      seed: { type: 'string' },
      config: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
    },
    { min: 1, max: 1, names: '<scenario.yaml>' },
  );
  if (values.help === true) {
    io.stdout.write(SIMULATE_USAGE);
    return EXIT.OK;
  }
  const cwd = io.cwd ?? process.cwd();
  const seed = intFlag('simulate', 'seed', values.seed, 0, 2 ** 32 - 1);
  const configFile = stringFlag(values.config);
  const config = configFile === undefined ? {} : await loadPlatformConfig(configFile, cwd);
  const file = resolve(cwd, positionals[0] as string);
  const loaded = await loadScenario(file);
  if (!loaded.ok) {
    io.stderr.write(
      `signal-factory simulate: ${file} is not a valid scenario (${loaded.problems.length} problem(s)):\n` +
        loaded.problems.map((p) => `  ${formatScenarioProblem(p)}\n`).join(''),
    );
    return EXIT.USAGE;
  }
  for (const w of loaded.warnings) io.stderr.write(`  ${formatScenarioProblem(w)}\n`);
  const json = values.json === true;
  const quiet = json || values.quiet === true;
  const report = await simulate(loaded.scenario, {
    config,
    ...(seed === undefined ? {} : { seed }),
    ...(io.signal === undefined ? {} : { signal: io.signal }),
    ...(quiet ? {} : { onProgress: createProgressPrinter((line) => io.stdout.write(line)) }),
    renderRca: !quiet,
  });
  if (json) {
    const { stats: _stats, seed: _seed, ...document } = report;
    io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    io.stdout.write(renderChecks(report));
  }
  return report.passed ? EXIT.OK : EXIT.FAILED;
}
