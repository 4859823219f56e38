// `kubectl canary` when things go wrong, end to end with the real helm 3 and kubectl:
// a version whose pods never become Ready (DESIGN.md scenario 4), and the control
// commands around an indefinite pause: run --timeout (exit 3), promote, abort, retry.
import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { assertOk, canary, deployChart, freshNamespace, getJson, helm, kubectl, type RunResult } from './harness.ts';

const VERSION = 'switchyard.dev/version';

type Labels = Record<string, string>;
interface Meta { name: string; labels?: Labels; annotations?: Labels }
interface Deployment { metadata: Meta; spec: { replicas: number }; status?: { readyReplicas?: number } }
interface Service { metadata: Meta; spec: { selector?: Labels } }
interface RouteRule { matches?: { headers?: unknown[] }[]; backendRefs?: { name: string; weight?: number }[] }
interface HTTPRoute { metadata: Meta; spec: { rules: RouteRule[] } }
interface RolloutStatus { phase: string; stable: string; canary?: string; weight: number; step: { index: number; total: number; description?: string }; message?: string }
interface HistoryEntry { event: string; message: string; version?: string; weight?: number }
interface Event { type: string; reason: string; message: string; involvedObject: { kind: string; name: string } }

/** `helm upgrade --install web` (Helm 3, post-renderer) at `version`; `bad` pods never become Ready. */
function deploy(ns: string, version: string, { bad = false }: { bad?: boolean } = {}): Promise<RunResult> {
  return deployChart(3, ns, version, { extra: bad ? ['--set-string', 'podLabels.switchyard\\.test/never-ready=true'] : [] });
}

async function status(ns: string): Promise<{ code: number; view: RolloutStatus }> {
  const result = await canary(ns, ['status', 'web', '-o', 'json']);
  assert.ok(result.code === 0 || result.code === 1, `status exited ${result.code}: ${result.stderr}`);
  return { code: result.code, view: JSON.parse(result.stdout) as RolloutStatus };
}

async function selected(ns: string): Promise<string | undefined> {
  return (await getJson<Service>(ns, 'service', 'web')).spec.selector?.[VERSION];
}

async function route(ns: string): Promise<{ weights: Record<string, number>; main: { name: string; weight?: number }[] }> {
  const r = await getJson<HTTPRoute>(ns, 'httproute', 'web');
  const main = r.spec.rules.find((rule) => !(rule.matches ?? []).some((m) => (m.headers ?? []).length > 0));
  return { weights: JSON.parse(r.metadata.annotations?.['switchyard.dev/weights'] ?? '{}') as Record<string, number>, main: (main?.backendRefs ?? []).map((b) => ({ name: b.name, weight: b.weight })) };
}

async function replicas(ns: string, name: string): Promise<{ desired: number; ready: number }> {
  const d = await getJson<Deployment>(ns, 'deployment', name);
  return { desired: d.spec.replicas, ready: d.status?.readyReplicas ?? 0 };
}

async function history(ns: string): Promise<HistoryEntry[]> {
  const result = await canary(ns, ['history', 'web', '-o', 'json']);
  assertOk(result, 'history');
  return (JSON.parse(result.stdout) as { entries: HistoryEntry[] }).entries;
}

async function timed(fn: () => Promise<RunResult>): Promise<RunResult & { seconds: number }> {
  const started = performance.now();
  const result = await fn();
  return { ...result, seconds: (performance.now() - started) / 1000 };
}

