// `kubectl bluegreen rollback` end to end (issue 5, items 3 and 4; DESIGN.md scenario 6,
// invariants 3 and 6): a rollback to a version that was scaled down scales it up, waits
// until it is ready and only then flips; a rollback to a version that cannot become
// ready refuses to flip and says why. Real helm 3, real kubectl, real plugin mechanism.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { suite, test, type TestContext } from 'node:test';
import {
  assertOk, bluegreen, deployChart, freshNamespace, getJson, helm, kubectl, spawnChild, storedState,
  toolPaths, waitFor, type Child, type RunResult,
} from './harness.ts';

const VERSION = 'switchyard.dev/version';

type Labels = Record<string, string>;
interface Meta { name: string; resourceVersion?: string; labels?: Labels; annotations?: Labels }
interface Deployment { metadata: Meta; spec: { replicas: number }; status?: { readyReplicas?: number; replicas?: number } }
interface Service { metadata: Meta; spec: { selector?: Labels } }
interface HTTPRoute { metadata: Meta; spec: unknown }
interface HistoryEntry { event: string; message: string; version?: string }
interface State { phase: string; stable: string; canary?: string; message?: string; retained: { version: string }[]; history: HistoryEntry[] }
interface WatchEvent<T> { type: string; object: T }

function deploy(ns: string, version: string): Promise<RunResult> {
  return deployChart(3, ns, version, { extra: ['--post-renderer-args=--strategy=bluegreen'] });
}

async function selects(ns: string, name = 'web'): Promise<string | undefined> {
  return (await getJson<Service>(ns, 'service', name)).spec.selector?.[VERSION];
}

async function weights(ns: string): Promise<Record<string, number>> {
  const r = await getJson<HTTPRoute>(ns, 'httproute', 'web');
  return JSON.parse(r.metadata.annotations?.['switchyard.dev/weights'] ?? '{}') as Record<string, number>;
}

function watch(ns: string, args: string[]): Child {
  return spawnChild(toolPaths.kubectl, ['-n', ns, 'get', ...args, '--watch', '--output-watch-events', '-o', 'json']);
}

function events<T>(child: Child): WatchEvent<T>[] {
  return child.stdout.split('\n').slice(0, -1).filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as WatchEvent<T>);
}

/** 1.0.0 installed, 2.0.0 deployed and previewed (`run --wait`). */
async function previewing(ns: string): Promise<void> {
  assertOk(await deploy(ns, '1.0.0'), 'install 1.0.0');
  assertOk(await deploy(ns, '2.0.0'), 'upgrade to 2.0.0');
  assertOk(await bluegreen(ns, ['run', 'web', '--wait']), 'run --wait');
}

/** Whether web-1-0-0 is scaled to 0 with no pods left. */
async function oldScaledDown(ns: string): Promise<boolean> {
  const old = await getJson<Deployment>(ns, 'deployment', 'web-1-0-0');
  return old.spec.replicas === 0 && (old.status?.replicas ?? 0) === 0;
}

/**
 * Switches to 2.0.0 with `--scale-down-delay 1s --wait-scale-down` and returns once 1.0.0 has
 * been scaled to 0 and its pods are gone.
 */
async function switchedWithOldScaledDown(_t: TestContext, ns: string): Promise<void> {
  await previewing(ns);
  assertOk(await bluegreen(ns, ['switch', 'web', '--scale-down-delay', '1s', '--wait-scale-down']), 'switch --scale-down-delay 1s --wait-scale-down');
  assert.equal(await selects(ns), '2.0.0');
  await waitFor(() => oldScaledDown(ns), { timeoutMs: 10_000 });
  const left = await storedState<State>(ns);
  assert.deepEqual(left.retained.map((r) => r.version), ['1.0.0'], 'precondition: 1.0.0 is retained, scaled down');
}

/** Makes the pods of web-1-0-0 never become ready (see the comment on the refusal test). */
async function breakOld(ns: string): Promise<void> {
  assertOk(await kubectl(['-n', ns, 'patch', 'deployment', 'web-1-0-0', '--type', 'merge',
    '-p', JSON.stringify({ spec: { template: { metadata: { labels: { 'switchyard.test/never-ready': 'true' } } } } })]), 'patch web-1-0-0 to never become ready');
}

