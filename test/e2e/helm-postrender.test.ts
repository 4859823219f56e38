// The post-renderer under real `helm upgrade --install` against the local cluster, with
// Helm 3 (the binary by path) and Helm 4 (the postrenderer/v1 plugin in plugins/): issue 3's
// Helm acceptance items. DESIGN.md scenarios 1, 2, 7 and 10; invariants 1, 2 and 4.
// The tests run one after another: they share the chart and each takes a few seconds.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';
import {
  assertOk, env, freshNamespace, kubectl, repoRoot, run, serviceAccountKubeconfig, toolPaths, waitFor,
  type RunResult,
} from './harness.ts';

const chart = join(repoRoot, 'testdata/chart');
const postRenderer = join(repoRoot, 'dist/switchyard-postrender');
const REASON = /switchyard-postrender: error: Deployment web: version "\+\+\+" from the --version flag has no label-safe characters/;

/** One Helm major version and how it is told to use switchyard. */
interface Helm {
  name: 'Helm 3' | 'Helm 4';
  binary: string;
  postRenderer: string[];
  env: NodeJS.ProcessEnv;
  /** Whether helm's own error message carries the post-renderer's stderr (Helm 4 drops a plugin's). */
  errorIncludesPostRendererStderr: boolean;
}

const helms: Helm[] = [
  { name: 'Helm 3', binary: toolPaths.helm3, postRenderer: ['--post-renderer', postRenderer], env: {}, errorIncludesPostRendererStderr: true },
  { name: 'Helm 4', binary: toolPaths.helm4, postRenderer: ['--post-renderer', 'switchyard'], env: { HELM_PLUGINS: join(repoRoot, 'plugins') },
    errorIncludesPostRendererStderr: false },
];

type Labels = Record<string, string>;
interface KubeObject<Spec = unknown> {
  kind: string;
  metadata: { name: string; uid: string; generation?: number; labels?: Labels; annotations?: Labels; ownerReferences?: { kind: string; name: string }[] };
  spec: Spec;
  status?: { podIP?: string };
}
interface RouteRule {
  name?: string;
  matches?: { headers?: { name: string; value: string }[] }[];
  backendRefs?: { name: string; port?: number; weight?: number }[];
}
type HTTPRoute = KubeObject<{ rules: RouteRule[] }>;
type Ingress = KubeObject<{ rules: { http: { paths: { backend: { service: { name: string } } }[] } }[] }>;
interface PolicyRule { apiGroups: string[]; resources: string[]; verbs: string[] }

// ---- helm and kubectl ----

interface UpgradeOptions {
  /** Leave the post-renderer out (a release installed before switchyard). Default: false. */
  plain?: boolean;
  /** More helm arguments. Default: none. */
  extra?: string[];
}

/** `helm upgrade --install web testdata/chart -n <ns> --wait --set <values>…`, with the post-renderer. */
function upgrade(helm: Helm, ns: string, values: string[], { plain = false, extra = [] }: UpgradeOptions = {}): Promise<RunResult> {
  const args = ['upgrade', '--install', 'web', chart, '-n', ns, '--wait', '--timeout', '90s', ...values.flatMap((v) => ['--set', v])];
  return run(helm.binary, [...args, ...(plain ? [] : helm.postRenderer), ...extra], { env: helm.env, timeoutMs: 150_000 });
}

async function get<T = KubeObject>(ns: string, ref: string): Promise<T> {
  const result = await kubectl(['-n', ns, 'get', ref, '-o', 'json']);
  assertOk(result, `kubectl get ${ref}`);
  return JSON.parse(result.stdout) as T;
}

async function list<T = KubeObject>(ns: string, kind: string, selector?: string): Promise<T[]> {
  const result = await kubectl(['-n', ns, 'get', kind, ...(selector === undefined ? [] : ['-l', selector]), '-o', 'json']);
  assertOk(result, `kubectl get ${kind}`);
  return (JSON.parse(result.stdout) as { items: T[] }).items;
}

/** The names of the objects of `kind` in `ns`, sorted. */
async function names(ns: string, kind: string): Promise<string[]> {
  const result = await kubectl(['-n', ns, 'get', kind, '-o', 'jsonpath={.items[*].metadata.name}']);
  assertOk(result, `kubectl get ${kind}`);
  return result.stdout.split(' ').filter(Boolean).sort();
}

