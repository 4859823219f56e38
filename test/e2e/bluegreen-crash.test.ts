// `kill -9` of `kubectl bluegreen switch` (issue 5, item 5; DESIGN.md invariant 5): the
// switch is killed at several points - right after it started, once it holds the lease,
// once its request is recorded, once the stable Service flipped, once the promotion is
// recorded - and a second command converges with exactly one active version, nothing
// half-switched and no version lost. Real helm 3, real kubectl, real plugin mechanism.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import {
  assertOk, bluegreen, deployChart, freshNamespace, getJson, helm, kubectl, spawnChild, storedState,
  toolPaths, waitFor, type Child, type RunResult,
} from './harness.ts';

const VERSION = 'switchyard.dev/version';

type Labels = Record<string, string>;
interface Meta { name: string; labels?: Labels; annotations?: Labels }
interface Deployment { metadata: Meta; spec: { replicas: number }; status?: { readyReplicas?: number } }
interface Service { metadata: Meta; spec: { selector?: Labels } }
interface RouteRule { matches?: { headers?: { name: string; value: string }[] }[]; backendRefs?: { name: string; weight?: number }[] }
interface HTTPRoute { metadata: Meta; spec: { rules: RouteRule[] } }
interface HistoryEntry { at: string; event: string; message: string; version?: string }
interface State { phase: string; stable: string; canary?: string; request?: { kind: string }; retained: { version: string }[]; history: HistoryEntry[] }
interface RolloutStatus { phase: string; stable: string; canary?: string; versions: { version: string; role: string }[] }
interface Lease { spec: { holderIdentity?: string } }
interface WatchEvent<T> { type: string; object: T }

function deploy(ns: string, version: string): Promise<RunResult> {
  return deployChart(3, ns, version, { extra: ['--post-renderer-args=--strategy=bluegreen'] });
}

function watch(ns: string, args: string[]): Child {
  return spawnChild(toolPaths.kubectl, ['-n', ns, 'get', ...args, '--watch', '--output-watch-events', '-o', 'json']);
}

/** The newest object a watch has printed (complete lines only). */
function latest<T>(child: Child): T | undefined {
  const last = child.stdout.split('\n').slice(0, -1).filter((line) => line.trim() !== '').at(-1);
  return last === undefined ? undefined : (JSON.parse(last) as WatchEvent<T>).object;
}

/** What the cluster shows of one switch, in the order a switch gets there. */
interface Seen { lease: boolean; request: boolean; flip: boolean; promoted: boolean }

/** The points to kill at, in order; each is a predicate on what the watches show. */
const POINTS: { name: string; reached: (seen: Seen) => boolean }[] = [
  { name: 'start', reached: () => true },
  { name: 'lease', reached: (s) => s.lease },
  { name: 'request', reached: (s) => s.request },
  { name: 'flip', reached: (s) => s.flip },
  { name: 'promoted', reached: (s) => s.promoted },
];
const furthest = (seen: Seen): number => POINTS.reduce((max, point, i) => (point.reached(seen) ? i : max), -1);

