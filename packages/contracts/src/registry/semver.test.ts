import { expect, it } from 'vitest';
import { compareVersions } from './semver';

it('orders versions numerically with pre-releases first', () => {
  expect(['10.0.0', '2.0.0', '2.0.0-rc.1', '2.1', 'v1.9.9'].sort(compareVersions)).toEqual([
    'v1.9.9',
    '2.0.0-rc.1',
    '2.0.0',
    '2.1',
    '10.0.0',
  ]);
});
