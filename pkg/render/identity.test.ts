import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, quantity, sameTemplate, templateIdentity } from './identity.ts';
import type { KubeObject } from './types.ts';

const dep = (template: unknown): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template } });
const cm = (data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data });
const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:1', envFrom: [{ configMapRef: { name: 'cfg' } }] }] } };

test('the identity covers the template and the data of the chart config it reads, not key order', () => {
  const a = templateIdentity(dep(template), () => cm({ a: '1' }));
  assert.match(a.hash, /^[0-9a-f]{16}$/);
  assert.deepEqual(a.configs, ['ConfigMap/cfg']);
  assert.equal(templateIdentity(dep(JSON.parse(JSON.stringify({ spec: template.spec, metadata: template.metadata }))), () => cm({ a: '1' })).hash, a.hash);
  assert.notEqual(templateIdentity(dep(template), () => cm({ a: '2' })).hash, a.hash);
  const external = templateIdentity(dep(template), () => undefined);
  assert.deepEqual(external.configs, []);
  assert.notEqual(external.hash, a.hash);
  assert.equal(canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }] }), '{"a":[1,{"c":3,"d":2}],"b":1}');
});

test('quantities are compared by value', () => {
  assert.equal(quantity('500m'), 0.5);
  assert.equal(quantity('1Gi'), 1024 ** 3);
  assert.equal(quantity('1e3'), 1000);
  assert.equal(quantity('web'), undefined);
});

test('a live template matches the chart when everything the chart says is live, defaults and normalised quantities aside', () => {
  const chart = { spec: { containers: [{ name: 'web', image: 'web:1', resources: { limits: { cpu: '0.5', memory: '1024Mi' } }, securityContext: {} }], hostNetwork: false } };
  const live = {
    metadata: { labels: { 'switchyard.dev/app': 'web', 'switchyard.dev/version': '1' } },
    spec: { containers: [{ name: 'web', image: 'web:1', imagePullPolicy: 'IfNotPresent', resources: { limits: { cpu: '500m', memory: '1Gi' } } }], dnsPolicy: 'ClusterFirst' },
  };
  assert.ok(sameTemplate(chart, live));
  assert.ok(!sameTemplate({ spec: { containers: [{ name: 'web', image: 'web:2' }] } }, live));
  assert.ok(!sameTemplate({ spec: { containers: [{ name: 'web' }, { name: 'sidecar' }] } }, live), 'a list of another length');
  assert.ok(!sameTemplate({ metadata: { labels: { extra: 'x' } }, spec: {} }, live));
});
