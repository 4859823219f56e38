import assert from 'node:assert/strict';
import { test } from 'node:test';
import { APP_LABEL, ROLE_LABEL } from '../render/index.ts';
import { appNames } from './actions.ts';
import { FakeKube } from './fake-kube.test-util.ts';

test('appNames lists each managed app of the namespace once, sorted, from states and versioned Deployments', async () => {
  const kube = new FakeKube();
  const labels = (app: string, role: string): Record<string, string> => ({ [APP_LABEL]: app, [ROLE_LABEL]: role });
  kube.seed({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'switchyard.web', namespace: 'demo', labels: labels('web', 'state') } });
  kube.seed({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web-1-0-0', namespace: 'demo', labels: labels('web', 'workload') }, spec: { replicas: 1 } });
  kube.seed({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api-2-0-0', namespace: 'demo', labels: labels('api', 'workload') }, spec: { replicas: 1 } });
  kube.seed({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'other', namespace: 'elsewhere', labels: labels('other', 'workload') }, spec: { replicas: 1 } });
  kube.seed({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain', namespace: 'demo', labels: { [APP_LABEL]: 'plain' } } });
  assert.deepEqual(await appNames(kube, 'demo'), ['api', 'web']);
});
