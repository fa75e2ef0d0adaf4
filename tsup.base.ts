import { defineConfig, type Options } from 'tsup';

/** Shared build for every package: dual ESM + CJS with per-condition declarations. */
export function packageBuild(entry: Record<string, string>, overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    tsconfig: '../../tsconfig.build.json',
    ...overrides,
  });
}
