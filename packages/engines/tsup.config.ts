import { packageBuild } from '../../tsup.base';

// The binary needs no declarations; only the library entry gets .d.ts/.d.cts.
export default packageBuild(
  { index: 'src/index.ts', bin: 'src/bin.ts' },
  { dts: { entry: { index: 'src/index.ts' } } },
);
