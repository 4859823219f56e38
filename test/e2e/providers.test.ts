// Every traffic provider end to end (issue 12): `helm upgrade` with `--router <name>`, then
// `kubectl canary run`, promote and undo, and `kubectl bluegreen switch`, against the real
// CRDs of testdata/crds. At each step the routing objects are read back from the API server,
// and the post-renderer's output for the live state is applied with server-side apply and
// strict field validation (dry run), so an object the real schema rejects fails the test.
import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import {
  assertOk, bluegreen, canary, chartDir, deployChart, freshNamespace, getJson, helm, kubectl, postRendererFlags,
  waitFor, type RunResult,
} from './harness.ts';

const VERSION = 'switchyard.dev/version';

interface Meta { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }
interface Obj<S = unknown> { metadata: Meta; spec: S }

/** What a provider's live objects say: the recorded weights, the versions with a header route, the default backends. */
interface Routing {
  weights: Record<string, number>;
  header: string[];
  main: [name: string, weight: number][];
}

const weightsOf = (o: Obj): Record<string, number> => JSON.parse(o.metadata.annotations?.['switchyard.dev/weights'] ?? '{}') as Record<string, number>;

type HTTPRoute = Obj<{ rules: { matches?: { headers?: { value: string }[] }[]; backendRefs?: { name: string; weight?: number }[] }[] }>;
type VirtualService = Obj<{ http: { match?: { headers?: Record<string, { exact: string }> }[]; route: { destination: { host: string }; weight?: number }[] }[] }>;
type IngressRoute = Obj<{ routes: { match: string }[] }>;
type TraefikService = Obj<{ weighted: { services: { name: string; weight: number }[] } }>;

interface Provider {
  name: string;
  /** Chart values and post-renderer flags that make the chart use this provider. */
  args: string[];
  read(ns: string): Promise<Routing>;
  /** Whether every live version has a header route (else only the version being rolled out). */
  everyVersion: boolean;
}

