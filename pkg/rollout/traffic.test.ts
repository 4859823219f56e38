import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planApp } from '../render/index.ts';
import { gateway } from '../route/gateway.ts';
import type { KubeObject } from '../render/index.ts';
import { planFromState } from './traffic.ts';
import { deployment, progressing, world } from './fixture.test-util.ts';

const chartRoute: KubeObject = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'web' },
  spec: { rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] },
};
const service: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } };

test('the engine and the post-renderer, both through planTracks, route the same state to the same HTTPRoute (Helm and switchyard never fight)', () => {
  const w = world('1.0.0', [deployment('1.0.0', 2, 2, '2026-11-23T09:00:00Z'), deployment('2.0.0', 1, 1, '2026-11-23T09:30:00Z'), deployment('0.9.0', 0, 0, '2026-11-23T08:00:00Z')]);
  const state = progressing({ weight: 25, retained: [{ version: '0.9.0' }] });
  const engine = planFromState(state, w);
  const rendered = planApp({
    app: 'web',
    version: '2.0.0',
    strategy: 'canary',
    header: 'x-version',
    observed: {
      stable: '1.0.0',
      canary: '2.0.0',
      weights: { '2.0.0': 25 },
      versions: Object.fromEntries([...w.deployments].map(([v, d]) => [v, { version: v, deployment: d.metadata.name, replicas: 0, readyReplicas: 0 }])),
    },
  });
  const route = (plan: typeof engine): KubeObject => gateway.render({ plan, services: [service], routes: [chartRoute], ingresses: [] }).rewritten[0]!;
  assert.deepEqual(route(engine), route(rendered));
});

test('a Degraded rollout routes nothing to its canary', () => {
  const w = world('1.0.0', [deployment('1.0.0', 2, 2, '2026-11-23T09:00:00Z'), deployment('2.0.0', 1, 1, '2026-11-23T09:30:00Z')]);
  const plan = planFromState(progressing({ phase: 'Degraded', weight: 25 }), w);
  assert.deepEqual(plan.tracks.map((t) => [t.version, t.weight]), [['1.0.0', 100], ['2.0.0', 0]]);
});
