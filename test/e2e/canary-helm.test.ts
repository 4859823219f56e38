// `kubectl canary` end to end with the real helm 3 and 4 and the real kubectl plugin
// mechanism: DESIGN.md scenarios 1-3 under both Helms (10), undo (5), adoption (7),
// no Helm (8), `list -A`, and invariant 2 (a Helm upgrade never moves traffic).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import {
  assertOk, canary, chartDir, deployChart, freshNamespace, getJson, helm, kubectl, spawnChild, toolPaths,
  waitFor, type Child, type HelmMajor, type RunResult,
} from './harness.ts';

const VERSION = 'switchyard.dev/version';

// ---- the objects and documents the tests read ----

type Labels = Record<string, string>;
interface Meta { name: string; resourceVersion?: string; labels?: Labels; annotations?: Labels }
interface Deployment { metadata: Meta; spec: { replicas: number; template: { spec: { containers: { image: string }[] } } }; status?: { readyReplicas?: number } }
interface Service { metadata: Meta; spec: { selector?: Labels } }
interface RouteRule { name?: string; matches?: { headers?: { name: string; value: string }[] }[]; backendRefs?: { name: string; weight?: number }[] }
interface HTTPRoute { metadata: Meta; spec: { rules: RouteRule[] } }
interface VersionStatus { version: string; role: string; deployment: string; replicas: number; readyReplicas: number; weight: number }
interface RolloutStatus {
  apiVersion: string; kind: string; app: string; namespace: string; phase: string; stable: string; canary?: string; weight: number;
  step: { index: number; total: number; description?: string }; message?: string; versions: VersionStatus[];
}
interface HistoryEntry { event: string; message: string; version?: string; weight?: number }

// ---- helpers ----

/** `kubectl canary <args> -n <ns>` through kubectl's plugin mechanism. */

/** `helm upgrade --install web testdata/chart` at `version`, with the post-renderer unless `plain`. */
function deploy(major: HelmMajor, ns: string, version: string, { plain = false, release = 'web' }: { plain?: boolean; release?: string } = {}): Promise<RunResult> {
  return deployChart(major, ns, version, { postRender: !plain, release });
}

async function status(ns: string, app = 'web'): Promise<{ code: number; view: RolloutStatus }> {
  const result = await canary(ns, ['status', app, '-o', 'json']);
  assert.ok(result.code === 0 || result.code === 1, `status exited ${result.code}: ${result.stderr}`);
  return { code: result.code, view: JSON.parse(result.stdout) as RolloutStatus };
}

/** The version the stable Service `web` selects. */
async function selected(ns: string): Promise<string | undefined> {
  return (await getJson<Service>(ns, 'service', 'web')).spec.selector?.[VERSION];
}

/** The weights switchyard records on the HTTPRoute, and the backends of its main (header-less) rule. */
async function route(ns: string): Promise<{ weights: Record<string, number>; main: { name: string; weight?: number }[]; rules: RouteRule[] }> {
  const r = await getJson<HTTPRoute>(ns, 'httproute', 'web');
  const main = r.spec.rules.find((rule) => !(rule.matches ?? []).some((m) => (m.headers ?? []).length > 0));
  return { weights: JSON.parse(r.metadata.annotations?.['switchyard.dev/weights'] ?? '{}') as Record<string, number>, main: (main?.backendRefs ?? []).map((b) => ({ name: b.name, weight: b.weight })), rules: r.spec.rules };
}

async function history(ns: string): Promise<HistoryEntry[]> {
  const result = await canary(ns, ['history', 'web', '-o', 'json']);
  assertOk(result, 'history');
  return (JSON.parse(result.stdout) as { entries: HistoryEntry[] }).entries;
}

/** Names of the app's Deployments. */
async function deployments(ns: string): Promise<string[]> {
  return (await getJson<{ items: Deployment[] }>(ns, 'deployments')).items.map((d) => d.metadata.name).sort();
}

/** Lines of `kubectl get … -w -o json --output-watch-events`, parsed, from a background child. */
function watchEvents<T>(child: Child): { type: string; object: T }[] {
  return child.stdout.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as { type: string; object: T });
}

function watch(ns: string, args: string[]): Child {
  return spawnChild(toolPaths.kubectl, ['-n', ns, 'get', ...args, '--watch', '--output-watch-events', '-o', 'json']);
}

