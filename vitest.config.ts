import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

// Tests import workspace packages by name; resolve them to src so no build is needed.
const alias = [
  {
    find: /^@signal-factory\/([a-z-]+)\/testing$/,
    replacement: `${root}packages/$1/src/testing/index.ts`,
  },
  { find: /^@signal-factory\/([a-z-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'examples/*/src/**/*.test.ts'],
          testTimeout: 20_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['packages/*/test/integration/**/*.test.ts', 'test/integration/**/*.test.ts'],
          globalSetup: ['test/harness/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // Integration suites share one broker, one Gremlin Server and one dynalite.
          fileParallelism: false,
        },
      },
    ],
  },
});