/** Undoes {@link breakOld}: what fixing the cause (restoring the Secret, the column, the image) amounts to. */
async function fixOld(ns: string): Promise<void> {
  assertOk(await kubectl(['-n', ns, 'patch', 'deployment', 'web-1-0-0', '--type', 'json',
    '-p', JSON.stringify([{ op: 'remove', path: '/spec/template/metadata/labels/switchyard.test~1never-ready' }])]), 'remove the never-ready label from web-1-0-0');
}

/** A rollback with 1.0.0 unable to become ready, refused after a 5 s progress deadline. */
async function refusedRollback(t: TestContext, ns: string): Promise<void> {
  await switchedWithOldScaledDown(t, ns);
  await breakOld(ns);
  const refused = await bluegreen(ns, ['rollback', 'web', '--progress-deadline', '5s']);
  assert.equal(refused.code, 1, `precondition: the rollback is refused\nstderr: ${refused.stderr}`);
  assert.equal(await selects(ns), '2.0.0');
}

suite('kubectl bluegreen rollback', { concurrency: true }, () => {
  test('switch returns once traffic has flipped; the pending scale-down is in status and the next command carries it out (item 3, issue 9)', async (t) => {
    const ns = await freshNamespace(t);
    await previewing(ns);
    const started = performance.now();
    const switched = await bluegreen(ns, ['switch', 'web', '--scale-down-delay', '2s']);
    assertOk(switched, 'switch --scale-down-delay 2s');
    t.diagnostic(`switch exited after ${((performance.now() - started) / 1000).toFixed(1)} s`);
    assert.equal(await selects(ns), '2.0.0');
    // switch did not wait out the delay: 1.0.0 is still at full size, and status says until when.
    assert.equal((await getJson<Deployment>(ns, 'deployment', 'web-1-0-0')).spec.replicas, 2);
    const view = JSON.parse((await bluegreen(ns, ['status', 'web', '-o', 'json'])).stdout) as { scaleDowns?: { version: string; at: string }[] };
    assert.deepEqual(view.scaleDowns?.map((d) => d.version), ['1.0.0']);
    const due = Date.parse(view.scaleDowns![0]!.at);
    // Once due, the next command of the app scales it down.
    await waitFor(() => Date.now() > due + 200, { timeoutMs: 15_000, intervalMs: 100 });
    assertOk(await bluegreen(ns, ['prune', 'web']), 'the next command (prune)');
    await waitFor(() => oldScaledDown(ns), { timeoutMs: 10_000 });
  });

  test('rollback after a scale-down scales the previous version up, waits until ready, then flips (item 3)', async (t) => {
    const ns = await freshNamespace(t);
    await switchedWithOldScaledDown(t, ns);

    const deploymentWatch = watch(ns, ['deployments', '-l', 'switchyard.dev/app=web']);
    const serviceWatch = watch(ns, ['services', '--field-selector', 'metadata.name=web']);
    t.after(() => { deploymentWatch.kill('SIGKILL'); serviceWatch.kill('SIGKILL'); });
    await waitFor(() => events(deploymentWatch).length >= 2 && events(serviceWatch).length >= 1, { intervalMs: 50 });

    const started = performance.now();
    // --scale-down-delay 2s: 2.0.0 stays at full size for 2 s after the flip (should rollback wait
    // out the delay, as it did before 13c1290, the default 30 s would keep the test waiting).
    const rollback = await bluegreen(ns, ['rollback', 'web', '--scale-down-delay', '2s']);
    const elapsed = performance.now() - started;
    assertOk(rollback, 'kubectl bluegreen rollback web');
    const reported = /web: now serving 1\.0\.0; the switch took (\d+) ms/.exec(rollback.stderr);
    assert.ok(reported !== null, `stderr reports the flip time: ${rollback.stderr}`);
    t.diagnostic(`rollback exited after ${(elapsed / 1000).toFixed(1)} s; it reported "the switch took ${reported[1]} ms"`);
    assert.ok(Number(reported[1]) > 0 && Number(reported[1]) < elapsed, `the reported ${reported[1]} ms lies within the command's ${Math.round(elapsed)} ms`);

    assert.equal(await selects(ns), '1.0.0');
    assert.deepEqual(await weights(ns), { '1.0.0': 100, '2.0.0': 0 });
    const back = await getJson<Deployment>(ns, 'deployment', 'web-1-0-0');
    assert.equal(back.spec.replicas, 2);
    assert.equal(back.status?.readyReplicas, 2, 'web-1-0-0 has ready replicas');
    const after = await storedState<State>(ns);
    assert.equal(after.phase, 'Healthy');
    assert.equal(after.stable, '1.0.0');
    assert.deepEqual(after.retained.map((r) => r.version), ['2.0.0'], '2.0.0 is kept for a roll forward');

    // The history: Undo, then 1.0.0 scaled up, then the flip.
    const entries = after.history;
    const undoAt = entries.findIndex((e) => e.event === 'Undo');
    const scaledAt = entries.findIndex((e, i) => i > undoAt && e.event === 'Scaled' && e.version === '1.0.0');
    const flippedAt = entries.findIndex((e, i) => i > undoAt && e.event === 'Promoted' && e.version === '1.0.0');
    assert.ok(undoAt >= 0 && scaledAt > undoAt && flippedAt > scaledAt, `expected Undo < Scaled 1.0.0 < Promoted 1.0.0 in ${entries.map((e) => `${e.event} ${e.version ?? ''}`).join(', ')}`);

    // The watches: when Service web first selected 1.0.0, web-1-0-0 already had all its pods ready.
    deploymentWatch.kill('SIGKILL');
    serviceWatch.kill('SIGKILL');
    await Promise.all([deploymentWatch.exited, serviceWatch.exited]);
    const flip = events<Service>(serviceWatch).find((e) => e.object.spec.selector?.[VERSION] === '1.0.0');
    assert.ok(flip !== undefined, 'the watch saw Service web select 1.0.0');
    const flipRevision = Number(flip.object.metadata.resourceVersion);
    const before = events<Deployment>(deploymentWatch).filter((e) => e.object.metadata.name === 'web-1-0-0' && Number(e.object.metadata.resourceVersion) < flipRevision);
    const last = before.at(-1)?.object;
    assert.ok(last !== undefined, 'the watch saw web-1-0-0 before the flip');
    assert.ok(last.spec.replicas === 2 && (last.status?.readyReplicas ?? 0) >= 2,
      `at the flip web-1-0-0 had ${last.status?.readyReplicas ?? 0}/${last.spec.replicas} ready pods`);
  });

  // How the retained version is made unable to become ready: while 1.0.0 is scaled down, its
  // Deployment's pod template gets the label switchyard.test/never-ready=true, so the pods the
  // rollback starts run but never pass their readiness probe (KWOK's stage for that label). This
  // is what happens when something a scaled-down version depends on goes away while it waits for
  // a rollback (a rotated Secret, a dropped database column, a registry that pruned its image):
  // the Deployment object is unchanged in switchyard's eyes (same name, labels and selector),
  // but its new pods cannot become ready. Deploying 1.0.0 never-ready from the start would not
  // do: the first install makes 1.0.0 active without a readiness gate, which is another scenario.
  test('rollback to a version whose pods never become ready refuses to flip and says why (item 4)', async (t) => {
    const ns = await freshNamespace(t);
    await switchedWithOldScaledDown(t, ns);
    await breakOld(ns);

    const serviceWatch = watch(ns, ['services', '--field-selector', 'metadata.name=web']);
    t.after(() => serviceWatch.kill('SIGKILL'));
    await waitFor(() => events(serviceWatch).length >= 1, { intervalMs: 50 });

    const started = performance.now();
    const rollback = await bluegreen(ns, ['rollback', 'web', '--progress-deadline', '10s']);
    const elapsed = performance.now() - started;
    t.diagnostic(`rollback exited ${rollback.code} after ${(elapsed / 1000).toFixed(1)} s`);
    assert.notEqual(rollback.code, 0, `rollback must fail\nstdout: ${rollback.stdout}\nstderr: ${rollback.stderr}`);
    assert.equal(rollback.code, 1, 'a refused rollback exits 1 (rolled back / Degraded)');
    assert.ok(elapsed >= 10_000 && elapsed < 30_000, `the rollback gave up after its 10 s progress deadline, not ${Math.round(elapsed)} ms`);
    // Why, on stderr: the version, the deadline, and where traffic stays.
    assert.match(rollback.stderr, /web: did not switch: progress-deadline: 1\.0\.0 not ready within the progress deadline \(10s\) \(0\/2 ready\); traffic stays on 2\.0\.0/);

    // Traffic never moved: the stable Service selects 2.0.0, and never selected anything else.
    assert.equal(await selects(ns), '2.0.0');
    assert.deepEqual(await weights(ns), { '2.0.0': 100, '1.0.0': 0 });
    serviceWatch.kill('SIGKILL');
    await serviceWatch.exited;
    const seen = [...new Set(events<Service>(serviceWatch).map((e) => e.object.spec.selector?.[VERSION]))];
    assert.deepEqual(seen, ['2.0.0'], 'Service web only ever selected 2.0.0');
    const current = await getJson<Deployment>(ns, 'deployment', 'web-2-0-0');
    assert.equal(current.status?.readyReplicas, 2, '2.0.0 still serves at full size');

    // No version lost: 1.0.0 is still there (scaled back down, its pods not left hanging).
    const old = await getJson<Deployment>(ns, 'deployment', 'web-1-0-0');
    assert.equal(old.spec.replicas, 0, 'the never-ready 1.0.0 is scaled back to 0');
    const left = await storedState<State>(ns);
    t.diagnostic(`state after the refused rollback: phase ${left.phase}, stable ${left.stable}, canary ${left.canary ?? '-'}, retained [${left.retained.map((r) => r.version).join(', ')}], message: ${left.message ?? '-'}`);
    assert.equal(left.stable, '2.0.0');
    assert.ok(left.history.some((e) => e.event === 'UndoRefused' && e.version === '1.0.0' && /not ready/.test(e.message)), 'the history records why');
  });

  test('after a refused rollback, fixing the version and running rollback again flips back (invariants 5 and 6)', async (t) => {
    const ns = await freshNamespace(t);
    await refusedRollback(t, ns);
    await fixOld(ns);
    // The same command again, now that 1.0.0 can become ready: it should finish the rollback.
    const again = await bluegreen(ns, ['rollback', 'web', '--scale-down-delay', '0']);
    assertOk(again, 'kubectl bluegreen rollback web, run again after the cause was fixed');
    assert.equal(await selects(ns), '1.0.0');
    assert.equal((await getJson<Deployment>(ns, 'deployment', 'web-1-0-0')).status?.readyReplicas, 2);
  });

  test('after a refused rollback, the previous version still counts as a good one: --keep 3 keeps it (no version lost)', async (t) => {
    const ns = await freshNamespace(t);
    await refusedRollback(t, ns);
    await fixOld(ns);
    // A new version is deployed and switched to with room for two previous versions.
    assertOk(await deploy(ns, '3.0.0'), 'upgrade to 3.0.0');
    assertOk(await bluegreen(ns, ['run', 'web', '--wait', '--keep', '3']), 'run --wait --keep 3');
    const switched = await bluegreen(ns, ['switch', 'web', '--keep', '3', '--scale-down-delay', '0']);
    assertOk(switched, 'switch --keep 3');
    assert.equal(await selects(ns), '3.0.0');
    const retired = (await storedState<State>(ns)).history.filter((e) => e.event === 'Retired').map((e) => e.message);
    const left = (await getJson<{ items: Deployment[] }>(ns, 'deployments')).items.map((d) => d.metadata.name).sort();
    assert.deepEqual(left, ['web-1-0-0', 'web-2-0-0', 'web-3-0-0'],
      `with --keep 3 (three live versions), 1.0.0 - active until the switch to 2.0.0 - must be kept; retired: ${JSON.stringify(retired)}; retained: ${JSON.stringify((await storedState<State>(ns)).retained)}`);
  });
});
