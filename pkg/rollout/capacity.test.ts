import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../render/index.ts';
import { capacityFor } from './capacity.ts';
import { drive } from './engine.ts';
import { twoVersionCluster } from './fake-kube.test-util.ts';
import { deployment, progressing, world } from './fixture.test-util.ts';
import { isKnownEntry } from './history.ts';
import { parseSteps } from './state.ts';
import { buildStatus } from './status.ts';

const hpa = (target: string, maxReplicas: number): KubeObject => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'demo', labels: { 'switchyard.dev/app': 'web', 'switchyard.dev/role': 'scaler' } },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, minReplicas: 2, maxReplicas },
});

/** Stable 1.0.0 with `spec` desired and `current` replicas, canary 2.0.0 with one pod. */
function live(spec: number, current: number, scalers: KubeObject[] = []): ReturnType<typeof world> {
  const stable = deployment('1.0.0', spec, spec, '2026-11-23T10:00:00Z');
  (stable.status as { replicas: number }).replicas = current;
  const w = world('1.0.0', [stable, deployment('2.0.0', 1, 1, '2026-11-23T10:01:00Z')]);
  w.scalers = scalers;
  return w;
}

const cases: { name: string; spec: number; current: number; scalers?: KubeObject[]; router?: 'service'; weight: number; replicas: number; stableReplicas: number; autoscaled?: boolean }[] = [
  { name: 'at 50% of 2 stable pods the canary gets 1', spec: 2, current: 2, weight: 50, replicas: 1, stableReplicas: 2 },
  { name: 'at 10% of 4 it still gets at least 1', spec: 4, current: 4, weight: 10, replicas: 1, stableReplicas: 4 },
  { name: 'at 30% of 4 it gets the ceiling, 2', spec: 4, current: 4, weight: 30, replicas: 2, stableReplicas: 4 },
  { name: 'at 100% it gets all of them', spec: 4, current: 4, weight: 100, replicas: 4, stableReplicas: 4 },
  { name: 'without an HPA the chart\'s count is the reference, not the pods of the moment', spec: 2, current: 3, weight: 100, replicas: 2, stableReplicas: 2 },
  { name: 'with an HPA on the stable version its current replicas are the reference', spec: 2, current: 6, scalers: [hpa('web-1-0-0', 10)], weight: 50, replicas: 3, stableReplicas: 6, autoscaled: true },
  { name: 'with an HPA the canary never gets more than its maxReplicas', spec: 6, current: 6, scalers: [hpa('web-1-0-0', 4)], weight: 100, replicas: 4, stableReplicas: 6, autoscaled: true },
  { name: 'an HPA that targets another Deployment changes nothing', spec: 2, current: 6, scalers: [hpa('web-0-9-0', 1)], weight: 100, replicas: 2, stableReplicas: 2 },
  { name: 'where replica counts split the traffic, the share nearest the weight', spec: 2, current: 2, router: 'service', weight: 50, replicas: 2, stableReplicas: 2 },
];

for (const c of cases) {
  test(c.name, () => {
    const got = capacityFor(live(c.spec, c.current, c.scalers), progressing(c.router === undefined ? {} : { router: c.router }), c.weight);
    assert.deepEqual({ replicas: got.replicas, stableReplicas: got.stableReplicas, autoscaled: got.autoscaler !== undefined }, { replicas: c.replicas, stableReplicas: c.stableReplicas, autoscaled: c.autoscaled === true });
  });
}

test('status says how many pods the canary has for the weight of its step, and the HPA', () => {
  const w = live(2, 4, [hpa('web-1-0-0', 8)]);
  const state = progressing({ steps: parseSteps('10,50,100'), step: 1, weight: 10 });
  assert.deepEqual(buildStatus(state, w, [], 0).capacity, { version: '2.0.0', replicas: 1, targetReplicas: 2, stableReplicas: 4, weight: 50, autoscaler: { name: 'web', maxReplicas: 8 } });
  assert.equal(buildStatus({ ...state, phase: 'Degraded' }, w, [], 0).capacity, undefined, 'none once rolled back');
  assert.equal(buildStatus({ ...state, strategy: 'bluegreen' }, w, [], 0).capacity, undefined, 'a preview is always at full size');
});

test('a run scales the canary with the weight before it moves, up to the HPA\'s maximum', async () => {
  const kube = twoVersionCluster();
  await kube.patch('apps/v1', 'Deployment', 'demo', 'web-1-0-0', 'merge', { spec: { replicas: 4 } });
  kube.seed(hpa('web-1-0-0', 3));
  const result = await drive(
    { kube, namespace: 'demo', app: 'web', now: () => Date.parse('2026-11-23T11:00:00Z'), emit: () => undefined },
    { wait: false, progressDeadlineMs: 60_000, maxRestarts: 3, scaleDownDelayMs: 0, keep: 2, settings: { steps: parseSteps('25,50,100') } },
  );
  assert.equal(result.outcome, 'healthy');
  const trail = result.state.history.filter(isKnownEntry).flatMap((e) => (e.event === 'Scaled' && e.version === '2.0.0' ? [`scaled ${e.replicas}`] : e.event === 'WeightSet' ? [`weight ${e.weight}`] : []));
  assert.deepEqual(trail, ['weight 25', 'scaled 2', 'weight 50', 'scaled 3', 'weight 100'], 'each scale comes before its weight; 100% of 4 is capped at 3');
  const hpaNow = kube.all('HorizontalPodAutoscaler')[0]!;
  assert.equal((hpaNow.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name, 'web-2-0-0', 'the HPA follows the promotion');
});
