// `kubectl canary` under concurrency and crashes (DESIGN.md scenario 9, invariant 5):
// a second run refuses while the lease is held, and a run killed with SIGKILL at each
// step of a rollout is finished by the next run, with no lost version and no
// half-switched route. Real helm 3, real kubectl, real plugin mechanism.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import {
  assertOk, canary, deployChart, freshNamespace, getJson, helm, kubectl, spawnChild, storedState, toolPaths,
  waitFor, type Child, type RunResult,
} from './harness.ts';

const VERSION = 'switchyard.dev/version';

type Labels = Record<string, string>;
interface Meta { name: string; labels?: Labels; annotations?: Labels }
interface Deployment { metadata: Meta; spec: { replicas: number }; status?: { readyReplicas?: number } }
interface Service { metadata: Meta; spec: { selector?: Labels } }
interface RouteRule { matches?: { headers?: unknown[] }[]; backendRefs?: { name: string; weight?: number }[] }
interface HTTPRoute { metadata: Meta; spec: { rules: RouteRule[] } }
interface RolloutStatus { phase: string; stable: string; canary?: string; weight: number; message?: string; versions: { version: string; role: string }[] }
interface HistoryEntry { event: string; message: string; version?: string; weight?: number }
interface State { phase: string; stable: string; canary?: string; weight: number; step: number; history: HistoryEntry[] }
interface Lease { spec: { holderIdentity?: string; acquireTime?: string; renewTime?: string } }

/** `kubectl canary <args>` left running, so the test can kill it. */
function startCanary(ns: string, args: string[]): Child {
  return spawnChild(toolPaths.kubectl, ['canary', ...args, '-n', ns]);
}

function deploy(ns: string, version: string): Promise<RunResult> {
  return deployChart(3, ns, version);
}

async function status(ns: string): Promise<{ code: number; view: RolloutStatus }> {
  const result = await canary(ns, ['status', 'web', '-o', 'json']);
  assert.ok(result.code === 0 || result.code === 1, `status exited ${result.code}: ${result.stderr}`);
  return { code: result.code, view: JSON.parse(result.stdout) as RolloutStatus };
}

/**
 * Watches the state ConfigMap (`kubectl get -w`, one JSON event a line) and returns a
 * function that gives the newest state seen so far, or undefined before the first.
 */
function watchState(ns: string): { latest: () => State | undefined; child: Child } {
  const child = spawnChild(toolPaths.kubectl, ['-n', ns, 'get', 'configmaps', '--field-selector', 'metadata.name=switchyard.web',
    '--watch', '--output-watch-events', '-o', 'json']);
  const latest = (): State | undefined => {
    const complete = child.stdout.split('\n').slice(0, -1).filter((line) => line.trim() !== '');
    const last = complete.at(-1);
    if (last === undefined) return undefined;
    return JSON.parse((JSON.parse(last) as { object: { data: { state: string } } }).object.data.state) as State;
  };
  return { latest, child };
}

