import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeError } from '../kube/errors.ts';
import { deleteApp } from './actions.ts';
import { FakeKube } from './fake-kube.test-util.ts';

const labels = { 'switchyard.dev/app': 'web' };

function cluster(): FakeKube {
  const kube = new FakeKube();
  kube.seed({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web-1-0-0', namespace: 'demo', labels }, spec: { replicas: 1 } });
  kube.seed({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'demo', labels }, spec: {} });
  return kube;
}

test('delete skips kinds the cluster does not serve and deletes the rest', async () => {
  const kube = cluster();
  const list = kube.list.bind(kube);
  kube.list = async (apiVersion, kind, ...rest) => (kind === 'ScaledObject' ? Promise.reject(new KubeError('not-found', 'the cluster does not serve keda.sh/v1alpha1')) : list(apiVersion, kind, ...rest));
  assert.deepEqual(await deleteApp(kube, 'demo', 'web'), ['Service/web', 'Deployment/web-1-0-0']);
});

test('a forbidden list fails the delete instead of reporting success', async () => {
  const kube = cluster();
  const list = kube.list.bind(kube);
  kube.list = async (apiVersion, kind, ...rest) => (kind === 'Service' ? Promise.reject(new KubeError('forbidden', 'list Service in demo: services is forbidden')) : list(apiVersion, kind, ...rest));
  await assert.rejects(deleteApp(kube, 'demo', 'web'), (err: unknown) => err instanceof KubeError && err.code === 'forbidden');
  assert.equal(kube.all('Service').length, 1, 'the Service is still there');
});
