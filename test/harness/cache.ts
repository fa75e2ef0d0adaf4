import { homedir } from 'node:os';
import path from 'node:path';

/**
 * Root of the harness cache (Maven repository, resolved classpaths). Lives outside the repository
 * so jars are never committed and survive `git clean`. Override with SF_CACHE_DIR.
 */
export function cacheDir(): string {
  const fromEnv = process.env.SF_CACHE_DIR;
  if (fromEnv !== undefined && fromEnv.trim() !== '') return path.resolve(fromEnv);
  const xdg = process.env.XDG_CACHE_HOME;
  const base = xdg !== undefined && xdg.trim() !== '' ? xdg : path.join(homedir(), '.cache');
  return path.join(base, 'signal-factory');
}
