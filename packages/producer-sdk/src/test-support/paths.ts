import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest ancestor with a package.json that has workspaces. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'tsconfig.base.json')) && existsSync(join(dir, 'packages')))
      return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
}

/** A file under the shared folder that sits beside the repository (`<repo>/../shared`). */
export function sharedPath(...parts: string[]): string {
  return resolve(repoRoot(), '..', 'shared', ...parts);
}

export const ORDERS_CONTRACT = sharedPath('scenarios', 'examples', 'orders-created.odcs.yaml');
