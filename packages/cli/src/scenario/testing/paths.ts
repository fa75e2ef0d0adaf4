import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the directory holding `packages/`). */
export const REPO_ROOT = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  '..',
  '..',
);

/** `examples/scenarios` in this repository. */
export const REPO_SCENARIOS = join(REPO_ROOT, 'examples', 'scenarios');

/** `../shared/scenarios/examples` beside the repository, when present (CI places it there). */
export function sharedScenarios(): string | undefined {
  const dir = resolve(REPO_ROOT, '..', 'shared', 'scenarios', 'examples');
  return existsSync(dir) ? dir : undefined;
}
