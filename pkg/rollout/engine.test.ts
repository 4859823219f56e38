import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drive } from './engine.ts';
import type { DriveOptions, DriveResult } from './engine.ts';
import { parseSteps } from './state.ts';
import { Crash, FakeKube, twoVersionCluster } from './fake-kube.test-util.ts';

// The step machine against an in-memory fake of our Kube interface (pods become ready
// at once). The cluster-level versions of these tests live in test/e2e/canary-*.test.ts.
const options: DriveOptions = { wait: false, progressDeadlineMs: 60_000, maxRestarts: 3, scaleDownDelayMs: 0, keep: 2, settings: { steps: parseSteps('10,25,50,100') } };

/** A cluster with 1.0.0 installed through the post-renderer and 2.0.0 deployed beside it. */
const cluster = twoVersionCluster;

const run = (kube: FakeKube, opts: DriveOptions = options): Promise<DriveResult> =>
  drive({ kube, namespace: 'demo', app: 'web', now: () => Date.parse('2026-11-23T11:00:00Z'), emit: () => undefined }, opts);

/** What must hold after a successful rollout of 2.0.0. */
function assertPromoted(kube: FakeKube): void {
  const service = kube.all('Service').find((s) => s.metadata.name === 'web')!;
  assert.equal((service.spec as { selector: Record<string, string> }).selector['switchyard.dev/version'], '2.0.0');
  const route = kube.all('HTTPRoute')[0]!;
  assert.equal(route.metadata.annotations?.['switchyard.dev/weights'], '{"2.0.0":100,"1.0.0":0}');
  const replicas = Object.fromEntries(kube.all('Deployment').map((d) => [d.metadata.name, (d.spec as { replicas: number }).replicas]));
  assert.deepEqual(replicas, { 'web-1-0-0': 0, 'web-2-0-0': 2 });
  const state = JSON.parse((kube.all('ConfigMap').find((c) => c.metadata.name === 'switchyard.web')!.data as { state: string }).state);
  assert.equal(state.phase, 'Healthy');
  assert.equal(state.stable, '2.0.0');
  assert.equal(state.canary, undefined);
  assert.equal(state.history.filter((h: { event: string }) => h.event === 'Promoted').length, 1);
}

test('a four-step canary steps the weights, scales the canary with them and promotes', async () => {
  const kube = cluster();
  const result = await run(kube);
  assert.equal(result.outcome, 'healthy');
  assert.deepEqual(result.state.history.map((h) => h.event), ['Adopted', 'RolloutStarted', 'WeightSet', 'WeightSet', 'WeightSet', 'Scaled', 'WeightSet', 'Promoted', 'ScaledDown']);
  assertPromoted(kube);
});

test('a drive reads the app once, then decides on the world its writes keep up to date (the fake needs no waits)', async () => {
  const kube = cluster();
  const list = kube.list.bind(kube);
  let reads = 0;
  kube.list = (apiVersion, kind, namespace, opts) => {
    if (kind === 'Deployment') reads++;
    return list(apiVersion, kind, namespace, opts);
  };
  const writes = kube.writes;
  const result = await run(kube);
  assert.equal(result.outcome, 'healthy');
  assertPromoted(kube);
  assert.equal(reads, 1, 'one read of the Deployments for the whole rollout, the final view included');
  // A state write that another follows before any other write is left out (34 writes without that).
  assert.ok(kube.writes - writes <= 30, `${kube.writes - writes} writes`);
});

test('killed before any one of its writes, a new run converges to the same end state (invariant 5)', async (t) => {
  const total = cluster();
  total.writes = 0;
  await run(total);
  const writes = total.writes;
  assert.ok(writes > 10, `expected many writes, got ${writes}`);
  t.diagnostic(`killed before each of ${writes} writes`);
  for (let crashAt = 0; crashAt < writes; crashAt++) {
    const kube = cluster();
    kube.writes = 0;
    kube.crashAfterWrites = crashAt;
    // Killed before write crashAt+1. (When that write is a best-effort Event, the run may
    // even finish its real work first.)
    await run(kube).catch((err: unknown) => assert.ok(err instanceof Crash, String(err)));
    kube.revive();
    const result = await run(kube);
    assert.equal(result.outcome, 'healthy', `after a crash before write ${crashAt + 1}`);
    assertPromoted(kube);
  }
});

test('a canary whose gate fails is rolled back: weight 0, scaled down, Degraded with the reason', async () => {
  const kube = cluster();
  const canary = kube.all('Deployment').find((d) => d.metadata.name === 'web-2-0-0')!;
  kube.seed({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-2-0-0-x', namespace: 'demo', labels: { 'switchyard.dev/app': 'web', 'switchyard.dev/version': '2.0.0' } }, status: { phase: 'Failed' } });
  const result = await run(kube, { ...options, maxRestarts: 0 });
  assert.equal(result.outcome, 'degraded');
  assert.match(result.state.message ?? '', /restarts: 1 container restarts or failed pods/);
  assert.equal(kube.all('HTTPRoute')[0]!.metadata.annotations?.['switchyard.dev/weights'], '{"1.0.0":100,"2.0.0":0}');
  assert.equal((kube.all('Deployment').find((d) => d.metadata.name === canary.metadata.name)!.spec as { replicas: number }).replicas, 0);
});

test('with --wait, a promotion returns once traffic has moved; the previous version is scaled down by the next command when due', async () => {
  const kube = cluster();
  let now = Date.parse('2026-11-23T11:00:00Z');
  const deps = { kube, namespace: 'demo', app: 'web', now: () => now, emit: () => undefined };
  const waited = { ...options, wait: true, scaleDownDelayMs: 30_000 };
  const result = await drive(deps, waited);
  assert.equal(result.outcome, 'healthy');
  assert.equal(result.state.stable, '2.0.0');
  const replicas = (): Record<string, number> => Object.fromEntries(kube.all('Deployment').map((d) => [d.metadata.name, (d.spec as { replicas: number }).replicas]));
  assert.deepEqual(replicas(), { 'web-1-0-0': 2, 'web-2-0-0': 2 }, 'the previous version stays hot for its delay');
  assert.deepEqual(result.view.scaleDowns, [{ version: '1.0.0', at: '2026-11-23T11:00:30.000Z' }]);
  const route = kube.all('HTTPRoute')[0]!;
  assert.ok(JSON.stringify(route.spec).includes('"value":"1.0.0"'), 'a hot version keeps its header route');
  now += 31_000;
  const next = await drive(deps, { ...options, wait: false });
  assert.equal(next.outcome, 'healthy');
  assert.deepEqual(replicas(), { 'web-1-0-0': 0, 'web-2-0-0': 2 });
  assert.equal(next.view.scaleDowns, undefined);
  assert.ok(!JSON.stringify(kube.all('HTTPRoute')[0]!.spec).includes('"value":"1.0.0"'), 'no header route for a version scaled to zero');
});