const providers: Provider[] = [
  {
    name: 'gateway',
    args: ['--post-renderer-args=--router=gateway'],
    everyVersion: true,
    async read(ns) {
      const r = await getJson<HTTPRoute>(ns, 'httproute', 'web');
      const headerRules = r.spec.rules.filter((rule) => (rule.matches ?? []).some((m) => (m.headers ?? []).length > 0));
      const main = r.spec.rules.find((rule) => !headerRules.includes(rule))!;
      return {
        weights: weightsOf(r),
        header: headerRules.flatMap((rule) => rule.matches!.flatMap((m) => m.headers!.map((h) => h.value))).sort(),
        main: (main.backendRefs ?? []).map((b) => [b.name, b.weight ?? 1]),
      };
    },
  },
  {
    name: 'istio',
    args: ['--set', 'httpRoute.enabled=false', '--set', 'ingress.enabled=true', '--post-renderer-args=--router=istio', '--post-renderer-args=--gateway=istio-system/public'],
    everyVersion: true,
    async read(ns) {
      const vs = await getJson<VirtualService>(ns, 'virtualservice', 'web');
      const header = vs.spec.http.filter((r) => (r.match ?? []).some((m) => m.headers?.['x-version'] !== undefined));
      return {
        weights: weightsOf(vs),
        header: header.map((r) => r.match![0]!.headers!['x-version']!.exact).sort(),
        main: vs.spec.http.at(-1)!.route.map((d) => [d.destination.host, d.weight ?? 100]),
      };
    },
  },
  {
    name: 'traefik',
    args: ['--set', 'httpRoute.enabled=false', '--set', 'ingress.enabled=true', '--post-renderer-args=--router=traefik'],
    everyVersion: true,
    async read(ns) {
      const [ir, ts] = await Promise.all([getJson<IngressRoute>(ns, 'ingressroute', 'web'), getJson<TraefikService>(ns, 'traefikservice', 'web-weighted')]);
      const header = ir.spec.routes.flatMap((r) => /Header\(`x-version`, `([^`]+)`\)/.exec(r.match)?.[1] ?? []);
      assert.deepEqual(weightsOf(ts), weightsOf(ir), 'the TraefikService and the IngressRoute carry the same weights');
      return { weights: weightsOf(ir), header: header.sort(), main: ts.spec.weighted.services.map((s) => [s.name, s.weight]) };
    },
  },
  {
    name: 'nginx',
    args: ['--set', 'httpRoute.enabled=false', '--set', 'ingress.enabled=true', '--post-renderer-args=--router=nginx'],
    everyVersion: false,
    async read(ns) {
      const found = await kubectl(['-n', ns, 'get', 'ingress', 'web-canary', '-o', 'json', '--ignore-not-found']);
      assertOk(found, 'get ingress web-canary');
      if (found.stdout.trim() === '') return { weights: {}, header: [], main: [['web', 100]] };
      const canaryIngress = JSON.parse(found.stdout) as Obj;
      const a = canaryIngress.metadata.annotations ?? {};
      const weight = Number(a['nginx.ingress.kubernetes.io/canary-weight']);
      const version = a['nginx.ingress.kubernetes.io/canary-by-header-value']!;
      return { weights: weightsOf(canaryIngress), header: [version], main: [['web', 100 - weight], [`web-${version.replaceAll('.', '-')}`, weight]] };
    },
  },
];

async function selected(ns: string): Promise<string | undefined> {
  return (await getJson<Obj<{ selector?: Record<string, string> }>>(ns, 'service', 'web')).spec.selector?.[VERSION];
}

/** The post-renderer's output for the live state, applied with server-side apply and strict validation (dry run). */
async function strictDryRun(ns: string, p: Provider, version: string, extra: string[] = []): Promise<void> {
  const rendered = await helm(3, ['template', 'web', chartDir, '-n', ns, '--set', 'httpRoute.enabled=true', '--set', `image.tag=${version}`, ...postRendererFlags(3), ...p.args, ...extra]);
  assertOk(rendered, `${p.name}: helm template`);
  const applied = await kubectl(['-n', ns, 'apply', '--server-side', '--force-conflicts', '--field-manager=e2e-dry-run', '--dry-run=server', '--validate=strict', '-f', '-'], { input: rendered.stdout });
  assertOk(applied, `${p.name}: strict server-side dry-run apply of the rendered objects`);
}

function deploy(ns: string, p: Provider, version: string, extra: string[] = []): Promise<RunResult> {
  return deployChart(3, ns, version, { extra: [...p.args, ...extra] });
}

suite('every traffic provider against the real CRDs', { concurrency: true }, () => {
  for (const p of providers) {
    test(`${p.name}: install, upgrade at 0, canary run to 25, promote and undo`, async (t) => {
      const ns = await freshNamespace(t);
      assertOk(await deploy(ns, p, '1.0.0'), 'install 1.0.0');
      const first = await p.read(ns);
      assert.deepEqual(first.main, [['web', 100]], 'first install: everything to the stable Service');
      if (p.everyVersion) assert.deepEqual(first.header, ['1.0.0']);

      assertOk(await deploy(ns, p, '2.0.0'), 'upgrade to 2.0.0');
      const upgraded = await p.read(ns);
      assert.equal(await selected(ns), '1.0.0', 'an upgrade moves no traffic');
      assert.deepEqual(upgraded.main, p.everyVersion ? [['web', 100]] : [['web', 100], ['web-2-0-0', 0]]);
      assert.deepEqual(upgraded.header, p.everyVersion ? ['1.0.0', '2.0.0'] : ['2.0.0'], 'the new version is reachable by its header');
      await strictDryRun(ns, p, '2.0.0');

      assertOk(await canary(ns, ['run', 'web', '--steps', '25,pause', '--scale-down-delay', '0'], { timeoutMs: 90_000 }), 'run to the pause at 25');
      const at25 = await p.read(ns);
      assert.deepEqual(at25.main, [['web', 75], ['web-2-0-0', 25]]);
      assert.equal(at25.weights['2.0.0'], 25);
      await strictDryRun(ns, p, '2.0.0');

      assertOk(await canary(ns, ['promote', 'web', '--wait', '--scale-down-delay', '0'], { timeoutMs: 90_000 }), 'promote');
      assert.equal(await selected(ns), '2.0.0');
      assert.deepEqual((await p.read(ns)).main, [['web', 100]], 'after promotion the stable Service (now 2.0.0) takes everything');

      assertOk(await canary(ns, ['undo', 'web', '--wait'], { timeoutMs: 90_000 }), 'undo');
      assert.equal(await selected(ns), '1.0.0');
      assert.deepEqual((await p.read(ns)).main, [['web', 100]]);
    });

    test(`${p.name}: blue-green switch flips the stable Service and keeps the routes on it`, async (t) => {
      const ns = await freshNamespace(t);
      const bg = ['--post-renderer-args=--strategy=bluegreen'];
      assertOk(await deploy(ns, p, '1.0.0', bg), 'install 1.0.0');
      assertOk(await deploy(ns, p, '2.0.0', bg), 'upgrade to 2.0.0');
      assertOk(await bluegreen(ns, ['run', 'web', '--wait'], { timeoutMs: 90_000 }), 'bluegreen run');
      const preview = await p.read(ns);
      assert.deepEqual(preview.main.filter(([, w]) => w > 0), [['web', 100]], 'the preview gets no weighted traffic');
      assert.ok(preview.header.includes('2.0.0'), 'the preview is reachable by its header');
      assertOk(await bluegreen(ns, ['switch', 'web', '--scale-down-delay', '0'], { timeoutMs: 90_000 }), 'switch');
      assert.equal(await selected(ns), '2.0.0');
      assert.deepEqual((await p.read(ns)).main, [['web', 100]]);
      await strictDryRun(ns, p, '2.0.0', bg);
    });
  }
});

interface Deployment { metadata: Meta; spec: { replicas: number } }
interface VersionStatus { version: string; weight: number; effectiveWeight?: number; readyReplicas: number }

suite('router service: replica counts split the traffic', { concurrency: true }, () => {
  const args = ['--post-renderer-args=--router=service'];

  test('service: the canary starts with no pods, run sizes it to the weight, status shows the live share, promote flips the recorded stable', async (t) => {
    const ns = await freshNamespace(t);
    assertOk(await deployChart(3, ns, '1.0.0', { extra: args }), 'install 1.0.0');
    assertOk(await deployChart(3, ns, '2.0.0', { extra: args }), 'upgrade to 2.0.0');
    const svc = await getJson<Obj<{ selector: Record<string, string> }>>(ns, 'service', 'web');
    assert.equal(svc.spec.selector[VERSION], undefined, 'the stable Service spans the versions');
    assert.equal(svc.metadata.annotations?.['switchyard.dev/stable-version'], '1.0.0');
    assert.equal((await getJson<Deployment>(ns, 'deployment', 'web-2-0-0')).spec.replicas, 0, 'an upgrade adds no pod, so it moves no traffic');

    // Without --wait, run goes as far as it can without waiting: the first pass scales the
    // canary up; once its pods are ready, the next pass sets the weight and stops at the pause.
    const versions = await waitFor(async () => {
      assertOk(await canary(ns, ['run', 'web', '--steps', '50,pause', '--scale-down-delay', '0'], { timeoutMs: 90_000 }), 'run to the pause at 50');
      const status = await canary(ns, ['status', 'web', '-o', 'json']);
      const view = JSON.parse(status.stdout) as { weight: number; versions: VersionStatus[] };
      return view.weight === 50 && view.versions.every((v) => v.readyReplicas === 2) ? view.versions : undefined;
    }, { timeoutMs: 60_000, intervalMs: 500 });
    assert.equal((await getJson<Deployment>(ns, 'deployment', 'web-2-0-0')).spec.replicas, 2, '50% beside 2 stable pods is 2 canary pods');
    assert.deepEqual(versions.map((v) => [v.version, v.weight, v.effectiveWeight]).sort(), [['1.0.0', 50, 50], ['2.0.0', 50, 50]]);
    const slices = await getJson<{ items: { endpoints?: { targetRef?: { name: string } }[] | null }[] }>(ns, 'endpointslices', '-l', 'kubernetes.io/service-name=web');
    const pods = slices.items.flatMap((s) => s.endpoints ?? []).map((e) => e.targetRef?.name ?? '');
    assert.ok(pods.some((p) => p.startsWith('web-1-0-0-')) && pods.some((p) => p.startsWith('web-2-0-0-')), `the stable Service's endpoints hold both versions' pods: ${pods.join(', ')}`);

    assertOk(await canary(ns, ['promote', 'web', '--wait', '--scale-down-delay', '0'], { timeoutMs: 90_000 }), 'promote');
    const after = await getJson<Obj<{ selector: Record<string, string> }>>(ns, 'service', 'web');
    assert.equal(after.metadata.annotations?.['switchyard.dev/stable-version'], '2.0.0');
    assert.equal((await getJson<Deployment>(ns, 'deployment', 'web-1-0-0')).spec.replicas, 0, 'the old version keeps no pods, so it takes no traffic');
  });

  test('service: a blue-green upgrade is refused with the reason, and the release stays as it was', async (t) => {
    const ns = await freshNamespace(t);
    assertOk(await deployChart(3, ns, '1.0.0', { extra: args }), 'install 1.0.0');
    const refused = await deployChart(3, ns, '2.0.0', { extra: [...args, '--post-renderer-args=--strategy=bluegreen'] });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /router service .*cannot hold a blue-green preview apart; choose a router with --router/);
    const names = (await getJson<{ items: Deployment[] }>(ns, 'deployments')).items.map((d) => d.metadata.name);
    assert.deepEqual(names, ['web-1-0-0']);
  });
});
