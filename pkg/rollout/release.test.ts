import { test } from 'node:test';
import assert from 'node:assert/strict';
import { twoVersionCluster } from './fake-kube.test-util.ts';
import type { FakeKube } from './fake-kube.test-util.ts';
import { releaseApps, runRelease } from './release.ts';
import type { RunOptions } from './actions.ts';
import { parseSteps } from './state.ts';

const options: RunOptions = { wait: true, progressDeadlineMs: 60_000, maxRestarts: 3, scaleDownDelayMs: 0, keep: 2, force: false, settings: { steps: parseSteps('25,50,100') } };

/** The fake two-version cluster with its Deployments marked as Helm release `shop`'s. */
function released(): FakeKube {
  const kube = twoVersionCluster();
  for (const d of kube.all('Deployment')) {
    d.metadata.annotations = { ...d.metadata.annotations, 'meta.helm.sh/release-name': 'shop' };
    kube.seed(d);
  }
  return kube;
}

const deps = (kube: FakeKube) => ({ kube, namespace: 'demo', now: Date.now, emit: () => undefined });

test('the apps of a release are those whose managed Deployments carry its name', async () => {
  assert.deepEqual(await releaseApps(released(), 'demo', 'shop'), ['web']);
  await assert.rejects(releaseApps(released(), 'demo', 'other'), /^Error: no app of Helm release "other" in namespace demo/);
});

test('a release run drives its changed apps to promotion, holding each at every step boundary', async () => {
  const kube = released();
  const result = await runRelease(deps(kube), 'shop', options);
  assert.equal(result.outcome, 'healthy');
  assert.deepEqual(result.unchanged, []);
  const state = result.results[0]!.result.state;
  assert.equal(state.stable, '2.0.0');
  assert.deepEqual(state.history.filter((h) => h.event === 'WeightSet').map((h) => (h as { weight?: number }).weight), [25, 50, 100]);
  // Driven again, there is nothing to roll out: the app is unchanged.
  const again = await runRelease(deps(kube), 'shop', options);
  assert.deepEqual([again.outcome, again.unchanged], ['healthy', ['web']]);
  // The release Lease is free again.
  const lease = kube.all('Lease').find((l) => l.metadata.name === 'switchyard.release.shop');
  assert.equal((lease?.spec as { holderIdentity?: string } | undefined)?.holderIdentity, '');
});
