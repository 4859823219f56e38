// `kubectl bluegreen` end to end, DESIGN.md scenario 6 (issue 5, item 1) under the real
// Helm 3 (the post-renderer by path), Helm 4 (the `switchyard` plugin) and without Helm
// (`kubectl bluegreen apply -f`): the preview, `run --wait`, `switch`, `rollback`, and
// retention (`--keep 2`: deploying n+1 and switching to it retires n-1, only after n+1
// is active). One fresh namespace per test; the three run side by side.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite, test, type TestContext } from 'node:test';
import {
  assertOk, bluegreen, chartDir, deployChart, freshNamespace, getJson, helm, kubectl, spawnChild,
  storedState, toolPaths, waitFor, type Child, type HelmMajor, type RunResult,
} from './harness.ts';

const VERSION = 'switchyard.dev/version';

type Labels = Record<string, string>;
interface Meta { name: string; resourceVersion?: string; labels?: Labels; annotations?: Labels }
interface Deployment { metadata: Meta; spec: { replicas: number }; status?: { readyReplicas?: number } }
interface Service { metadata: Meta; spec: { selector?: Labels } }
interface RouteRule { name?: string; matches?: { headers?: { name: string; value: string }[] }[]; backendRefs?: { name: string; port?: number; weight?: number }[] }
interface HTTPRoute { metadata: Meta; spec: { rules: RouteRule[] } }
interface State { phase: string; stable: string; canary?: string; retained: { version: string }[]; history: { event: string; version?: string }[] }
interface WatchEvent<T> { type: string; object: T }

// ---- helpers ----

/** `kubectl bluegreen <args> -n <ns>` through kubectl's plugin mechanism. */

/** How a test deploys a version: Helm 3, Helm 4 (both with the post-renderer, --strategy=bluegreen), or `kubectl bluegreen apply -f`. */
interface Deployer {
  name: string;
  /** Prepares what the deployer needs for one test (e.g. the manifest file). */
  setup(t: TestContext): Promise<(ns: string, version: string) => Promise<RunResult>>;
}

function helmDeployer(major: HelmMajor): Deployer {
  return {
    name: `Helm ${major}`,
    async setup() {
      return (ns, version) => deployChart(major, ns, version, { extra: ['--post-renderer-args=--strategy=bluegreen'] });
    },
  };
}

const applyDeployer: Deployer = {
  name: 'no Helm (kubectl bluegreen apply -f)',
  async setup(t) {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-bluegreen-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    // One plain manifest per version, as a pipeline would render it: the image tag differs.
    return async (ns, version) => {
      const rendered = await helm(3, ['template', 'web', chartDir, '--set', 'hook.enabled=false', '--set', 'httpRoute.enabled=true', '--set', `image.tag=${version}`]);
      assertOk(rendered, 'helm template (a plain manifest, no post-renderer)');
      assert.doesNotMatch(rendered.stdout, /switchyard/, 'the manifest is plain');
      const file = join(dir, `app-${version}.yaml`);
      writeFileSync(file, rendered.stdout);
      return bluegreen(ns, ['apply', '-f', file, '--version', version]);
    };
  },
};

/** The version the Service `name` selects. */
async function selects(ns: string, name = 'web'): Promise<string | undefined> {
  return (await getJson<Service>(ns, 'service', name)).spec.selector?.[VERSION];
}

/** Whether `kind/name` exists (and is not being deleted). */
async function exists(ns: string, kind: string, name: string): Promise<boolean> {
  const result = await kubectl(['-n', ns, 'get', kind, name, '--ignore-not-found', '-o', 'jsonpath={.metadata.name}/{.metadata.deletionTimestamp}']);
  assertOk(result, `kubectl get ${kind} ${name}`);
  return result.stdout === `${name}/`;
}

/** The header rule `x-version: <version>` of HTTPRoute web, if any. */
function headerRule(rules: RouteRule[], version: string): RouteRule | undefined {
  return rules.find((rule) => (rule.matches ?? []).some((m) => (m.headers ?? []).some((h) => h.name === 'x-version' && h.value === version)));
}

