import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childName, versionSlug } from '../../render/index.ts';
import type { AppStatus } from '../../rollout/view.ts';
import { renderVersions } from './versions.ts';

const view = (versions: string[]): AppStatus => ({
  app: 'web', namespace: 'demo', phase: 'Healthy', strategy: 'bluegreen', router: 'gateway', stable: versions[0]!, weight: 0,
  step: { index: 0, total: 0 }, gates: [],
  versions: versions.map((version, i) => ({ version, role: i === 0 ? 'stable' : 'preview', deployment: `web-${i}`, replicas: 1, readyReplicas: 1, weight: 0 })),
});

const serviceColumn = (out: string): string[] => out.split('\n').slice(1).map((line) => line.split(/\s{3,}/)[3]!);

test('versions names the per-version Service of a hashed slug (1.0.0+build.5) by its real name', () => {
  const hashed = childName('web', versionSlug('1.0.0+build.5'));
  assert.match(hashed, /^web-1-0-0-build-5-[0-9a-z]+$/, 'the post-renderer hashes a slug that lost a character');
  const out = renderVersions(view(['1.0.0', '1.0.0+build.5']), { stable: 'web', live: new Set(['web-1-0-0', hashed]) }, 'x-version');
  assert.deepEqual(serviceColumn(out), ['web-1-0-0', hashed]);
  assert.match(out, /^VERSION\s+ROLE\s+READY\s+SERVICE\s+ROUTE$/m);
  assert.match(out, /x-version: 1\.0\.0\+build\.5$/);
});

test('versions never names a Service that does not exist', () => {
  const out = renderVersions(view(['1.0.0', '2.0.0']), { stable: 'web', live: new Set(['web-2-0-0']) }, 'x-version');
  assert.deepEqual(serviceColumn(out), ['-', 'web-2-0-0']);
  assert.deepEqual(serviceColumn(renderVersions(view(['1.0.0']), { stable: undefined, live: new Set() }, 'x-version')), ['-']);
});
