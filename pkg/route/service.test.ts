import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { render } from '../render/transform.ts';
import type { KubeObject, ObservedState } from '../render/types.ts';
import { planApp } from '../render/plan.ts';
import { checkPlan, effectiveShare, replicasForShare, stableServiceFor } from './capabilities.ts';
import { observed, plan, service as chartService } from './fixture.test-util.ts';
import { service } from './service.ts';

const shares: [stable: number, weight: number, canary: number, live: number][] = [
  [2, 0, 0, 0],
  [2, 10, 0, 0],
  [2, 25, 1, 33],
  [2, 50, 2, 50],
  [4, 20, 1, 20],
  [4, 75, 12, 75],
  [3, 100, 3, 50],
];
for (const [stable, weight, canary, live] of shares) {
  test(`service: ${weight}% beside ${stable} stable pods is ${canary} canary pods, ${live}% of the ready pods`, () => {
    assert.equal(replicasForShare(stable, weight), canary);
    assert.equal(effectiveShare(canary, stable + canary), live);
  });
}

test('service: the stable Service selects every version of the app and records the stable version and the router', () => {
  const pinned: KubeObject = { ...structuredClone(chartService), spec: { selector: { app: 'web', 'switchyard.dev/app': 'web', 'switchyard.dev/version': '1.0.0' }, ports: [{ port: 80 }] } };
  const out = stableServiceFor(service, pinned, plan(25));
  assert.deepEqual((out.spec as { selector: Record<string, string> }).selector, { app: 'web', 'switchyard.dev/app': 'web' });
  assert.deepEqual(out.metadata.annotations, { 'switchyard.dev/stable-version': '1.0.0', 'switchyard.dev/router': 'service' });
});

test('service: a blue-green plan is refused, as the preview would take traffic through the stable Service', () => {
  const p = planApp({ app: 'web', version: '2.0.0', strategy: 'bluegreen', header: 'x-version', observed: observed(0) });
  assert.throws(() => checkPlan(service, p), /router service .* cannot hold a blue-green preview apart/);
});

const chart = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: registry.example/web:2.0.0
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: { app: web }
  ports: [{ port: 80 }]
`;

test('service: when the cluster serves no router it is the default, and an upgrade starts the canary with no pods', () => {
  const live: ObservedState = { apps: { web: { stable: '1.0.0', versions: { '1.0.0': { version: '1.0.0', deployment: 'web-1-0-0', replicas: 2, readyReplicas: 2 } }, weights: {} } }, cluster: { routers: [] } };
  const out = render(chart, {}, live);
  assert.equal(out.apps[0]!.router, 'service');
  assert.match(out.warnings.join('\n'), /serves none of .*so router service splits its traffic/);
  const docs = parseAllDocuments(out.text).map((d) => d.toJS() as KubeObject);
  const canary = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'web-2-0-0')!;
  assert.equal((canary.spec as { replicas: number }).replicas, 0);
  const stable = docs.find((d) => d.kind === 'Service' && d.metadata.name === 'web')!;
  assert.equal((stable.spec as { selector: Record<string, string> }).selector['switchyard.dev/version'], undefined);
  assert.equal(stable.metadata.annotations?.['switchyard.dev/stable-version'], '1.0.0');
});