/** The Service's selector exactly as the API server returns it (DESIGN.md invariant 2 compares bytes). */
async function selectorText(ns: string, service: string): Promise<string> {
  const result = await kubectl(['-n', ns, 'get', 'service', service, '-o', 'jsonpath={.spec.selector}']);
  assertOk(result, `kubectl get service ${service}`);
  return result.stdout;
}

function weights(obj: KubeObject): Record<string, number> {
  const text = obj.metadata.annotations?.['switchyard.dev/weights'];
  assert.ok(text !== undefined, `${obj.kind} ${obj.metadata.name} has no switchyard.dev/weights annotation`);
  return JSON.parse(text) as Record<string, number>;
}

/** The rules that carry production traffic: those without a header match. */
function defaultRules(route: HTTPRoute): RouteRule[] {
  return route.spec.rules.filter((r) => !(r.matches ?? []).some((m) => (m.headers ?? []).length > 0));
}

/** The rule that routes requests with `x-version: <version>`. */
function headerRule(route: HTTPRoute, version: string): RouteRule | undefined {
  return route.spec.rules.find((r) => (r.matches ?? []).some((m) => (m.headers ?? []).some((h) => h.name === 'x-version' && h.value === version)));
}

function ingressBackends(ingress: Ingress): string[] {
  return ingress.spec.rules.flatMap((r) => r.http.paths.map((p) => p.backend.service.name));
}

/** The IPs of the ready endpoints of a Service, from its EndpointSlices, sorted. */
async function readyEndpointIps(ns: string, service: string): Promise<string[]> {
  type Slice = { endpoints?: { addresses: string[]; conditions?: { ready?: boolean } }[] };
  const slices = await list<Slice>(ns, 'endpointslices', `kubernetes.io/service-name=${service}`);
  return slices.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).flatMap((e) => e.addresses)).sort();
}

/** A `kubectl get --watch` left running while the test acts; `stop()` ends it and returns what it printed. */
interface Watch {
  readonly output: string;
  stop(): Promise<string>;
}