async function route(ns: string): Promise<{ weights: Record<string, number>; main: { name: string; weight?: number }[]; rules: RouteRule[] }> {
  const r = await getJson<HTTPRoute>(ns, 'httproute', 'web');
  const main = r.spec.rules.find((rule) => !(rule.matches ?? []).some((m) => (m.headers ?? []).length > 0));
  return {
    weights: JSON.parse(r.metadata.annotations?.['switchyard.dev/weights'] ?? '{}') as Record<string, number>,
    main: (main?.backendRefs ?? []).map((b) => ({ name: b.name, weight: b.weight })),
    rules: r.spec.rules,
  };
}

async function deployments(ns: string): Promise<string[]> {
  return (await getJson<{ items: Deployment[] }>(ns, 'deployments')).items.map((d) => d.metadata.name).sort();
}

/** `kubectl get <args> --watch --output-watch-events -o json`, left running. */
function watch(ns: string, args: string[]): Child {
  return spawnChild(toolPaths.kubectl, ['-n', ns, 'get', ...args, '--watch', '--output-watch-events', '-o', 'json']);
}

/** The complete events a watch has printed so far. */
function events<T>(child: Child): WatchEvent<T>[] {
  return child.stdout.split('\n').slice(0, -1).filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as WatchEvent<T>);
}

/** etcd revision of a watch event (one etcd: the resourceVersions of all objects are its revisions, so they order writes). */
const revision = (e: WatchEvent<{ metadata: Meta }>): number => Number(e.object.metadata.resourceVersion);

// ---- scenario 6 ----

