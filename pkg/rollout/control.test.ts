import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../render/index.ts';
import { control, runRollout } from './actions.ts';
import type { RunOptions } from './actions.ts';
import type { EngineDeps } from './engine.ts';
import { FakeKube, twoVersionCluster } from './fake-kube.test-util.ts';
import { parseSteps } from './state.ts';
import type { RolloutState } from './state.ts';

// A control command that holds the lease carries its request out in its first decision
// (no write of the request on its own): these pin what that must keep of the stored way.
const options: RunOptions = { wait: false, force: false, progressDeadlineMs: 60_000, maxRestarts: 3, scaleDownDelayMs: 0, keep: 2, settings: { steps: parseSteps('25,50,75,100') } };
const NOW = Date.parse('2026-11-23T11:00:00Z');

function depsOf(kube: FakeKube): EngineDeps {
  return { kube, namespace: 'demo', app: 'web', now: () => NOW, emit: () => undefined };
}

const stateOf = (kube: FakeKube): RolloutState => JSON.parse((kube.all('ConfigMap').find((c) => c.metadata.name === 'switchyard.web')!.data as { state: string }).state) as RolloutState;

/** 1.0.0 driven and stable, then 2.0.0 deployed by an upgrade no command has seen yet. */
async function upgraded(): Promise<FakeKube> {
  const kube = twoVersionCluster();
  const v2 = kube.all('Deployment').find((d) => d.metadata.name === 'web-2-0-0')!;
  await kube.delete('apps/v1', 'Deployment', 'demo', 'web-2-0-0');
  for (let i = 0; i < 5 && (await runRollout(depsOf(kube), options)).outcome !== 'healthy'; i++);
  assert.equal(stateOf(kube).stable, '1.0.0');
  kube.seed(v2);
  return kube;
}

test('set-weight on a version no command has seen yet starts its rollout, then holds it at that weight', async () => {
  const kube = await upgraded();
  const result = await control(depsOf(kube), 'set-weight', options, { weight: 50 });
  assert.equal(result.kind, 'done');
  const state = stateOf(kube);
  assert.deepEqual([state.phase, state.canary, state.weight], ['Paused', '2.0.0', 50]);
  assert.ok(state.history.some((h) => h.event === 'SetWeight'), JSON.stringify(state.history.map((h) => h.event)));
  assert.equal(state.request, undefined, 'the request is spent');
});

test('a state written by someone else before the first write: the request applies to the state read again, once', async () => {
  const kube = await upgraded();
  // Another command stores something in the state just before this one's first state write.
  const update = kube.update.bind(kube);
  let interfered = false;
  kube.update = async (obj: KubeObject): Promise<KubeObject> => {
    if (!interfered && obj.kind === 'ConfigMap' && obj.metadata.name === 'switchyard.web') {
      interfered = true;
      const live = kube.all('ConfigMap').find((c) => c.metadata.name === 'switchyard.web')!;
      await update({ ...structuredClone(live), metadata: { ...structuredClone(live.metadata), annotations: { touched: 'yes' } } });
    }
    return update(obj);
  };
  const result = await control(depsOf(kube), 'set-weight', options, { weight: 50 });
  assert.equal(result.kind, 'done');
  assert.ok(interfered);
  const state = stateOf(kube);
  assert.deepEqual([state.phase, state.weight], ['Paused', 50]);
  assert.equal(state.history.filter((h) => h.event === 'SetWeight').length, 1, 'applied once');
});

test('switch --to a retained version is a rollback to it, decided on the state it applies to', async () => {
  const kube = twoVersionCluster();
  const deps = depsOf(kube);
  const once: RunOptions = { ...options, settings: { steps: parseSteps('100') } };
  for (let i = 0; i < 5 && (await runRollout(deps, once)).outcome !== 'healthy'; i++);
  assert.equal(stateOf(kube).stable, '2.0.0');
  const result = await control(deps, 'promote-full', once, { target: '1.0.0' });
  assert.equal(result.kind, 'done');
  assert.equal(stateOf(kube).stable, '1.0.0');
  assert.ok(stateOf(kube).history.some((h) => h.event === 'Undo'));
  // Run again, once 1.0.0 is stable: nothing left to do.
  assert.equal((await control(deps, 'promote-full', once, { target: '1.0.0' })).kind, 'nothing');
});