suite('kubectl bluegreen switch under kill -9', { concurrency: true }, () => {
  test('kill -9 during switch at each point, then switch again converges with exactly one active version (item 5)', { concurrency: true }, async (t) => {
    const hits: string[] = [];
    await Promise.all(POINTS.map((point, target) => t.test(`killed at ${point.name}`, async (t) => {
      const ns = await freshNamespace(t);
      assertOk(await deploy(ns, '1.0.0'), 'install 1.0.0');
      assertOk(await deploy(ns, '2.0.0'), 'upgrade to 2.0.0');
      assertOk(await bluegreen(ns, ['run', 'web', '--wait']), 'run --wait: the preview is ready');
      const before = await storedState<State>(ns);
      const known = before.history.length;

      const leaseWatch = watch(ns, ['leases', '--field-selector', 'metadata.name=switchyard.web']);
      const stateWatch = watch(ns, ['configmaps', '--field-selector', 'metadata.name=switchyard.web']);
      const serviceWatch = watch(ns, ['services', '--field-selector', 'metadata.name=web']);
      t.after(() => { for (const w of [leaseWatch, stateWatch, serviceWatch]) w.kill('SIGKILL'); });
      await waitFor(() => latest(stateWatch) !== undefined && latest(serviceWatch) !== undefined, { intervalMs: 20 });

      const driver = spawnChild(toolPaths.kubectl, ['bluegreen', 'switch', 'web', '--scale-down-delay', '3s', '-n', ns]);
      t.after(() => driver.kill('SIGKILL'));
      let exitedByItself = false;
      void driver.exited.then(() => { exitedByItself = true; });
      const seen = (): Seen => {
        const lease = latest<Lease>(leaseWatch);
        const data = latest<{ data: { state: string } }>(stateWatch)?.data.state;
        const s = data === undefined ? undefined : JSON.parse(data) as State;
        const fresh = s?.history.slice(known) ?? [];
        return {
          lease: (lease?.spec.holderIdentity ?? '').endsWith(`/${driver.pid}`),
          request: s?.request?.kind === 'promote-full' || fresh.some((e) => e.event === 'Promote'),
          flip: latest<Service>(serviceWatch)?.spec.selector?.[VERSION] === '2.0.0',
          promoted: fresh.some((e) => e.event === 'Promoted'),
        };
      };
      await waitFor(() => exitedByItself || furthest(seen()) >= target, { timeoutMs: 60_000, intervalMs: 5 });
      driver.kill('SIGKILL');
      const killed = await driver.exited;
      // Where the kill landed, read back from the API server (the watches may lag behind).
      const [leaseNow, stateNow, serviceNow] = await Promise.all([
        getJson<Lease>(ns, 'lease', 'switchyard.web').catch(() => undefined),
        storedState<State>(ns),
        getJson<Service>(ns, 'service', 'web'),
      ]);
      const freshNow = stateNow.history.slice(known);
      const at: Seen = {
        lease: (leaseNow?.spec.holderIdentity ?? '').endsWith(`/${driver.pid}`),
        request: stateNow.request?.kind === 'promote-full' || freshNow.some((e) => e.event === 'Promote'),
        flip: serviceNow.spec.selector?.[VERSION] === '2.0.0',
        promoted: freshNow.some((e) => e.event === 'Promoted'),
      };
      const hit = killed.code === 128 + 9 ? POINTS[Math.max(0, furthest(at))]!.name : `none: switch exited ${killed.code} by itself first`;
      hits.push(`${point.name} -> ${hit}`);
      t.diagnostic(`intended: ${point.name}; hit: ${hit} (${JSON.stringify(at)})`);
      if (killed.code === 128 + 9) assert.ok(furthest(at) >= target, `killed before ${point.name}`);

      // Again: switch; if it says there is nothing to switch (the flip happened), run --wait settles.
      const again = await bluegreen(ns, ['switch', 'web', '--scale-down-delay', '1s']);
      let how = 'switch';
      if (again.code !== 0) {
        assert.match(again.stderr, /web has no rollout in progress \(phase Healthy, stable 2\.0\.0\)/,
          `the second switch failed for another reason than "already switched": exit ${again.code}\n${again.stderr}`);
        how = 'switch (exit 1: no rollout in progress), then run --wait';
        assertOk(await bluegreen(ns, ['run', 'web', '--wait', '--scale-down-delay', '1s']), 'run --wait after the second switch found nothing to switch');
      }
      t.diagnostic(`converged with: ${how}`);
      for (const w of [leaseWatch, stateWatch, serviceWatch]) w.kill('SIGKILL');

      // Exactly one active version: the stable Service selects 2.0.0 ...
      const stable = await getJson<Service>(ns, 'service', 'web');
      assert.equal(stable.spec.selector?.[VERSION], '2.0.0');
      // ... the route's weights sum to 100 with 2.0.0 at 100, and no rule splits the main traffic ...
      const httproute = await getJson<HTTPRoute>(ns, 'httproute', 'web');
      const weights = JSON.parse(httproute.metadata.annotations?.['switchyard.dev/weights'] ?? '{}') as Record<string, number>;
      assert.equal(Object.values(weights).reduce((a, b) => a + b, 0), 100, `weights ${JSON.stringify(weights)} sum to 100`);
      assert.deepEqual(weights, { '2.0.0': 100, '1.0.0': 0 });
      const main = httproute.spec.rules.filter((rule) => !(rule.matches ?? []).some((m) => (m.headers ?? []).length > 0));
      assert.deepEqual(main.map((rule) => rule.backendRefs?.map((b) => ({ name: b.name, weight: b.weight }))), [[{ name: 'web', weight: 100 }]], 'no half-switched route');
      // ... the preview Service is gone, and status says Healthy with 2.0.0 stable.
      const preview = await kubectl(['-n', ns, 'get', 'service', 'web-preview', '--ignore-not-found', '-o', 'name']);
      assert.equal(preview.stdout.trim(), '', 'no preview Service is left');
      const status = await bluegreen(ns, ['status', 'web', '-o', 'json']);
      assertOk(status, 'status');
      const view = JSON.parse(status.stdout) as RolloutStatus;
      assert.equal(view.phase, 'Healthy');
      assert.equal(view.stable, '2.0.0');
      assert.equal(view.canary, undefined);
      assert.deepEqual(view.versions.map((v) => [v.version, v.role]).sort(), [['1.0.0', 'retained'], ['2.0.0', 'stable']]);

      // No version lost: both Deployments, both per-version Services, and a header rule for
      // each version that runs pods (1.0.0 may have been scaled down once its delay passed).
      const deployments = (await getJson<{ items: Deployment[] }>(ns, 'deployments')).items;
      assert.deepEqual(deployments.map((d) => d.metadata.name).sort(), ['web-1-0-0', 'web-2-0-0']);
      assert.equal(deployments.find((d) => d.metadata.name === 'web-2-0-0')?.status?.readyReplicas, 2);
      for (const version of ['1.0.0', '2.0.0']) {
        const name = `web-${version.replaceAll('.', '-')}`;
        assert.equal((await getJson<Service>(ns, 'service', name)).spec.selector?.[VERSION], version);
        const rule = httproute.spec.rules.find((r) => (r.matches ?? []).some((m) => (m.headers ?? []).some((h) => h.name === 'x-version' && h.value === version)));
        const running = (deployments.find((d) => d.metadata.name === name)?.spec.replicas ?? 0) > 0;
        assert.deepEqual(rule?.backendRefs?.map((b) => b.name), running ? [name] : undefined, `x-version: ${version} routes to ${name} exactly while it runs pods`);
      }
      const final = await storedState<State>(ns);
      assert.equal(final.history.filter((e) => e.event === 'Promoted' && e.version === '2.0.0').length, 1,
        `promoted exactly once: ${final.history.slice(known).map((e) => e.event).join(', ')}`);
      assert.deepEqual(final.retained.map((r) => r.version), ['1.0.0']);
      const lease = await getJson<Lease>(ns, 'lease', 'switchyard.web');
      assert.equal(lease.spec.holderIdentity ?? '', '', 'the lease is free after the second command');
    })));
    t.diagnostic(`kill points (intended -> hit): ${hits.join('; ')}`);
  });
});
