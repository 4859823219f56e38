import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRollout } from './actions.ts';
import type { RunOptions } from './actions.ts';
import { acquireLease, LeaseLost } from './lease.ts';
import type { Lock } from './lease.ts';
import { parseSteps } from './state.ts';
import { FakeKube, twoVersionCluster } from './fake-kube.test-util.ts';

const LEASE = ['coordination.k8s.io/v1', 'Lease', 'demo', 'switchyard.web'] as const;

/** Writes `holder` into the Lease, as a forced take-over by another command does. */
async function takeOver(kube: FakeKube, holder: string): Promise<void> {
  const lease = (await kube.get(...LEASE))!;
  (lease.spec as { holderIdentity: string }).holderIdentity = holder;
  await kube.update(lease);
}

function lostReason(lock: Lock): Promise<unknown> {
  return new Promise((resolve) => lock.lost.addEventListener('abort', () => resolve(lock.lost.reason), { once: true }));
}

test('a lease taken over by another holder is noticed at the next renewal and refuses every later write', async () => {
  const kube = new FakeKube();
  const lock = await acquireLease(kube, 'demo', 'web', { now: () => Date.now(), renewEveryMs: 10 });
  await takeOver(kube, 'ci@runner/42');
  const reason = await lostReason(lock);
  assert.ok(reason instanceof LeaseLost);
  assert.equal(reason.holder, 'ci@runner/42');
  assert.match(reason.message, /lost the lease of web in namespace demo: ci@runner\/42 took it over; stopped before the next write/);
  const guarded = lock.guard(kube);
  const writes = kube.writes;
  await assert.rejects(guarded.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'demo' } }), LeaseLost);
  await assert.rejects(guarded.patch('v1', 'Service', 'demo', 'web', 'merge', {}), LeaseLost);
  assert.equal(kube.writes, writes, 'no write reached the cluster');
  assert.equal((await guarded.get(...LEASE))?.metadata.name, 'switchyard.web', 'reads still pass');
  assert.throws(() => lock.check(), LeaseLost);
  await lock.release();
  assert.equal(((await kube.get(...LEASE))!.spec as { holderIdentity: string }).holderIdentity, 'ci@runner/42', 'release leaves the new holder alone');
});

test('a deleted lease is lost too', async () => {
  const kube = new FakeKube();
  const lock = await acquireLease(kube, 'demo', 'web', { now: () => Date.now(), renewEveryMs: 10 });
  await kube.delete(...LEASE);
  assert.match(String((await lostReason(lock) as Error).message), /its Lease was deleted/);
  await lock.release();
});

test('renewal errors are not swallowed: a lease not renewed for its whole duration counts as lost', async () => {
  const kube = new FakeKube();
  let clock = Date.parse('2026-11-23T11:00:00Z');
  const lock = await acquireLease(kube, 'demo', 'web', { now: () => clock, renewEveryMs: 5 });
  const failing = kube.get.bind(kube);
  kube.get = async (...a) => (a[1] === 'Lease' ? Promise.reject(new Error('connection reset')) : failing(...a));
  clock += 10_000;
  lock.check();
  clock += 6_000;
  const reason = await lostReason(lock);
  assert.match(String((reason as Error).message), /could not be renewed for 15s \(connection reset\)/);
  await lock.release();
});

test('run --wait stops with LeaseLost when another driver takes the lease over during a pause', async () => {
  const kube = twoVersionCluster();
  const options: RunOptions = { wait: true, force: false, leaseRenewMs: 10, progressDeadlineMs: 60_000, maxRestarts: 3, scaleDownDelayMs: 0, keep: 2, settings: { steps: parseSteps('10,pause,100') } };
  let paused!: () => void;
  const atPause = new Promise<void>((resolve) => (paused = resolve));
  const running = runRollout({ kube, namespace: 'demo', app: 'web', now: () => Date.now(), emit: (e) => (e.kind === 'status' && e.view.phase === 'Paused' ? paused() : undefined) }, options);
  await atPause;
  await takeOver(kube, 'alice@laptop/7');
  await assert.rejects(running, (err: unknown) => err instanceof LeaseLost && err.holder === 'alice@laptop/7');
  const state = JSON.parse((kube.all('ConfigMap').find((c) => c.metadata.name === 'switchyard.web')!.data as { state: string }).state) as { phase: string; weight: number };
  assert.equal(state.phase, 'Paused', 'the state is left where the new holder can resume it');
  assert.equal(state.weight, 10);
});

test('a refused renewal (no update on leases) loses the lease at once, marked refused', async () => {
  const kube = new FakeKube();
  const lock = await acquireLease(kube, 'demo', 'web', { now: () => Date.now(), renewEveryMs: 5 });
  const { KubeError } = await import('../kube/errors.ts');
  kube.update = async () => Promise.reject(new KubeError('forbidden', 'update Lease demo/switchyard.web: cannot update resource "leases"'));
  const reason = await lostReason(lock);
  assert.ok(reason instanceof LeaseLost && reason.refused);
  assert.match(reason.message, /it cannot be renewed \(update Lease demo\/switchyard.web: cannot update resource "leases"\)/);
  await lock.release();
});
