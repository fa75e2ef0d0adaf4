import { existsSync, readFileSync } from 'node:fs';
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

/** Absolute path of a file under `<repo>/../shared/specs/`. */
export function sharedSpecPath(...segments: string[]): string {
  return join(repoRoot(), '..', 'shared', 'specs', ...segments);
}

/** Reads and parses a JSON file under `<repo>/../shared/specs/`. */
export function readSharedSpecJson<T>(...segments: string[]): T {
  return JSON.parse(readFileSync(sharedSpecPath(...segments), 'utf8')) as T;
}