suite('kubectl canary under concurrency and crashes', { concurrency: true }, () => {
  test('a second run refuses while another run drives the app (scenario 9)', async (t) => {
    const ns = await freshNamespace(t);
    assertOk(await deploy(ns, '1.0.0'), 'install 1.0.0');
    assertOk(await deploy(ns, '2.0.0'), 'upgrade to 2.0.0');
    const driver = startCanary(ns, ['run', 'web', '--wait', '--steps', '10,pause,100', '--scale-down-delay', '0']);
    t.after(() => driver.kill('SIGKILL'));
    await waitFor(async () => (await storedState<State>(ns)).phase === 'Paused', { timeoutMs: 60_000 });

    const second = await canary(ns, ['run', 'web', '--wait', '--steps', '10,pause,100'], { timeoutMs: 60_000 });
    assert.notEqual(second.code, 0, `the second run must refuse\nstdout: ${second.stdout}\nstderr: ${second.stderr}`);
    assert.equal(second.code, 1, 'a refused lease exits 1');
    assert.match(second.stderr, /is being driven by .* since/);
    assert.match(second.stderr, new RegExp(`/${driver.pid} since`), 'the message names the driving process');
    const held = await storedState<State>(ns);
    assert.equal(held.phase, 'Paused', 'the refused run changed nothing');
    assert.equal(held.weight, 10);

    // The holder carries out a promote requested from elsewhere and finishes.
    const promote = await canary(ns, ['promote', 'web'], { timeoutMs: 60_000 });
    assertOk(promote, 'promote while another run holds the lease');
    assert.match(promote.stderr, /requested/);
    const finished = await driver.exited;
    assertOk(finished, 'the first run, after promote');
    const view = (await status(ns)).view;
    assert.equal(view.phase, 'Healthy');
    assert.equal(view.stable, '2.0.0');
  });

  // The points to kill at, in rollout order. Pauses of 1.5 s around every weight step (and
  // the pods' start-up around the scale-up) leave time to kill a run once its state shows a
  // point and before the next one; a kill may still land a little later, so what each kill
  // hit is read back from the state afterwards.
  const STEPS = 'pause:1500ms,10,pause:1500ms,25,pause:1500ms,50,pause:1500ms,100,pause:1500ms';
  const POINTS: { name: string; is: (e: HistoryEntry) => boolean }[] = [
    { name: 'RolloutStarted', is: (e) => e.event === 'RolloutStarted' },
    { name: 'WeightSet 10', is: (e) => e.event === 'WeightSet' && e.weight === 10 },
    { name: 'WeightSet 25', is: (e) => e.event === 'WeightSet' && e.weight === 25 },
    { name: 'WeightSet 50', is: (e) => e.event === 'WeightSet' && e.weight === 50 },
    { name: 'Scaled', is: (e) => e.event === 'Scaled' && e.version === '2.0.0' },
    { name: 'WeightSet 100', is: (e) => e.event === 'WeightSet' && e.weight === 100 },
    { name: 'Promoted', is: (e) => e.event === 'Promoted' },
  ];
  /** The furthest point a history has reached: an index into POINTS, -1 for none. */
  const reached = (history: HistoryEntry[]): number => POINTS.reduce((max, point, i) => (history.some(point.is) ? i : max), -1);

  test('kill -9 of a run at each step, then a new run converges (scenario 9, invariant 5)', { concurrency: true }, async (t) => {
    const hits: { intended: string; hit: string; index: number }[] = [];
    await Promise.all(POINTS.map((point, target) => t.test(`killed after ${point.name}`, async (t) => {
      const ns = await freshNamespace(t);
      assertOk(await deploy(ns, '1.0.0'), 'install 1.0.0');
      assertOk(await deploy(ns, '2.0.0'), 'upgrade to 2.0.0');
      const watcher = watchState(ns);
      t.after(() => watcher.child.kill('SIGKILL'));

      const driver = startCanary(ns, ['run', 'web', '--wait', '--steps', STEPS, '--scale-down-delay', '2s']);
      t.after(() => driver.kill('SIGKILL'));
      await waitFor(() => reached(watcher.latest()?.history ?? []) >= target, { timeoutMs: 60_000, intervalMs: 10 });
      driver.kill('SIGKILL');
      const killed = await driver.exited;
      assert.equal(killed.code, 128 + 9, `the run had already ended before the kill\nstderr: ${killed.stderr}`);

      // Where the kill landed, from the state it left behind.
      const left = await storedState<State>(ns);
      const index = reached(left.history);
      const hit = POINTS[index]?.name ?? 'nothing';
      hits.push({ intended: point.name, hit, index });
      t.diagnostic(`intended: after ${point.name}; hit: after ${hit} (last event ${left.history.at(-1)?.event}, phase ${left.phase}, weight ${left.weight})`);
      assert.ok(index >= target, `killed at ${hit}, before ${point.name}`);
      // The killed process was the driver: the lease still names it — unless the kill came
      // after the run's last write, the lease's release, which only follows the promotion.
      const lease = await getJson<Lease>(ns, 'lease', 'switchyard.web');
      const holder = lease.spec.holderIdentity ?? '';
      if (holder !== '' || index < POINTS.length - 1) assert.match(holder, new RegExp(`/${driver.pid}$`), 'the lease names the killed run');

      // --wait-scale-down: a kill after the promotion leaves 1.0.0's scale-down pending (due
      // 2 s after it); the converging run waits for it, so everything below holds at once.
      const second = startCanary(ns, ['run', 'web', '--wait', '--scale-down-delay', '0', '--wait-scale-down']);
      t.after(() => second.kill('SIGKILL'));
      assertOk(await second.exited, 'the run after the kill');

      // One stable version, all traffic on it, no canary, nothing lost.
      const { code, view } = await status(ns);
      assert.equal(code, 0);
      assert.equal(view.phase, 'Healthy');
      assert.equal(view.stable, '2.0.0');
      assert.equal(view.canary, undefined);
      assert.equal(view.weight, 0);
      assert.equal((await getJson<Service>(ns, 'service', 'web')).spec.selector?.[VERSION], '2.0.0');
      const httproute = await getJson<HTTPRoute>(ns, 'httproute', 'web');
      assert.deepEqual(JSON.parse(httproute.metadata.annotations?.['switchyard.dev/weights'] ?? '{}'), { '2.0.0': 100, '1.0.0': 0 });
      const main = httproute.spec.rules.find((rule) => !(rule.matches ?? []).some((m) => (m.headers ?? []).length > 0));
      assert.deepEqual(main?.backendRefs?.map((b) => ({ name: b.name, weight: b.weight })), [{ name: 'web', weight: 100 }], 'no half-switched route');
      const deployments = (await getJson<{ items: Deployment[] }>(ns, 'deployments')).items;
      assert.deepEqual(deployments.map((d) => d.metadata.name).sort(), ['web-1-0-0', 'web-2-0-0'], 'no version lost');
      const current = deployments.find((d) => d.metadata.name === 'web-2-0-0')!;
      assert.equal(current.spec.replicas, 2);
      assert.equal(current.status?.readyReplicas, 2);
      assert.equal(deployments.find((d) => d.metadata.name === 'web-1-0-0')!.spec.replicas, 0, '1.0.0 is scaled down and kept');
      const final = await storedState<State>(ns);
      assert.equal(final.history.filter((e) => e.event === 'Promoted').length, 1, `promoted exactly once: ${final.history.map((e) => e.event).join(', ')}`);
      const after = await getJson<Lease>(ns, 'lease', 'switchyard.web');
      assert.equal(after.spec.holderIdentity ?? '', '',
        `the lease is still held after the second run (pid ${second.pid}) exited 0; the killed run was pid ${driver.pid}: ${JSON.stringify(after.spec)}`);
      await waitFor(async () => {
        const slices = await getJson<{ items: { endpoints?: { conditions?: { ready?: boolean }; targetRef?: { name: string } }[] }[] }>(ns, 'endpointslices', '-l', 'kubernetes.io/service-name=web');
        const pods = slices.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready === true).map((e) => e.targetRef?.name ?? '');
        return pods.length === 2 && pods.every((p) => p.startsWith('web-2-0-0-'));
      }, { timeoutMs: 15_000 });
    })));

    t.diagnostic(`kill points: ${hits.sort((a, b) => a.index - b.index).map((h) => `${h.intended} -> ${h.hit}`).join('; ')}`);
    assert.equal(hits.length, POINTS.length, 'every kill subtest got as far as the kill');
    assert.equal(new Set(hits.map((h) => h.index)).size, POINTS.length, `two kills landed in the same step: ${JSON.stringify(hits)}`);
  });
});