/** Watches a Service's EndpointSlices, one line per event: `TYPE slice ip=ready ip=ready …`. */
function watchEndpoints(ns: string, service: string): Watch {
  const line = '{.type} {.object.metadata.name} {range .object.endpoints[*]}{.addresses[0]}={.conditions.ready} {end}{"\\n"}';
  const child = spawn(toolPaths.kubectl, ['-n', ns, 'get', 'endpointslices', '-l', `kubernetes.io/service-name=${service}`,
    '--watch', '--output-watch-events', '-o', `jsonpath=${line}`], { env: env(), stdio: ['ignore', 'pipe', 'ignore'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
  const exited = new Promise<void>((done) => child.on('close', () => done()));
  return {
    get output() { return output; },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      return output;
    },
  };
}

/** The ReplicaSets a Deployment owns. */
async function replicaSetsOf(ns: string, deployment: string): Promise<KubeObject[]> {
  return (await list(ns, 'replicasets')).filter((rs) => rs.metadata.ownerReferences?.some((o) => o.kind === 'Deployment' && o.name === deployment));
}

/** Replays the output of {@link watchEndpoints}: the Service's ready IPs after each event. */
function readyIpsAfterEachEvent(watchOutput: string): string[][] {
  const slices = new Map<string, string[]>();
  const states: string[][] = [];
  for (const line of watchOutput.split('\n').filter((l) => l.trim() !== '')) {
    const [type = '', slice = '', ...endpoints] = line.trim().split(/\s+/);
    if (type === 'DELETED') slices.delete(slice);
    else slices.set(slice, endpoints.filter((e) => !e.endsWith('=false')).map((e) => e.split('=')[0]!));
    states.push([...slices.values()].flat().sort());
  }
  return states;
}

/** Asserts that after every event of a {@link watchEndpoints} the Service had ready endpoints, and only among `allowed`. */
function assertServedThroughout(watchOutput: string, allowed: string[]): void {
  const states = readyIpsAfterEachEvent(watchOutput);
  assert.ok(states.length > 0, 'the watch saw the EndpointSlices');
  for (const [i, ips] of states.entries()) {
    assert.ok(ips.length > 0, `event ${i}: no ready endpoint, a gap in service\n${watchOutput}`);
    assert.ok(ips.every((ip) => allowed.includes(ip)), `event ${i}: traffic went to ${ips.join(', ')}, not only to ${allowed.join(', ')}\n${watchOutput}`);
  }
}

// ---- namespace snapshots (nothing changed) ----

let listableKinds: Promise<string> | undefined;

/**
 * Every namespaced kind that can be listed, comma-separated, except events and the
 * endpoints (v1 Endpoints, EndpointSlices): the endpoint controllers rewrite those on
 * their own schedule after pods become ready, and they only mirror the Services and Pods
 * the snapshot already covers.
 */
function namespacedKinds(): Promise<string> {
  listableKinds ??= kubectl(['api-resources', '--verbs=list', '--namespaced', '-o', 'name']).then((r) => {
    assertOk(r, 'kubectl api-resources');
    return r.stdout.split('\n').filter((k) => k !== '' && !['events', 'events.events.k8s.io', 'endpoints', 'endpointslices.discovery.k8s.io'].includes(k)).join(',');
  });
  return listableKinds;
}

/** `Kind/name@resourceVersion` of every object in the namespace: equal snapshots mean nothing was created, deleted or written. */
async function snapshot(ns: string): Promise<string[]> {
  const result = await kubectl(['-n', ns, 'get', await namespacedKinds(), '-o',
    'jsonpath={range .items[*]}{.kind}/{.metadata.name}@{.metadata.resourceVersion}{"\\n"}{end}']);
  assertOk(result, 'snapshot of the namespace');
  return result.stdout.split('\n').filter(Boolean).sort();
}

/** Waits until the controllers are done writing: every Deployment has finished progressing and the hook Job's pods are gone. */
async function settle(ns: string): Promise<void> {
  assertOk(await kubectl(['-n', ns, 'wait', 'deployment', '--all', '--timeout=60s',
    '--for=jsonpath={.status.conditions[?(@.type=="Progressing")].reason}=NewReplicaSetAvailable']), 'deployments progressed');
  assertOk(await kubectl(['-n', ns, 'wait', 'pod', '-l', 'batch.kubernetes.io/job-name', '--for=delete', '--timeout=60s']), 'hook pods gone');
}

// ---- RBAC ----

const READ = ['get', 'list', 'watch'];
/** What the post-renderer may do: read the objects that tell an app's state, nothing else. */
const readOnlyRules: PolicyRule[] = [
  { apiGroups: [''], resources: ['services', 'configmaps'], verbs: READ },
  { apiGroups: ['apps'], resources: ['deployments', 'replicasets'], verbs: READ },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: READ },
  { apiGroups: ['gateway.networking.k8s.io'], resources: ['httproutes'], verbs: READ },
];
/** The same, except that deployments may not be listed. */
const withoutListDeployments: PolicyRule[] = [
  { apiGroups: [''], resources: ['services', 'configmaps'], verbs: READ },
  { apiGroups: ['apps'], resources: ['replicasets'], verbs: READ },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'watch'] },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: READ },
  { apiGroups: ['gateway.networking.k8s.io'], resources: ['httproutes'], verbs: READ },
];

/** The rules of the documented read-only Role `switchyard-read` in testdata/rbac/role.yaml (DESIGN.md invariant 7). */
function documentedReadRules(): PolicyRule[] {
  const roles = parseAllDocuments(readFileSync(join(repoRoot, 'testdata/rbac/role.yaml'), 'utf8'))
    .map((d) => d.toJS() as { metadata: { name: string }; rules: PolicyRule[] });
  const role = roles.find((r) => r.metadata.name === 'switchyard-read');
  assert.ok(role !== undefined, 'testdata/rbac/role.yaml defines the Role switchyard-read');
  return role.rules;
}

/**
 * Creates a ServiceAccount bound to a Role with `rules` in `ns`, and writes a kubeconfig
 * that authenticates as it with a token from `kubectl create token`.
 */
async function kubeconfigWithRole(t: TestContext, ns: string, name: string, rules: PolicyRule[]): Promise<{ path: string; token: string }> {
  const objects = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name }, rules },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects: [{ kind: 'ServiceAccount', name, namespace: ns }] },
  ];
  assertOk(await kubectl(['-n', ns, 'apply', '-f', '-'], { input: objects.map((o) => JSON.stringify(o)).join('\n') }), 'RBAC objects');
  return serviceAccountKubeconfig(t, ns, name);
}

