import { test } from 'node:test';
import assert from 'node:assert/strict';
import { control, runRollout } from './actions.ts';
import type { RunOptions } from './actions.ts';
import type { EngineDeps } from './engine.ts';
import { parseSteps } from './state.ts';
import { Crash, FakeKube, twoVersionCluster } from './fake-kube.test-util.ts';

// `undo` run again after the first was killed must converge (DESIGN.md invariant 5).
const options: RunOptions = { wait: false, force: false, progressDeadlineMs: 60_000, maxRestarts: 3, scaleDownDelayMs: 0, keep: 2, settings: { steps: parseSteps('100') } };

/** 2.0.0 promoted over 1.0.0, which is retained. */
async function promoted(): Promise<{ kube: FakeKube; deps: EngineDeps }> {
  const kube = twoVersionCluster();
  const deps: EngineDeps = { kube, namespace: 'demo', app: 'web', now: () => Date.parse('2026-11-23T11:00:00Z'), emit: () => undefined };
  for (let i = 0; i < 5 && (await runRollout(deps, options)).outcome !== 'healthy'; i++);
  return { kube, deps };
}

const stable = (kube: FakeKube): string => JSON.parse((kube.all('ConfigMap').find((c) => c.metadata.name === 'switchyard.web')!.data as { state: string }).state).stable;

test('undo --to-version run again once the version is stable has nothing to do', async () => {
  const { kube, deps } = await promoted();
  assert.equal(stable(kube), '2.0.0');
  assert.equal((await control(deps, 'undo', options, { target: '1.0.0' })).kind, 'done');
  assert.equal(stable(kube), '1.0.0');
  const again = await control(deps, 'undo', options, { target: '1.0.0' });
  assert.equal(again.kind, 'nothing');
  assert.equal(stable(kube), '1.0.0', 'the second undo did not go back again');
});

test('undo killed while under way is finished by the next undo', async () => {
  for (let crashAfter = 3; crashAfter <= 5; crashAfter++) {
    const { kube, deps } = await promoted();
    kube.writes = 0;
    kube.crashAfterWrites = crashAfter;
    await control(deps, 'undo', options).then(() => undefined, (err: unknown) => assert.ok(err instanceof Crash, String(err)));
    kube.revive();
    const again = await control(deps, 'undo', options);
    assert.notEqual(again.kind, 'delegated');
    assert.equal(stable(kube), '1.0.0', `killed before write ${crashAfter + 1}`);
  }
});
