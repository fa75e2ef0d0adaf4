import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unwatchDirectory, watchDirectory } from './reaper';

/** A temp dir that the watchdog removes if we die; remove() removes it now unless SF_HARNESS_KEEP_LOGS=1. */
export function makeTempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `sf-${prefix}-`));
  const keep = process.env.SF_HARNESS_KEEP_LOGS === '1';
  if (!keep) watchDirectory(dir);
  return {
    dir,
    remove: () => {
      if (keep) return;
      rmSync(dir, { recursive: true, force: true });
      unwatchDirectory(dir);
    },
  };
}
