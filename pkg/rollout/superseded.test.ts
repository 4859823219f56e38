import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appStatus, listApps } from './actions.ts';
import { drive } from './engine.ts';
import type { DriveOptions, EngineEvent } from './engine.ts';
import { isKnownEntry } from './history.ts';
import { helmUpgrade, twoVersionCluster } from './fake-kube.test-util.ts';
import type { FakeKube } from './fake-kube.test-util.ts';
import { parseSteps } from './state.ts';

// A helm upgrade while a canary holds traffic: the post-renderer re-emits the live weights,
// so the replaced canary keeps its share until a switchyard command moves it.
const NOW = Date.parse('2026-11-23T11:00:00Z');
const options: DriveOptions = { wait: false, progressDeadlineMs: 60_000, maxRestarts: 3, scaleDownDelayMs: 0, keep: 2, settings: { steps: parseSteps('20,pause') } };

const weights = (kube: FakeKube): Record<string, number> => JSON.parse(kube.all('HTTPRoute')[0]!.metadata.annotations!['switchyard.dev/weights']!);

/** 1.0.0 stable, 2.0.0 paused at 20%, then `helm upgrade` to 3.0.0. */
async function superseded(): Promise<FakeKube> {
  const kube = twoVersionCluster();
  const paused = await drive({ kube, namespace: 'demo', app: 'web', now: () => NOW, emit: () => undefined }, options);
  assert.equal(paused.outcome, 'paused');
  await helmUpgrade(kube, '3.0.0', '2026-11-23T10:59:00Z');
  assert.deepEqual(weights(kube), { '1.0.0': 80, '2.0.0': 20, '3.0.0': 0 }, 'precondition: the upgrade moved no traffic');
  return kube;
}

test('status shows the weights the routes carry and marks the replaced canary that still receives traffic', async () => {
  const kube = await superseded();
  const view = await appStatus(kube, 'demo', 'web', NOW);
  assert.equal(view.canary, '3.0.0');
  const by = Object.fromEntries(view.versions.map((v) => [v.version, { role: v.role, weight: v.weight, liveWeight: v.liveWeight, superseded: v.superseded }]));
  assert.deepEqual(by, {
    '1.0.0': { role: 'stable', weight: 100, liveWeight: 80, superseded: undefined },
    '3.0.0': { role: 'canary', weight: 0, liveWeight: 0, superseded: undefined },
    '2.0.0': { role: 'retained', weight: 0, liveWeight: 20, superseded: true },
  });
});

test('list reads the routes too (one list per kind) and shows the same live weights', async () => {
  const kube = await superseded();
  const [view] = await listApps(kube, 'demo', NOW);
  assert.deepEqual(view!.versions.map((v) => [v.version, v.liveWeight, v.superseded === true]), [['1.0.0', 80, false], ['3.0.0', 0, false], ['2.0.0', 20, true]]);
});

test('the next run moves the replaced canary\'s share back to stable before it scales or weights the new version', async () => {
  const kube = await superseded();
  const events: EngineEvent[] = [];
  const result = await drive({ kube, namespace: 'demo', app: 'web', now: () => NOW, emit: (e) => events.push(e) }, { ...options, settings: { steps: parseSteps('10,100') } });
  assert.equal(result.outcome, 'healthy');
  assert.equal(result.state.stable, '3.0.0');
  const entries = events.flatMap((e) => (e.kind === 'history' ? [e.entry] : []));
  const returned = entries.findIndex((e) => e.event === 'TrafficReturned');
  const started = entries.findIndex((e) => (e.event === 'Scaled' || e.event === 'WeightSet') && e.version === '3.0.0');
  assert.ok(returned >= 0 && started > returned, `TrafficReturned before 3.0.0 is scaled or weighted: ${entries.map((e) => `${e.event} ${e.version ?? ''}`).join(', ')}`);
  const entry = entries[returned]!;
  assert.ok(isKnownEntry(entry) && entry.event === 'TrafficReturned');
  assert.deepEqual({ version: entry.version, weight: entry.weight, stable: entry.stable }, { version: '2.0.0', weight: 20, stable: '1.0.0' });
  assert.equal(weights(kube)['2.0.0'] ?? 0, 0, 'no traffic left on 2.0.0');
  assert.equal(weights(kube)['3.0.0'], 100);
});

test('a run that finds no replaced canary holding traffic records no TrafficReturned', async () => {
  const kube = twoVersionCluster();
  const result = await drive({ kube, namespace: 'demo', app: 'web', now: () => NOW, emit: () => undefined }, { ...options, settings: { steps: parseSteps('10,100') } });
  assert.equal(result.outcome, 'healthy');
  assert.ok(!result.state.history.some((e) => e.event === 'TrafficReturned'));
});

test('where replica counts split the traffic, the next run scales the replaced canary down before it starts the new version', async () => {
  const kube = twoVersionCluster({ router: 'service' });
  const service = { ...options, settings: { ...options.settings, router: 'service' as const } };
  const paused = await drive({ kube, namespace: 'demo', app: 'web', now: () => NOW, emit: () => undefined }, service);
  assert.equal(paused.outcome, 'paused');
  await helmUpgrade(kube, '3.0.0', '2026-11-23T10:59:00Z', { router: 'service' });
  const replicas = (name: string): number => (kube.all('Deployment').find((d) => d.metadata.name === name)!.spec as { replicas: number }).replicas;
  assert.equal(replicas('web-2-0-0'), 1, 'precondition: the replaced canary still has its pod');
  const view = await appStatus(kube, 'demo', 'web', NOW);
  const old = view.versions.find((v) => v.version === '2.0.0')!;
  assert.deepEqual([old.role, old.liveWeight, old.effectiveWeight, old.superseded], ['retained', 33, 33, true]);

  const events: EngineEvent[] = [];
  const result = await drive({ kube, namespace: 'demo', app: 'web', now: () => NOW, emit: (e) => events.push(e) }, { ...service, settings: { ...service.settings, steps: parseSteps('50,100') } });
  assert.equal(result.outcome, 'healthy');
  const entries = events.flatMap((e) => (e.kind === 'history' ? [e.entry] : []));
  const returned = entries.findIndex((e) => e.event === 'TrafficReturned' && e.version === '2.0.0');
  const started = entries.findIndex((e) => (e.event === 'Scaled' || e.event === 'WeightSet') && e.version === '3.0.0');
  assert.ok(returned >= 0 && started > returned, entries.map((e) => `${e.event} ${e.version ?? ''}`).join(', '));
  const scaled = entries.findIndex((e) => e.event === 'ScaledDown' && e.version === '2.0.0');
  assert.ok(scaled === -1 || scaled > returned);
  assert.equal(kube.all('Deployment').some((d) => d.metadata.name === 'web-2-0-0' && (d.spec as { replicas: number }).replicas > 0), false, 'no pods left for 2.0.0');
});
