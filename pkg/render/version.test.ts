import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageTag, nameNewVersion, resolveVersion } from './version.ts';
import type { KubeObject } from './types.ts';

const deployment = (labels: Record<string, string>, image: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels },
  spec: { template: { metadata: { labels: {} }, spec: { containers: [{ image }] } } },
});

test('the version comes from the flag, else the version label, else the image tag', () => {
  assert.deepEqual(resolveVersion(deployment({ 'app.kubernetes.io/version': '1.0' }, 'web:2'), '3.0.0'), { version: '3.0.0', source: 'flag' });
  assert.deepEqual(resolveVersion(deployment({ 'app.kubernetes.io/version': '1.0' }, 'web:2'), undefined), { version: '1.0', source: 'label' });
  assert.deepEqual(resolveVersion(deployment({}, 'registry:5000/team/web:2.1'), undefined), { version: '2.1', source: 'image-tag' });
});

test('a Deployment with no version anywhere is an error naming it', () => {
  assert.throws(() => resolveVersion(deployment({}, 'web@sha256:abc'), undefined), /Deployment web: no version/);
});

test('image tags ignore registry ports and digests', () => {
  assert.equal(imageTag('registry:5000/web'), undefined);
  assert.equal(imageTag('registry:5000/web:1.2@sha256:ff'), '1.2');
  assert.equal(imageTag('web'), undefined);
});

const chart = (image: string, label?: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: { template: { metadata: { labels: label === undefined ? {} : { 'app.kubernetes.io/version': label } }, spec: { containers: [{ name: 'web', image }, { name: 'proxy', image: 'envoy:1.30' }] } } },
});
const stable = (chart('web:1.0.0', '1.16.0').spec as { template: unknown }).template;
const HASH = 'abcdef0123456789';

test('a new version is named by the flag, the changed image tag, a changed version label, else the template hash', () => {
  const none = new Set<string>();
  assert.deepEqual(nameNewVersion({ chart: chart('web:1.0.1'), flag: 'v9', stableTemplate: stable, hash: HASH, taken: none }), { version: 'v9', source: 'flag' });
  assert.deepEqual(nameNewVersion({ chart: chart('web:1.0.1', '1.16.0'), stableTemplate: stable, hash: HASH, taken: none }), { version: '1.0.1', source: 'image-tag' });
  assert.deepEqual(nameNewVersion({ chart: chart('web:1.0.0', '2.0.0'), stableTemplate: stable, hash: HASH, taken: none }), { version: '2.0.0', source: 'label' });
  assert.deepEqual(nameNewVersion({ chart: chart('web:1.0.0', '1.16.0'), stableTemplate: stable, hash: HASH, taken: none }), { version: 'abcdef0', source: 'hash' });
  assert.deepEqual(nameNewVersion({ chart: chart('web@sha256:ff', '1.16.0'), stableTemplate: stable, hash: HASH, taken: none }), { version: 'abcdef0', source: 'hash' }, 'a digest has no tag');
  assert.deepEqual(nameNewVersion({ chart: chart('web:1.0.0', '1.16.0'), hash: HASH, taken: none }), { version: '1.0.0', source: 'image-tag' }, 'first install: the first container');
});

test('a name taken by another template gets a hash suffix, stays a label value of at most 63 characters', () => {
  assert.equal(nameNewVersion({ chart: chart('web:1.0.1'), stableTemplate: stable, hash: HASH, taken: new Set(['1.0.1']) }).version, '1.0.1-abcde');
  const long = nameNewVersion({ chart: chart(`web:${'x'.repeat(62)}`), stableTemplate: stable, hash: HASH, taken: new Set([`${'x'.repeat(62)}`]) }).version;
  assert.ok(long.length <= 63 && long.endsWith('-abcde'), long);
  assert.equal(nameNewVersion({ chart: chart('web:1.0.1+build.5'), stableTemplate: stable, hash: HASH, taken: new Set() }).version, '1.0.1_build.5');
});
