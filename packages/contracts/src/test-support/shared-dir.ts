import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `<repo>/../shared`: CI puts a copy of shared/ beside the clone. Test-only helper. */
export function sharedDir(...parts: string[]): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (
      existsSync(pkg) &&
      (JSON.parse(readFileSync(pkg, 'utf8')) as { workspaces?: unknown }).workspaces
    ) {
      return resolve(dir, '..', 'shared', ...parts);
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
}

export const ORDERS_CONTRACT = (): string =>
  sharedDir('scenarios', 'examples', 'orders-created.odcs.yaml');

/** A valid orders-created record. */
export function orderRecord(i = 0): Record<string, unknown> {
  return {
    order_id: `0b6f3c1e-8c1a-4f0e-9d43-${String(100000000000 + i).slice(-12)}`,
    customer_id: `C${String(100000 + (i % 900000)).padStart(6, '0')}`,
    amount: 5 + ((i * 7.31) % 495),
    currency: ['EUR', 'USD', 'GBP'][i % 3],
    email: `user${i}@example.com`,
    created_at: new Date(Date.UTC(2026, 0, 15, 9, 0, 0) + i * 1000).toISOString(),
  };
}