suite('kubectl canary when a rollout fails or is steered', { concurrency: true }, () => {
  test('a version whose pods never become Ready is rolled back within its deadline; the next version goes out normally (scenario 4)', async (t) => {
    const ns = await freshNamespace(t);
    // Scenario 3 first: 2.0.0 stable, 1.0.0 retained.
    assertOk(await deploy(ns, '1.0.0'), 'install 1.0.0');
    assertOk(await deploy(ns, '2.0.0'), 'upgrade to 2.0.0');
    assertOk(await canary(ns, ['run', 'web', '--wait', '--scale-down-delay', '0'], { timeoutMs: 90_000 }), 'run 2.0.0');
    assert.equal(await selected(ns), '2.0.0');

    assertOk(await deploy(ns, '3.0.0', { bad: true }), 'upgrade to 3.0.0 (never ready)');
    assert.equal(await selected(ns), '2.0.0', 'the upgrade moved no traffic');
    const deadline = 15;
    const ran = await timed(() => canary(ns, ['run', 'web', '--wait', '--progress-deadline', `${deadline}s`], { timeoutMs: 90_000 }));
    t.diagnostic(`run with a ${deadline}s progress deadline exited ${ran.code} after ${ran.seconds.toFixed(1)} s`);
    assert.equal(ran.code, 1, `expected exit 1 (rolled back)\nstdout: ${ran.stdout}\nstderr: ${ran.stderr}`);
    assert.ok(ran.seconds >= deadline, `exited after ${ran.seconds.toFixed(1)} s, before the ${deadline}s deadline`);
    assert.ok(ran.seconds <= deadline + 6, `exited ${ran.seconds.toFixed(1)} s after starting, more than a few seconds past the ${deadline}s deadline`);
    assert.match(ran.stderr, /rolled back to 2\.0\.0/);

    // Traffic is on stable, 3.0.0 is scaled down but kept, an Event says why.
    assert.equal(await selected(ns), '2.0.0');
    const back = await route(ns);
    assert.equal(back.weights['3.0.0'], 0);
    assert.equal(back.weights['2.0.0'], 100);
    assert.deepEqual(back.main, [{ name: 'web', weight: 100 }]);
    assert.equal((await replicas(ns, 'web-3-0-0')).desired, 0, 'web-3-0-0 is scaled to 0');
    const events = await getJson<{ items: Event[] }>(ns, 'events', '--field-selector', 'reason=Aborted');
    const aborted = events.items.filter((e) => e.type === 'Warning' && e.involvedObject.name === 'switchyard.web');
    assert.equal(aborted.length, 1, `expected one Warning Event Aborted, got ${JSON.stringify(events.items)}`);
    assert.match(aborted[0]!.message, /3\.0\.0/);
    const degraded = await status(ns);
    assert.equal(degraded.code, 1, 'status exits 1 for a Degraded app');
    assert.equal(degraded.view.phase, 'Degraded');
    assert.equal(degraded.view.stable, '2.0.0');
    assert.equal(degraded.view.weight, 0);
    assert.match(degraded.view.message ?? '', /progress.deadline/);

    // A later, healthy version goes out normally.
    assertOk(await deploy(ns, '4.0.0'), 'upgrade to 4.0.0');
    assert.equal(await selected(ns), '2.0.0');
    const next = await canary(ns, ['run', 'web', '--wait', '--scale-down-delay', '0'], { timeoutMs: 90_000 });
    assertOk(next, 'run 4.0.0');
    assert.equal(await selected(ns), '4.0.0');
    const healthy = await status(ns);
    assert.equal(healthy.code, 0);
    assert.equal(healthy.view.phase, 'Healthy');
    assert.equal(healthy.view.stable, '4.0.0');
    assert.equal(healthy.view.canary, undefined);
  });

  // A `helm upgrade` deploys 3.0.0 and status shows it Progressing, but nothing has run yet,
  // so the stored rollout state still says Healthy. The control commands must act on what
  // status shows, not on the stored state.
  test('abort right after a helm upgrade aborts the new version', async (t) => {
    const ns = await freshNamespace(t);
    for (const version of ['1.0.0', '2.0.0']) assertOk(await deploy(ns, version), `deploy ${version}`);
    assertOk(await canary(ns, ['run', 'web', '--wait', '--scale-down-delay', '0'], { timeoutMs: 90_000 }), 'run 2.0.0');
    assertOk(await deploy(ns, '3.0.0'), 'upgrade to 3.0.0');
    const pending = (await status(ns)).view;
    assert.equal(pending.phase, 'Progressing');
    assert.equal(pending.canary, '3.0.0');

    const aborted = await canary(ns, ['abort', 'web'], { timeoutMs: 60_000 });
    const after = (await status(ns)).view;
    assert.equal(after.phase, 'Degraded', `abort of the 3.0.0 that status showed in progress did not abort it (exit ${aborted.code}: ${aborted.stderr.trim()})`);
    assert.equal(after.canary, '3.0.0');
    assert.equal(await selected(ns), '2.0.0');
    assert.equal((await replicas(ns, 'web-3-0-0')).desired, 0, 'web-3-0-0 is scaled down');
  });

  test('undo right after a helm upgrade goes back to the previous version, never forward to the new one', async (t) => {
    const ns = await freshNamespace(t);
    for (const version of ['1.0.0', '2.0.0']) assertOk(await deploy(ns, version), `deploy ${version}`);
    assertOk(await canary(ns, ['run', 'web', '--wait', '--scale-down-delay', '0'], { timeoutMs: 90_000 }), 'run 2.0.0');
    assertOk(await deploy(ns, '3.0.0'), 'upgrade to 3.0.0');
    assert.equal((await status(ns)).view.canary, '3.0.0');

    const undo = await canary(ns, ['undo', 'web', '--scale-down-delay', '0'], { timeoutMs: 60_000 });
    const entries = await history(ns);
    const forward = entries.filter((e) => e.version === '3.0.0' && (e.event === 'WeightSet' || e.event === 'Promoted'));
    assert.deepEqual(forward.map((e) => `${e.event} ${e.weight ?? ''}`.trim()), [],
      `undo (exit ${undo.code}) sent traffic to 3.0.0 instead of going back to 1.0.0`);
    assertOk(undo, 'undo');
    assert.equal(await selected(ns), '1.0.0');
    const view = (await status(ns)).view;
    assert.equal(view.stable, '1.0.0');
    assert.equal(view.phase, 'Healthy');
  });

  test('run --timeout at an indefinite pause exits 3; promote continues; abort sends traffic back; retry restarts', async (t) => {
    const ns = await freshNamespace(t);
    assertOk(await deploy(ns, '1.0.0'), 'install 1.0.0');
    assertOk(await deploy(ns, '2.0.0'), 'upgrade to 2.0.0');

    // run gives up at the first pause, leaving the rollout paused at 10%.
    const ran = await timed(() => canary(ns, ['run', 'web', '--wait', '--timeout', '5s', '--steps', '10,pause,50,pause,100'], { timeoutMs: 60_000 }));
    t.diagnostic(`run --timeout 5s exited ${ran.code} after ${ran.seconds.toFixed(1)} s`);
    assert.equal(ran.code, 3, `expected exit 3 (timeout)\nstderr: ${ran.stderr}`);
    assert.ok(ran.seconds >= 5 && ran.seconds <= 12, `run --timeout 5s took ${ran.seconds.toFixed(1)} s`);
    assert.match(ran.stderr, /timed out/);
    const paused = (await status(ns)).view;
    assert.equal(paused.phase, 'Paused');
    assert.equal(paused.weight, 10);
    assert.deepEqual((await route(ns)).weights, { '1.0.0': 90, '2.0.0': 10 });

    // promote skips the pause and runs on to the next one (50%).
    const promoted = await canary(ns, ['promote', 'web'], { timeoutMs: 60_000 });
    assertOk(promoted, 'promote');
    const half = (await status(ns)).view;
    assert.equal(half.phase, 'Paused');
    assert.equal(half.weight, 50);
    assert.equal(half.step.index, 4);
    const halfRoute = await route(ns);
    assert.deepEqual(halfRoute.weights, { '1.0.0': 50, '2.0.0': 50 });
    assert.deepEqual(halfRoute.main, [{ name: 'web', weight: 50 }, { name: 'web-2-0-0', weight: 50 }]);
    assert.equal(await selected(ns), '1.0.0');

    // abort: all traffic back on 1.0.0 at once, 2.0.0 scaled down, Degraded.
    const aborted = await canary(ns, ['abort', 'web'], { timeoutMs: 60_000 });
    const afterAbort = await status(ns);
    assert.equal(afterAbort.view.phase, 'Degraded');
    assert.equal(afterAbort.view.stable, '1.0.0');
    assert.equal(afterAbort.view.weight, 0);
    assert.match(afterAbort.view.message ?? '', /aborted/);
    assert.equal(await selected(ns), '1.0.0');
    const abortRoute = await route(ns);
    assert.equal(abortRoute.weights['2.0.0'], 0);
    assert.deepEqual(abortRoute.main, [{ name: 'web', weight: 100 }]);
    assert.equal((await replicas(ns, 'web-2-0-0')).desired, 0, 'web-2-0-0 is scaled to 0');

    // retry: from the first step again, so 10% and the first pause.
    const retried = await canary(ns, ['retry', 'web'], { timeoutMs: 60_000 });
    assertOk(retried, 'retry');
    const again = (await status(ns)).view;
    assert.equal(again.phase, 'Paused');
    assert.equal(again.canary, '2.0.0');
    assert.equal(again.weight, 10);
    assert.equal(again.step.index, 2);
    assert.deepEqual((await route(ns)).weights, { '1.0.0': 90, '2.0.0': 10 });
    assert.deepEqual(await replicas(ns, 'web-2-0-0'), { desired: 1, ready: 1 });
    const events = (await history(ns)).map((e) => e.event);
    assert.deepEqual(events.filter((e) => ['Paused', 'Promote', 'Aborted', 'Retry'].includes(e)), ['Paused', 'Promote', 'Paused', 'Aborted', 'Retry', 'Paused']);

    // And it can still be finished.
    assertOk(await canary(ns, ['promote', 'web', '--full', '--scale-down-delay', '0'], { timeoutMs: 60_000 }), 'promote --full');
    assert.equal(await selected(ns), '2.0.0');
    assert.equal((await status(ns)).view.phase, 'Healthy');

    // Checked last so that everything above runs whatever abort's exit code: the operator
    // asked for the abort and got it, so it succeeded.
    assertOk(aborted, 'abort (it did what was asked: traffic is back on stable)');
  });
});
