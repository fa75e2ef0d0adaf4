import { randomBytes } from 'node:crypto';

/**
 * A short random run id (8 hex chars) so contract suites can share a real server with other
 * runs: every topic, table key and vertex id a suite writes starts with it.
 */
export function randomRunId(): string {
  return randomBytes(4).toString('hex');
}
