import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest ancestor whose package.json declares workspaces. */
export function repoRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(from);
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && 'workspaces' in (JSON.parse(readFileSync(pkg, 'utf8')) as object))
      return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('repository root not found');
    dir = parent;
  }
}

/** Absolute path under `<repo>/../shared/specs/`. */
export function sharedSpecPath(...segments: string[]): string {
  return join(repoRoot(), '..', 'shared', 'specs', ...segments);
}

/** Every `*.json` file in a shared-spec folder, as [file name, parsed JSON], sorted. */
export function readSpecDir(...segments: string[]): [string, unknown][] {
  const dir = sharedSpecPath(...segments);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown]);
}
