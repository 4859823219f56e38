import { test } from 'node:test';
import assert from 'node:assert/strict';
import { management, sideBySideHazard } from './managed.ts';
import type { KubeObject } from './types.ts';

const dep = (spec: Record<string, unknown>, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'db', ...(annotations === undefined ? {} : { annotations }) }, spec,
});
const claim = (modes: string[]): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: modes } });
const withClaim = { template: { spec: { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }], containers: [{ name: 'c' }] } } };

test('what keeps two versions from running side by side', () => {
  assert.equal(sideBySideHazard(dep(withClaim), new Map([['data', claim(['ReadWriteOnce'])]])), 'it mounts the ReadWriteOnce claim data');
  assert.equal(sideBySideHazard(dep(withClaim), new Map([['data', claim(['ReadWriteOncePod'])]])), 'it mounts the ReadWriteOncePod claim data');
  assert.equal(sideBySideHazard(dep(withClaim), new Map([['data', claim(['ReadWriteMany'])]])), undefined);
  assert.equal(sideBySideHazard(dep(withClaim), new Map()), 'it mounts the claim data, whose access mode is not in the chart');
  assert.equal(sideBySideHazard(dep({ strategy: { type: 'Recreate' } }), new Map()), 'it uses strategy: Recreate');
  assert.equal(sideBySideHazard(dep({ template: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 53, hostPort: 53 }] }] } } }), new Map()), 'it binds hostPort 53');
});

test('managed: selected by a Service, included, or already live; left to Helm when excluded or annotated false', () => {
  const base = { claims: new Map(), include: [], exclude: [], observed: undefined };
  assert.deepEqual(management({ ...base, deployment: dep({}), selected: true }), { managed: true, why: 'selected' });
  assert.deepEqual(management({ ...base, deployment: dep({}), selected: false, include: ['db'] }), { managed: true, why: 'included' });
  assert.deepEqual(management({ ...base, deployment: dep({}, { 'switchyard.dev/managed': 'true' }), selected: false }), { managed: true, why: 'included' });
  assert.equal(management({ ...base, deployment: dep({}), selected: false }).managed, false);
  const live = { versions: { '1': { version: '1', deployment: 'db-1', replicas: 1, readyReplicas: 1 } }, weights: {} };
  assert.deepEqual(management({ ...base, deployment: dep({}), selected: false, observed: live }), { managed: true, why: 'live' });
  assert.deepEqual(management({ ...base, deployment: dep({}), selected: true, exclude: ['db'] }), { managed: false, explicit: true, reason: '--exclude db leaves it to Helm' });
  assert.equal(management({ ...base, deployment: dep({}, { 'switchyard.dev/managed': 'false' }), selected: true }).managed, false);
  assert.throws(() => management({ ...base, deployment: dep({}, { 'switchyard.dev/managed': 'false' }), selected: true, observed: live }), /Deployment db is rolled out by switchyard \(live versions: 1\)/);
});