/** The stable Service `web`'s version selector in a rendered manifest. */
function renderedStableVersion(manifest: string): string | undefined {
  const objects = parseAllDocuments(manifest).map((d) => d.toJS() as KubeObject<{ selector?: Labels }> | null);
  return objects.find((o) => o?.kind === 'Service' && o.metadata.name === 'web')?.spec.selector?.['switchyard.dev/version'];
}

// ---- the tests ----

for (const helm of helms) {
  test(`${helm.name}: a first install runs the versioned Deployment, pins the Service and adds the version's header route`, async (t) => {
    const ns = await freshNamespace(t);
    assertOk(await upgrade(helm, ns, ['httpRoute.enabled=true']), 'first install');

    assertOk(await kubectl(['-n', ns, 'wait', '--for=condition=Available', 'deployment/web-1-0-0', '--timeout=60s']), 'web-1-0-0 Available');
    assert.deepEqual(await names(ns, 'deployments'), ['web-1-0-0'], 'no Deployment named web');
    const service = await get<KubeObject<{ selector: Labels }>>(ns, 'service/web');
    assert.equal(service.spec.selector['switchyard.dev/version'], '1.0.0');
    const perVersion = await get<KubeObject<{ selector: Labels }>>(ns, 'service/web-1-0-0');
    assert.equal(perVersion.spec.selector['switchyard.dev/version'], '1.0.0');

    // The route got past the real Gateway API CRD's schema validation.
    assertOk(await kubectl(['get', 'crd', 'httproutes.gateway.networking.k8s.io']), 'the Gateway API CRD is installed');
    const route = await get<HTTPRoute>(ns, 'httproute/web');
    const rule = headerRule(route, '1.0.0');
    assert.equal(rule?.name, 'switchyard-1-0-0-0');
    assert.deepEqual(rule?.backendRefs?.map((b) => b.name), ['web-1-0-0']);
    assert.deepEqual(defaultRules(route).flatMap((r) => r.backendRefs ?? []).map((b) => [b.name, b.weight]), [['web', 100]]);
  });

  test(`${helm.name}: an upgrade runs the new version beside the old one and moves no traffic`, async (t) => {
    const ns = await freshNamespace(t);
    assertOk(await upgrade(helm, ns, ['httpRoute.enabled=true']), 'first install');
    const selectorBefore = await selectorText(ns, 'web');
    const routeBefore = await get<HTTPRoute>(ns, 'httproute/web');

    assertOk(await upgrade(helm, ns, ['httpRoute.enabled=true', 'image.tag=2.0.0']), 'upgrade to 2.0.0');

    const v2 = await get<KubeObject<{ replicas: number }>>(ns, 'deployment/web-2-0-0');
    assert.equal(v2.spec.replicas, 1);
    const v1 = await get<KubeObject<{ replicas: number }>>(ns, 'deployment/web-1-0-0');
    assert.equal(v1.metadata.annotations?.['helm.sh/resource-policy'], 'keep');
    assert.equal(v1.spec.replicas, 2, 'the stable version keeps its replicas');

    assert.equal(await selectorText(ns, 'web'), selectorBefore, 'the stable Service selector is byte for byte unchanged');
    const route = await get<HTTPRoute>(ns, 'httproute/web');
    assert.deepEqual(weights(route), { '1.0.0': 100, '2.0.0': 0 });
    assert.deepEqual(defaultRules(route), defaultRules(routeBefore), 'the traffic-carrying rules are unchanged');
    assert.deepEqual(defaultRules(route).flatMap((r) => r.backendRefs ?? []).map((b) => [b.name, b.weight]), [['web', 100]]);
    const rule = headerRule(route, '2.0.0');
    assert.equal(rule?.name, 'switchyard-2-0-0-0');
    assert.deepEqual(rule?.backendRefs?.map((b) => b.name), ['web-2-0-0']);
  });

  test(`${helm.name}: with the NGINX router an upgrade adds a canary Ingress at weight 0 and the chart's Ingress stays on the stable Service`, async (t) => {
    const ns = await freshNamespace(t);
    assertOk(await upgrade(helm, ns, ['ingress.enabled=true']), 'first install');
    assert.deepEqual(await names(ns, 'ingresses'), ['web']);
    assert.deepEqual(ingressBackends(await get<Ingress>(ns, 'ingress/web')), ['web']);
    const selectorBefore = await selectorText(ns, 'web');

    assertOk(await upgrade(helm, ns, ['ingress.enabled=true', 'image.tag=2.0.0']), 'upgrade to 2.0.0');

    assert.deepEqual(ingressBackends(await get<Ingress>(ns, 'ingress/web')), ['web']);
    assert.equal(await selectorText(ns, 'web'), selectorBefore, 'the stable Service selector is byte for byte unchanged');
    const canary = await get<Ingress>(ns, 'ingress/web-canary');
    const annotations = canary.metadata.annotations ?? {};
    assert.equal(annotations['nginx.ingress.kubernetes.io/canary'], 'true');
    assert.equal(annotations['nginx.ingress.kubernetes.io/canary-weight'], '0');
    assert.equal(annotations['nginx.ingress.kubernetes.io/canary-by-header'], 'x-version');
    assert.equal(annotations['nginx.ingress.kubernetes.io/canary-by-header-value'], '2.0.0');
    assert.deepEqual(ingressBackends(canary), ['web-2-0-0']);
  });

  test(`${helm.name}: a release installed without the post-renderer is adopted, and its old pods keep serving alone without a rollout`, async (t) => {
    const ns = await freshNamespace(t);
    assertOk(await upgrade(helm, ns, [], { plain: true }), 'install without the post-renderer');
    assertOk(await kubectl(['-n', ns, 'wait', '--for=condition=Available', 'deployment/web', '--timeout=60s']), 'web Available');
    const before = await get<KubeObject<object>>(ns, 'deployment/web');
    const [replicaSet, ...others] = await replicaSetsOf(ns, 'web');
    assert.ok(replicaSet !== undefined && others.length === 0, 'web has one ReplicaSet');
    const hash = replicaSet.metadata.labels?.['pod-template-hash'];
    assert.ok(hash, 'the ReplicaSet has a pod-template-hash');
    const oldPods = await list(ns, 'pods', `pod-template-hash=${hash}`);
    const oldIps = oldPods.map((p) => p.status?.podIP ?? '').sort();
    // The endpoint controller follows pods becoming ready on its own schedule: wait for it.
    await waitFor(async () => JSON.stringify(await readyEndpointIps(ns, 'web')) === JSON.stringify(oldIps), { timeoutMs: 30_000 }).catch(() => undefined);
    assert.deepEqual(await readyEndpointIps(ns, 'web'), oldIps, 'before: web serves the old pods');

    const watch = watchEndpoints(ns, 'web');
    t.after(() => watch.stop());
    await waitFor(() => watch.output.includes('ADDED'), { timeoutMs: 15_000 });
    assertOk(await upgrade(helm, ns, ['image.tag=2.0.0']), 'upgrade with the post-renderer');

    assert.ok((await names(ns, 'deployments')).includes('web-2-0-0'), 'web-2-0-0 exists');
    const service = await get<KubeObject<{ selector: Labels }>>(ns, 'service/web');
    assert.equal(service.spec.selector['pod-template-hash'], hash, 'the Service selects only the old ReplicaSet');
    // The EndpointSlice controller follows the selector change asynchronously.
    await waitFor(async () => isDeepStrictEqual(await readyEndpointIps(ns, 'web'), oldIps), { timeoutMs: 15_000 }).catch(() => {});
    assert.deepEqual(await readyEndpointIps(ns, 'web'), oldIps, 'after: web serves exactly the old pods');
    assertServedThroughout(await watch.stop(), oldIps);

    // No rollout: the same ReplicaSet, the same pods, the same revision and pod template.
    const after = await get<KubeObject<object>>(ns, 'deployment/web');
    const [replicaSetAfter, ...othersAfter] = await replicaSetsOf(ns, 'web');
    assert.equal(replicaSetAfter?.metadata.uid, replicaSet.metadata.uid, 'web keeps its ReplicaSet');
    assert.equal(othersAfter.length, 0, 'web got no new ReplicaSet');
    assert.deepEqual((await list(ns, 'pods', `pod-template-hash=${hash}`)).map((p) => p.metadata.uid).sort(), oldPods.map((p) => p.metadata.uid).sort());
    assert.equal(after.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.deepEqual(after.spec, before.spec, 'the Deployment spec is unchanged');
    const added = Object.entries(after.metadata.annotations ?? {}).filter(([k, v]) => before.metadata.annotations?.[k] !== v);
    assert.equal(after.metadata.generation, before.metadata.generation,
      `Deployment web: generation ${before.metadata.generation} → ${after.metadata.generation} with an unchanged spec; ` +
      `annotations the upgrade added or changed: ${JSON.stringify(Object.fromEntries(added))} (the API server bumps a Deployment's generation on annotation changes)`);
  });

  test(`${helm.name}: rendering only reads: get/list/watch Roles are enough, and without list on deployments it exits 4`, async (t) => {
    const ns = await freshNamespace(t);
    assertOk(await upgrade(helm, ns, ['httpRoute.enabled=true']), 'first install');
    await settle(ns);
    const template = await run(helm.binary, ['template', 'web', chart, '-n', ns, '--set', 'httpRoute.enabled=true', '--set', 'image.tag=2.0.0'], { env: helm.env });
    assertOk(template, 'helm template');

    const documented = await kubeconfigWithRole(t, ns, 'switchyard-read', documentedReadRules());
    const asDocumented = await run(postRenderer, ['--namespace', ns], { input: template.stdout, env: { KUBECONFIG: documented.path } });
    assertOk(asDocumented, 'post-render with the documented Role switchyard-read');
    assert.equal(renderedStableVersion(asDocumented.stdout), '1.0.0');
    const reader = await kubeconfigWithRole(t, ns, 'reader', readOnlyRules);
    const rendered = await run(postRenderer, ['--namespace', ns], { input: template.stdout, env: { KUBECONFIG: reader.path } });
    assertOk(rendered, 'post-render as the read-only ServiceAccount');
    assert.match(rendered.stdout, /name: web-2-0-0\n/);
    assert.equal(renderedStableVersion(rendered.stdout), '1.0.0', 'the live stable version was read from the cluster');
    const underHelm = await run(helm.binary, ['template', 'web', chart, '-n', ns, '--set', 'httpRoute.enabled=true', '--set', 'image.tag=2.0.0', ...helm.postRenderer],
      { env: { ...helm.env, KUBECONFIG: reader.path } });
    assertOk(underHelm, 'helm template --post-renderer as the read-only ServiceAccount');
    assert.equal(renderedStableVersion(underHelm.stdout), '1.0.0');

    // With full rights it still writes nothing.
    const before = await snapshot(ns);
    assertOk(await run(postRenderer, ['--namespace', ns], { input: template.stdout }), 'post-render as cluster admin');
    assert.deepEqual(await snapshot(ns), before, 'rendering left every object as it was');

    const noList = await kubeconfigWithRole(t, ns, 'no-list', withoutListDeployments);
    const refused = await run(postRenderer, ['--namespace', ns], { input: template.stdout, env: { KUBECONFIG: noList.path } });
    assert.equal(refused.code, 4, refused.stderr);
    assert.equal(refused.stdout, '');
    const lines = refused.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `expected one line, got:\n${refused.stderr}`);
    assert.match(lines[0]!, /^switchyard-postrender: error: .*cannot list resource "deployments"/);
    assert.ok(!refused.stderr.includes(noList.token), 'the token is not printed');
  });

  test(`${helm.name}: a failing post-render fails the upgrade and changes nothing in the namespace`, async (t) => {
    const ns = await freshNamespace(t);
    assertOk(await upgrade(helm, ns, ['httpRoute.enabled=true']), 'first install');
    await settle(ns);
    const before = await snapshot(ns);

    const failed = await upgrade(helm, ns, ['httpRoute.enabled=true', 'image.tag=2.0.0'], { extra: ['--post-renderer-args=--version=+++'] });

    assert.notEqual(failed.code, 0);
    assert.doesNotMatch(failed.stdout, /kind:/);
    assert.match(failed.stderr, /UPGRADE FAILED: error while running post render/);
    assert.deepEqual(await snapshot(ns), before, 'no object was created, deleted or changed (not even the pre-upgrade hook Job)');
    const history = await run(helm.binary, ['history', 'web', '-n', ns, '-o', 'json'], { env: helm.env });
    assertOk(history, 'helm history');
    assert.deepEqual((JSON.parse(history.stdout) as { revision: number; status: string }[]).map((r) => [r.revision, r.status]), [[1, 'deployed']]);
    // Helm 4 drops a plugin's stderr: the next test checks how the reason reaches the user there.
    if (helm.errorIncludesPostRendererStderr) assert.match(failed.stderr, REASON);
  });

  // Helm 3 puts the post-renderer's stderr in its own error, so the reason is there whatever
  // helm's stderr is. Helm 4 hides a plugin's stderr: the post-renderer then writes the line
  // to the stderr of the helm process itself when it can reopen it (a terminal, a pipe, a
  // file opened for appending), else to /dev/tty, and always records it for
  // `switchyard-postrender --last-error` ($XDG_STATE_HOME/switchyard/last-error). A socket
  // cannot be reopened, and helm's own message overwrites the line in a truncated `2>file`:
  // there, `--last-error` is how the user gets the reason.
  const lastErrorOnly = helm.errorIncludesPostRendererStderr ? '' : ' (Helm 4: for a socket and 2>file, from switchyard-postrender --last-error)';
  test(`${helm.name}: the reason of a failed upgrade reaches the user when helm's stderr is a pipe, a socket, a file or a file opened for appending${lastErrorOnly}`, async (t) => {
    const ns = await freshNamespace(t);
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-stderr-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const stateHome = join(dir, 'state');
    const lastErrorFile = join(stateHome, 'switchyard', 'last-error');
    const helmEnv = { ...helm.env, XDG_STATE_HOME: stateHome };
    const failing = ['upgrade', '--install', 'web', chart, '-n', ns, ...helm.postRenderer, '--post-renderer-args=--version=+++'];
    const throughShell = async (redirect: string): Promise<string> => {
      const log = join(dir, 'helm.err');
      writeFileSync(log, '');
      const out = await run('sh', ['-c', `"$@" ${redirect}`, 'sh', helm.binary, ...failing], { env: { ...helmEnv, LOG: log } });
      return out.stdout + readFileSync(log, 'utf8');
    };
    // What helm's stderr is in practice: a pipe (shells, CI runners, `| tee`); a Unix socket
    // when a Node.js program starts helm (execa, zx, @actions/exec; this harness too) or a
    // systemd unit logs to the journal; a log file, truncated or appended to. `inStderr`:
    // whether the reason must be in helm's stderr itself.
    const helm4 = !helm.errorIncludesPostRendererStderr;
    const stderrKinds: { kind: string; stderrOf: () => Promise<string>; inStderr: boolean }[] = [
      { kind: 'a pipe (2>&1 >/dev/null | cat)', stderrOf: () => throughShell('2>&1 >/dev/null | cat'), inStderr: true },
      { kind: 'a socket (spawned by Node.js)', stderrOf: async () => (await run(helm.binary, failing, { env: helmEnv })).stderr, inStderr: !helm4 },
      { kind: 'a file (2>file)', stderrOf: () => throughShell('>/dev/null 2>"$LOG"'), inStderr: !helm4 },
      { kind: 'a file opened for appending (2>>file)', stderrOf: () => throughShell('>/dev/null 2>>"$LOG"'), inStderr: true },
    ];

    const missing: string[] = [];
    for (const { kind, stderrOf, inStderr } of stderrKinds) {
      rmSync(lastErrorFile, { force: true });
      const text = await stderrOf();
      assert.match(text, /Error: .*post render/, `${kind}: helm reports a failed post-render`);
      if (inStderr && !REASON.test(text)) missing.push(`${kind}: not in helm's stderr, which holds only: ${JSON.stringify(text)}`);
      if (helm4) {
        // Recorded every time, so it is there afterwards whatever helm's stderr was.
        const last = await run(postRenderer, ['--last-error'], { env: { XDG_STATE_HOME: stateHome } });
        if (last.code !== 0 || !REASON.test(last.stdout)) {
          missing.push(`${kind}: switchyard-postrender --last-error exited ${last.code} with stdout ${JSON.stringify(last.stdout)}, stderr ${JSON.stringify(last.stderr)}`);
        }
      }
    }
    assert.deepEqual(missing, [], `the reason did not reach the user when helm's stderr was:\n${missing.join('\n')}`);
    assert.deepEqual(await names(ns, 'secrets'), [], 'no release was recorded');
  });
}
