import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageTag, resolveVersion } from './version.ts';
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
