import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of a file under `<repo>/../shared/specs` (CI keeps a copy of shared/ beside the clone). */
export function sharedSpecPath(...parts: string[]): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 10; i++) {
    if (existsSync(join(dir, 'packages')) && existsSync(join(dir, 'package.json'))) {
      return resolve(dir, '..', 'shared', 'specs', ...parts);
    }
    dir = dirname(dir);
  }
  throw new Error('repository root not found');
}
