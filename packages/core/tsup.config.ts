import { packageBuild } from '../../tsup.base';

// The testing entry is ESM only: it imports vitest, which ships no CommonJS build since v4.
export default [
  packageBuild({ index: 'src/index.ts' }),
  packageBuild(
    { 'testing/index': 'src/testing/index.ts' },
    { format: ['esm'], clean: false, external: ['vitest', '@signal-factory/core'] },
  ),
];