async function scenario6(t: TestContext, deployer: Deployer): Promise<void> {
  const ns = await freshNamespace(t);
  const deploy = await deployer.setup(t);
  const timings: string[] = [];
  const timed = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      timings.push(`${what} ${((performance.now() - started) / 1000).toFixed(1)}s`);
    }
  };
  t.after(() => t.diagnostic(`timings: ${timings.join(', ')}`));

  // v1 installed: active at once.
  assertOk(await timed('deploy 1.0.0', () => deploy(ns, '1.0.0')), `${deployer.name}: deploy 1.0.0`);
  assert.equal(await selects(ns), '1.0.0');
  assert.equal(await exists(ns, 'service', 'web-preview'), false, 'no preview before there is a second version');

  // v2 upgraded: the preview Service selects 2.0.0, a header rule routes x-version: 2.0.0 to web-2-0-0,
  // the stable Service still selects 1.0.0, and web-2-0-0 comes up at full size.
  assertOk(await timed('deploy 2.0.0', () => deploy(ns, '2.0.0')), `${deployer.name}: deploy 2.0.0`);
  assert.equal(await selects(ns, 'web-preview'), '2.0.0', 'the preview Service selects 2.0.0');
  assert.equal(await selects(ns), '1.0.0', 'the stable Service still selects 1.0.0 after the upgrade');
  const upgraded = await route(ns);
  assert.deepEqual(upgraded.weights, { '1.0.0': 100, '2.0.0': 0 });
  assert.deepEqual(upgraded.main, [{ name: 'web', weight: 100 }], 'the main rule sends everything to the stable Service');
  const rule2 = headerRule(upgraded.rules, '2.0.0');
  assert.ok(rule2 !== undefined, `no x-version: 2.0.0 rule in ${JSON.stringify(upgraded.rules)}`);
  assert.equal(rule2.name, 'switchyard-2-0-0-0');
  assert.deepEqual(rule2.backendRefs?.map((b) => b.name), ['web-2-0-0']);
  assert.equal(await selects(ns, 'web-2-0-0'), '2.0.0');
  const v1 = await getJson<Deployment>(ns, 'deployment', 'web-1-0-0');
  const v2 = await getJson<Deployment>(ns, 'deployment', 'web-2-0-0');
  assert.equal(v2.spec.replicas, v1.spec.replicas, 'web-2-0-0 has the full replica count of the active version');
  assert.equal(v2.spec.replicas, 2);

  // run --wait returns 0 once the preview is ready, without switching.
  const ran = await timed('run --wait', () => bluegreen(ns, ['run', 'web', '--wait']));
  assertOk(ran, 'kubectl bluegreen run web --wait');
  assert.equal((await getJson<Deployment>(ns, 'deployment', 'web-2-0-0')).status?.readyReplicas, 2, 'the preview is ready when run --wait returns');
  assert.equal(await selects(ns), '1.0.0', 'run --wait does not switch');
  const previewing = await storedState<State>(ns);
  assert.equal(previewing.phase, 'Paused');
  assert.equal(previewing.canary, '2.0.0');

  // switch: the stable Service selects 2.0.0, the preview Service is gone. (--scale-down-delay 0
  // keeps 1.0.0 hot, so switch returns at once instead of waiting out the default 30 s delay.)
  const switched = await timed('switch', () => bluegreen(ns, ['switch', 'web', '--scale-down-delay', '0']));
  assertOk(switched, 'kubectl bluegreen switch web');
  assert.match(switched.stderr, /now serving 2\.0\.0; the switch took \d+ ms/);
  assert.equal(await selects(ns), '2.0.0');
  assert.equal(await exists(ns, 'service', 'web-preview'), false, 'the preview Service is gone after the switch');
  const afterSwitch = await route(ns);
  assert.deepEqual(afterSwitch.weights, { '2.0.0': 100, '1.0.0': 0 });
  assert.deepEqual(afterSwitch.main, [{ name: 'web', weight: 100 }]);

  // rollback flips back to 1.0.0.
  const rolledBack = await timed('rollback', () => bluegreen(ns, ['rollback', 'web', '--scale-down-delay', '0']));
  assertOk(rolledBack, 'kubectl bluegreen rollback web');
  assert.match(rolledBack.stderr, /now serving 1\.0\.0; the switch took \d+ ms/);
  assert.equal(await selects(ns), '1.0.0');
  assert.deepEqual((await route(ns)).weights, { '1.0.0': 100, '2.0.0': 0 });

  // Roll forward to 2.0.0 again, so that 2.0.0 is active and 1.0.0 the previous version
  // when 3.0.0 arrives (after the rollback above, the previous version would be 2.0.0).
  assertOk(await timed('switch --to 2.0.0', () => bluegreen(ns, ['switch', 'web', '--to', '2.0.0', '--scale-down-delay', '0'])), 'kubectl bluegreen switch web --to 2.0.0');
  assert.equal(await selects(ns), '2.0.0');

  // Retention: with --keep 2, deploying 3.0.0 and switching to it retires 1.0.0, after 3.0.0 is active.
  assertOk(await timed('deploy 3.0.0', () => deploy(ns, '3.0.0')), `${deployer.name}: deploy 3.0.0`);
  assertOk(await timed('run --wait (3.0.0)', () => bluegreen(ns, ['run', 'web', '--wait', '--keep', '2'])), 'run --wait for 3.0.0');
  assert.deepEqual(await deployments(ns), ['web-1-0-0', 'web-2-0-0', 'web-3-0-0'], 'all three versions live while 3.0.0 is the preview');
  assert.equal(await exists(ns, 'service', 'web-1-0-0'), true, 'before the switch, Service web-1-0-0 still exists');
  assert.ok(headerRule((await route(ns)).rules, '1.0.0') !== undefined, 'before the switch, the 1.0.0 header rule is still there');
  assert.equal(await selects(ns, 'web-preview'), '3.0.0');

  const deploymentWatch = watch(ns, ['deployments']);
  const serviceWatch = watch(ns, ['services']);
  const routeWatch = watch(ns, ['httproutes.gateway.networking.k8s.io']);
  t.after(() => { deploymentWatch.kill('SIGKILL'); serviceWatch.kill('SIGKILL'); routeWatch.kill('SIGKILL'); });
  // Each watch lists what exists first; wait for that so no later change is missed.
  await waitFor(() => events(deploymentWatch).length >= 3 && events(serviceWatch).length >= 5 && events(routeWatch).length >= 1, { intervalMs: 50 });

  const retiring = await timed('switch --keep 2', () => bluegreen(ns, ['switch', 'web', '--keep', '2', '--scale-down-delay', '0']));
  assertOk(retiring, 'kubectl bluegreen switch web --keep 2');
  assert.equal(await selects(ns), '3.0.0');
  assert.deepEqual(await deployments(ns), ['web-2-0-0', 'web-3-0-0'], '1.0.0 is retired, 2.0.0 kept for rollback');
  assert.equal(await exists(ns, 'service', 'web-1-0-0'), false, 'the per-version Service of 1.0.0 is deleted');
  assert.equal(await exists(ns, 'service', 'web-2-0-0'), true);
  const retired = await route(ns);
  assert.equal(headerRule(retired.rules, '1.0.0'), undefined, `the 1.0.0 header rule is gone: ${JSON.stringify(retired.rules)}`);
  assert.deepEqual(headerRule(retired.rules, '2.0.0')?.backendRefs?.map((b) => b.name), ['web-2-0-0']);
  assert.deepEqual(headerRule(retired.rules, '3.0.0')?.backendRefs?.map((b) => b.name), ['web-3-0-0']);
  assert.deepEqual(retired.weights, { '3.0.0': 100, '2.0.0': 0 });
  const final = await storedState<State>(ns);
  assert.equal(final.phase, 'Healthy');
  assert.equal(final.stable, '3.0.0');
  assert.deepEqual(final.retained.map((r) => r.version), ['2.0.0']);
  assert.ok(final.history.some((e) => e.event === 'Retired' && e.version === '1.0.0'), 'the history records the retirement');

  // Order, from the watches: 1.0.0's Deployment, Service and header rule went away only after
  // Service web selected 3.0.0.
  await waitFor(() => events<Deployment>(deploymentWatch).some((e) => e.type === 'DELETED' && e.object.metadata.name === 'web-1-0-0')
    && events<Service>(serviceWatch).some((e) => e.type === 'DELETED' && e.object.metadata.name === 'web-1-0-0'), { timeoutMs: 10_000, intervalMs: 50 });
  for (const w of [deploymentWatch, serviceWatch, routeWatch]) w.kill('SIGKILL');
  await Promise.all([deploymentWatch.exited, serviceWatch.exited, routeWatch.exited]);
  const flip = events<Service>(serviceWatch).find((e) => e.object.metadata.name === 'web' && e.object.spec.selector?.[VERSION] === '3.0.0');
  assert.ok(flip !== undefined, 'the watch saw Service web select 3.0.0');
  const active = revision(flip);
  const deploymentGone = events<Deployment>(deploymentWatch).find((e) => e.type === 'DELETED' && e.object.metadata.name === 'web-1-0-0')!;
  const serviceGone = events<Service>(serviceWatch).find((e) => e.type === 'DELETED' && e.object.metadata.name === 'web-1-0-0')!;
  const ruleGone = events<HTTPRoute>(routeWatch).find((e) => headerRule(e.object.spec.rules, '1.0.0') === undefined);
  assert.ok(ruleGone !== undefined, 'the watch saw the route lose its 1.0.0 header rule');
  assert.ok(revision(deploymentGone) > active, `Deployment web-1-0-0 was deleted (rev ${revision(deploymentGone)}) before 3.0.0 was active (rev ${active})`);
  assert.ok(revision(serviceGone) > active, `Service web-1-0-0 was deleted (rev ${revision(serviceGone)}) before 3.0.0 was active (rev ${active})`);
  assert.ok(revision(ruleGone) > active, `the 1.0.0 header rule was removed (rev ${revision(ruleGone)}) before 3.0.0 was active (rev ${active})`);
}

suite('kubectl bluegreen: scenario 6 under Helm 3, Helm 4 and without Helm', { concurrency: true }, () => {
  for (const deployer of [helmDeployer(3), helmDeployer(4), applyDeployer]) {
    test(`${deployer.name}: preview, run --wait, switch, rollback, --keep 2 retires n-1 after n+1 is active (scenario 6)`, async (t) => {
      await scenario6(t, deployer);
    });
  }
});