/** What a Helm upgrade must leave alone: the specs of the app's objects, the route's weights and the rollout state. */
async function snapshot(ns: string): Promise<unknown> {
  const [deploys, services, httproute, state] = await Promise.all([
    getJson<{ items: { metadata: Meta; spec: unknown }[] }>(ns, 'deployments'),
    getJson<{ items: { metadata: Meta; spec: unknown }[] }>(ns, 'services'),
    getJson<HTTPRoute>(ns, 'httproute', 'web'),
    getJson<{ data: { state: string } }>(ns, 'configmap', 'switchyard.web'),
  ]);
  return {
    deployments: Object.fromEntries(deploys.items.map((d) => [d.metadata.name, d.spec])),
    services: Object.fromEntries(services.items.map((s) => [s.metadata.name, s.spec])),
    route: { spec: httproute.spec, weights: httproute.metadata.annotations?.['switchyard.dev/weights'] },
    state: state.data.state,
  };
}

// ---- scenarios 1-3 under Helm 3 and Helm 4 (scenario 10), and invariant 2 ----

suite('kubectl canary with helm', { concurrency: true }, () => {
  for (const major of [3, 4] as const) {
    test(`Helm ${major}: first install, upgrade, canary run, and an upgrade with the same values (scenarios 1-3, 10)`, async (t) => {
      const ns = await freshNamespace(t);

      // Scenario 1: the first install makes 1.0.0 stable at once.
      assertOk(await deploy(major, ns, '1.0.0'), `helm ${major} install 1.0.0`);
      const installed = await canary(ns, ['status', 'web']);
      assertOk(installed, 'status after the first install');
      assert.match(installed.stdout, /^Phase:\s+Healthy$/m);
      const first = await status(ns);
      assert.equal(first.code, 0);
      assert.equal(first.view.phase, 'Healthy');
      assert.equal(first.view.stable, '1.0.0');
      assert.equal(first.view.canary, undefined);
      assert.equal(await selected(ns), '1.0.0');

      // Scenario 2: 2.0.0 runs beside 1.0.0 with 0% of traffic, reachable by its header.
      assertOk(await deploy(major, ns, '2.0.0'), `helm ${major} upgrade to 2.0.0`);
      assertOk(await kubectl(['-n', ns, 'wait', '--for=condition=Available', 'deployment/web-2-0-0', '--timeout=30s']), 'web-2-0-0 available');
      assert.equal(await selected(ns), '1.0.0', 'the stable Service still selects 1.0.0 after the upgrade');
      const upgraded = await route(ns);
      assert.equal(upgraded.weights['1.0.0'], 100);
      assert.equal(upgraded.weights['2.0.0'], 0);
      assert.deepEqual(upgraded.main, [{ name: 'web', weight: 100 }], 'all traffic of the main rule goes to the stable Service');
      const headerRule = upgraded.rules.find((rule) => (rule.matches ?? []).some((m) => (m.headers ?? []).some((h) => h.name === 'x-version' && h.value === '2.0.0')));
      assert.ok(headerRule !== undefined, `no x-version: 2.0.0 rule in ${JSON.stringify(upgraded.rules)}`);
      assert.deepEqual(headerRule.backendRefs?.map((b) => b.name), ['web-2-0-0']);
      assert.equal((await getJson<Service>(ns, 'service', 'web-2-0-0')).spec.selector?.[VERSION], '2.0.0');
      const pending = await status(ns);
      assert.equal(pending.view.stable, '1.0.0');
      assert.equal(pending.view.canary, '2.0.0');
      assert.equal(pending.view.weight, 0);
      assert.equal(pending.view.versions.find((v) => v.version === '2.0.0')?.weight, 0);

      // Scenario 3: run steps the weights, promotes 2.0.0 and keeps 1.0.0 scaled down.
      const ran = await canary(ns, ['run', 'web', '--wait', '--scale-down-delay', '0'], { timeoutMs: 90_000 });
      assertOk(ran, 'kubectl canary run web --wait');
      assert.equal(await selected(ns), '2.0.0');
      const promoted = await route(ns);
      assert.equal(promoted.weights['2.0.0'], 100);
      for (const [version, weight] of Object.entries(promoted.weights)) if (version !== '2.0.0') assert.equal(weight, 0, `weight of ${version}`);
      assert.deepEqual(promoted.main, [{ name: 'web', weight: 100 }]);
      const old = await getJson<Deployment>(ns, 'deployment', 'web-1-0-0');
      assert.equal(old.spec.replicas, 0, 'web-1-0-0 is scaled to 0');
      const done = await status(ns);
      assert.equal(done.code, 0);
      assert.equal(done.view.phase, 'Healthy');
      assert.equal(done.view.stable, '2.0.0');
      assert.equal(done.view.canary, undefined);
      assert.equal(done.view.versions.find((v) => v.version === '1.0.0')?.role, 'retained');
      const steps = (await history(ns)).filter((e) => e.event === 'WeightSet' && e.version === '2.0.0').map((e) => e.weight);
      assert.deepEqual(steps, [10, 25, 50, 100], 'the weights were stepped');

      // Invariant 2: an upgrade with the same values changes nothing switchyard set.
      const before = await snapshot(ns);
      const again = await deploy(major, ns, '2.0.0');
      assertOk(again, `helm ${major} upgrade with the same values after the promotion`);
      assert.deepEqual(await snapshot(ns), before, 'the repeated helm upgrade changed selectors, weights, replicas or the state');
      assert.deepEqual(await deployments(ns), ['web-1-0-0', 'web-2-0-0']);
      const after = await status(ns);
      assert.equal(after.view.phase, 'Healthy');
      assert.equal(after.view.stable, '2.0.0');
    });
  }

  test('the result that run -o json prints is the state the run ended in', async (t) => {
    const ns = await freshNamespace(t);
    assertOk(await deploy(3, ns, '1.0.0'), 'install 1.0.0');
    assertOk(await deploy(3, ns, '2.0.0'), 'upgrade to 2.0.0');
    const ran = await canary(ns, ['run', 'web', '--wait', '--scale-down-delay', '0', '-o', 'json'], { timeoutMs: 90_000 });
    assertOk(ran, 'run -o json');
    const printed = JSON.parse(ran.stdout) as RolloutStatus;
    assert.equal(printed.phase, 'Healthy');
    assert.equal(printed.stable, '2.0.0');
    assert.equal((await getJson<Deployment>(ns, 'deployment', 'web-1-0-0')).spec.replicas, 0, 'the run scaled 1.0.0 down before it exited');
    // The run scaled 1.0.0 to 0 before exiting, so its result must say so.
    assert.equal(printed.versions.find((v) => v.version === '1.0.0')?.replicas, 0,
      `run -o json reports the retained 1.0.0 with the replicas it had before the run scaled it down: ${JSON.stringify(printed.versions)}`);
  });

  // ---- scenario 5 ----

  test('undo after a promotion scales the previous version up, waits until it is ready, then flips back (scenario 5)', async (t) => {
    const ns = await freshNamespace(t);
    assertOk(await deploy(3, ns, '1.0.0'), 'install 1.0.0');
    assertOk(await deploy(3, ns, '2.0.0'), 'upgrade to 2.0.0');
    assertOk(await canary(ns, ['run', 'web', '--wait', '--scale-down-delay', '0'], { timeoutMs: 90_000 }), 'run');
    assert.equal((await getJson<Deployment>(ns, 'deployment', 'web-1-0-0')).spec.replicas, 0, 'precondition: 1.0.0 is scaled down');

    const deploymentWatch = watch(ns, ['deployments', '-l', 'switchyard.dev/app=web']);
    const serviceWatch = watch(ns, ['services', '--field-selector', 'metadata.name=web']);
    t.after(() => { deploymentWatch.kill('SIGKILL'); serviceWatch.kill('SIGKILL'); });
    // Both watches list what exists first; wait for that so no later change is missed.
    await waitFor(() => deploymentWatch.stdout.includes('web-1-0-0') && serviceWatch.stdout.includes('"web"'), { intervalMs: 50 });

    const started = performance.now();
    const undo = await canary(ns, ['undo', 'web'], { timeoutMs: 90_000 });
    const seconds = (performance.now() - started) / 1000;
    t.diagnostic(`undo took ${seconds.toFixed(1)} s`);
    assertOk(undo, 'kubectl canary undo web');
    deploymentWatch.kill('SIGKILL');
    serviceWatch.kill('SIGKILL');
    await Promise.all([deploymentWatch.exited, serviceWatch.exited]);

    assert.equal(await selected(ns), '1.0.0');
    const back = await route(ns);
    assert.equal(back.weights['1.0.0'], 100);
    assert.equal(back.weights['2.0.0'], 0);
    assert.deepEqual(back.main, [{ name: 'web', weight: 100 }]);
    const previous = await getJson<Deployment>(ns, 'deployment', 'web-1-0-0');
    assert.ok((previous.status?.readyReplicas ?? 0) > 0, 'web-1-0-0 has ready pods');
    const view = (await status(ns)).view;
    assert.equal(view.phase, 'Healthy');
    assert.equal(view.stable, '1.0.0');
    assert.equal(view.versions.find((v) => v.version === '2.0.0')?.role, 'retained');
    assert.deepEqual(await deployments(ns), ['web-1-0-0', 'web-2-0-0'], '2.0.0 is kept for a roll forward');

    // The history: Undo, then 1.0.0 scaled up, then the flip (Promoted).
    const entries = await history(ns);
    const undoAt = entries.findIndex((e) => e.event === 'Undo');
    const scaledAt = entries.findIndex((e, i) => i > undoAt && e.event === 'Scaled' && e.version === '1.0.0');
    const flippedAt = entries.findIndex((e, i) => i > undoAt && e.event === 'Promoted' && e.version === '1.0.0');
    assert.ok(undoAt >= 0 && scaledAt > undoAt && flippedAt > scaledAt, `expected Undo < Scaled 1.0.0 < Promoted 1.0.0 in ${entries.map((e) => `${e.event} ${e.version ?? ''}`).join(', ')}`);

    // The watches: when the Service first selected 1.0.0, web-1-0-0 already had ready pods.
    // (The resourceVersions of one etcd are its revisions, so they order writes to different
    // objects here; the API itself only promises opaque strings.)
    const flip = watchEvents<Service>(serviceWatch).find((e) => e.object.spec.selector?.[VERSION] === '1.0.0');
    assert.ok(flip !== undefined, 'the watch saw the Service select 1.0.0');
    const flipRevision = Number(flip.object.metadata.resourceVersion);
    const before = watchEvents<Deployment>(deploymentWatch).filter((e) => e.object.metadata.name === 'web-1-0-0' && Number(e.object.metadata.resourceVersion) < flipRevision);
    const last = before.at(-1)?.object;
    assert.ok(last !== undefined, 'the watch saw web-1-0-0 before the flip');
    assert.ok(last.spec.replicas > 0 && (last.status?.readyReplicas ?? 0) >= last.spec.replicas,
      `at the flip web-1-0-0 had ${last.status?.readyReplicas ?? 0}/${last.spec.replicas} ready pods`);
  });

  // ---- scenario 7 ----

  test('a release installed without the post-renderer is adopted and keeps serving until 2.0.0 is promoted (scenario 7)', async (t) => {
    const ns = await freshNamespace(t);
    assertOk(await deploy(3, ns, '1.0.0', { plain: true }), 'install 1.0.0 without the post-renderer');
    assertOk(await kubectl(['-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=60s']), 'web rolled out');

    const slices = watch(ns, ['endpointslices', '-l', 'kubernetes.io/service-name=web']);
    t.after(() => slices.kill('SIGKILL'));
    /** The ready pods behind Service web after each watch event (all of its slices together). */
    const readyPods = (): string[][] => {
      const bySlice = new Map<string, string[]>();
      const timeline: string[][] = [];
      for (const e of watchEvents<{ metadata: Meta; endpoints?: { conditions?: { ready?: boolean }; targetRef?: { name: string } }[] }>(slices)) {
        if (e.type === 'DELETED') bySlice.delete(e.object.metadata.name);
        else bySlice.set(e.object.metadata.name, (e.object.endpoints ?? []).filter((ep) => ep.conditions?.ready === true).map((ep) => ep.targetRef?.name ?? '?'));
        timeline.push([...bySlice.values()].flat());
      }
      return timeline;
    };
    await waitFor(() => readyPods().some((pods) => pods.length === 2), { intervalMs: 50 });
    const adoptedPods = (await getJson<{ items: { metadata: Meta }[] }>(ns, 'pods', '-l', 'app.kubernetes.io/name=web')).items.map((p) => p.metadata.name).sort();
    assert.equal(adoptedPods.length, 2);

    assertOk(await deploy(3, ns, '2.0.0'), 'upgrade to 2.0.0 with the post-renderer');
    const original = await getJson<Deployment>(ns, 'deployment', 'web');
    assert.match(original.spec.template.spec.containers[0]!.image, /:1\.0\.0$/, 'the adopted Deployment web still runs 1.0.0');
    assert.equal(original.status?.readyReplicas, 2);
    assert.equal(await selected(ns), undefined, 'Service web does not select a versioned Deployment yet');
    const adopting = (await status(ns)).view;
    assert.equal(adopting.stable, '1.0.0');
    assert.equal(adopting.canary, '2.0.0');
    assert.equal(adopting.versions.find((v) => v.version === '1.0.0')?.deployment, 'web');

    const ran = await canary(ns, ['run', 'web', '--wait', '--scale-down-delay', '0'], { timeoutMs: 90_000 });
    assertOk(ran, 'run');
    const service = await getJson<Service>(ns, 'service', 'web');
    assert.equal(service.spec.selector?.[VERSION], '2.0.0');
    assert.equal(service.spec.selector?.['pod-template-hash'], undefined, 'the pin on the adopted pods is gone');
    assert.equal((await status(ns)).view.stable, '2.0.0');

    // No gap: from the moment Service web had endpoints, it never had zero ready ones, and at the end they are 2.0.0's.
    await waitFor(() => { const now = readyPods().at(-1) ?? []; return now.length > 0 && now.every((pod) => pod.startsWith('web-2-0-0-')); }, { timeoutMs: 15_000, intervalMs: 50 });
    slices.kill('SIGKILL');
    await slices.exited;
    const timeline = readyPods();
    const firstServing = timeline.findIndex((pods) => pods.length > 0);
    const gaps = timeline.slice(firstServing).filter((pods) => pods.length === 0);
    assert.equal(gaps.length, 0, `Service web had no ready endpoints at some point: ${JSON.stringify(timeline)}`);
    // The EndpointSlice controller may publish the adopted pods one at a time, so the first serving set is a
    // non-empty subset of them, and before any other pod serves, both of them did.
    const firstOther = timeline.findIndex((pods) => pods.some((pod) => !adoptedPods.includes(pod)));
    assert.ok(timeline[firstServing]!.every((pod) => adoptedPods.includes(pod)), `the adopted pods served first: ${JSON.stringify(timeline)}`);
    assert.ok(timeline.slice(firstServing, firstOther === -1 ? undefined : firstOther).some((pods) => [...pods].sort().join() === adoptedPods.join()),
      `both adopted pods served before 2.0.0's did: ${JSON.stringify(timeline)}`);
  });

  test('an adopted version kept for rollback survives the next helm upgrade (scenario 7, invariant 5)', async (t) => {
    const ns = await freshNamespace(t);
    assertOk(await deploy(3, ns, '1.0.0', { plain: true }), 'install 1.0.0 without the post-renderer');
    assertOk(await deploy(3, ns, '2.0.0'), 'upgrade to 2.0.0 with the post-renderer');
    assertOk(await canary(ns, ['run', 'web', '--wait', '--scale-down-delay', '0'], { timeoutMs: 90_000 }), 'run');
    const retained = (await status(ns)).view.versions.find((v) => v.version === '1.0.0');
    assert.deepEqual({ role: retained?.role, deployment: retained?.deployment }, { role: 'retained', deployment: 'web' }, 'precondition: the adopted web is kept as 1.0.0');

    assertOk(await deploy(3, ns, '3.0.0'), 'upgrade to 3.0.0');
    assert.deepEqual(await deployments(ns), ['web', 'web-2-0-0', 'web-3-0-0'], 'the helm upgrade deleted the retained 1.0.0 (Deployment web)');
    assert.equal((await status(ns)).view.versions.find((v) => v.version === '1.0.0')?.role, 'retained');
  });

  // ---- scenario 8 ----

  test('no Helm: apply -f a plain manifest as 1.0.0, then as 2.0.0, then run (scenario 8)', async (t) => {
    const ns = await freshNamespace(t);
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-apply-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    // Two manifests whose pod templates differ (the image tag): a version is a pod template,
    // so applying the same manifest again would be the same version whatever --version says.
    const manifest = async (tag: string): Promise<string> => {
      const rendered = await helm(3, ['template', 'web', chartDir, '--set', 'hook.enabled=false', '--set', `image.tag=${tag}`]);
      assertOk(rendered, 'helm template (no post-renderer)');
      assert.doesNotMatch(rendered.stdout, /switchyard/, 'the manifest is plain');
      const file = join(dir, `app-${tag}.yaml`);
      writeFileSync(file, rendered.stdout);
      return file;
    };
    const file = await manifest('1.0.0');

    assertOk(await canary(ns, ['apply', '-f', file, '--version', '1.0.0']), 'apply --version 1.0.0');
    assertOk(await canary(ns, ['apply', '-f', file, '--version', '3.0.0']), 'apply the same manifest again');
    assert.deepEqual(await deployments(ns), ['web-1-0-0'], 'the same pod template is the same version, whatever --version says');
    const first = await status(ns);
    assert.equal(first.view.phase, 'Healthy');
    assert.equal(first.view.stable, '1.0.0');
    assert.equal(await selected(ns), '1.0.0');

    assertOk(await canary(ns, ['apply', '-f', await manifest('2.0.1'), '--version', '2.0.0']), 'apply --version 2.0.0');
    assert.equal(await selected(ns), '1.0.0', 'applying 2.0.0 moves no traffic');
    assert.equal((await getJson<Deployment>(ns, 'deployment', 'web-2-0-0')).metadata.labels?.[VERSION], '2.0.0', 'the version comes from --version');
    assert.equal((await status(ns)).view.canary, '2.0.0');

    const ran = await canary(ns, ['run', 'web', '--wait', '--scale-down-delay', '0'], { timeoutMs: 90_000 });
    assertOk(ran, 'run web --wait');
    assert.equal(await selected(ns), '2.0.0');
    const view = (await status(ns)).view;
    assert.equal(view.phase, 'Healthy');
    assert.equal(view.stable, '2.0.0');
    assert.deepEqual(await deployments(ns), ['web-1-0-0', 'web-2-0-0']);
  });

  // ---- list ----

  test('list -A -o json has one entry per app in each namespace', async (t) => {
    const [calm, busy] = await Promise.all([freshNamespace(t), freshNamespace(t)]);
    // calm: web 1.0.0, never driven (no state yet). busy: web promoted to 2.0.0 (two
    // Deployments, a state), and api with 2.0.0 deployed beside 1.0.0 but not run.
    assertOk(await deploy(3, calm, '1.0.0'), 'calm: install web');
    assertOk(await deploy(3, busy, '1.0.0'), 'busy: install web');
    assertOk(await deploy(3, busy, '2.0.0'), 'busy: upgrade web');
    assertOk(await canary(busy, ['run', 'web', '--wait', '--scale-down-delay', '0'], { timeoutMs: 90_000 }), 'busy: run web');
    assertOk(await deploy(3, busy, '1.0.0', { release: 'api' }), 'busy: install api');
    assertOk(await deploy(3, busy, '2.0.0', { release: 'api' }), 'busy: upgrade api');

    const listed = await kubectl(['canary', 'list', '-A', '-o', 'json']);
    assertOk(listed, 'list -A -o json');
    const list = JSON.parse(listed.stdout) as { apiVersion: string; kind: string; items: RolloutStatus[] };
    assert.equal(list.kind, 'RolloutStatusList');
    const mine = list.items.filter((i) => i.namespace === calm || i.namespace === busy);
    assert.deepEqual(mine.map((i) => `${i.namespace}/${i.app}`).sort(), [`${busy}/api`, `${busy}/web`, `${calm}/web`].sort());
    for (const item of mine) assert.equal(item.kind, 'RolloutStatus');
    const find = (ns: string, app: string): RolloutStatus => mine.find((i) => i.namespace === ns && i.app === app)!;
    assert.equal(find(calm, 'web').stable, '1.0.0');
    assert.equal(find(busy, 'web').stable, '2.0.0');
    assert.equal(find(busy, 'web').phase, 'Healthy');
    assert.equal(find(busy, 'api').stable, '1.0.0');
    assert.equal(find(busy, 'api').canary, '2.0.0');

    const one = await canary(busy, ['list', '-o', 'json']);
    assertOk(one, 'list -n busy -o json');
    assert.deepEqual((JSON.parse(one.stdout) as { items: RolloutStatus[] }).items.map((i) => i.app), ['api', 'web']);
  });
});
