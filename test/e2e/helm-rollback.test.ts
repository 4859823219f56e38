// Helm's own `helm rollback` and `helm upgrade --atomic` (Helm 3) / `--rollback-on-failure`
// (Helm 4) against a release that switchyard manages, with the real binaries (issue 4).
// DESIGN.md invariants 2 (only switchyard moves traffic), 3 (traffic never goes to a
// version without ready pods) and 6 (rollback is a switchyard flip, not a Helm re-deploy).
//
// Helm re-applies a revision's stored manifest, which the post-renderer rendered when that
// revision was deployed, without running the post-renderer again. So it puts back the
// stable selector and the weights annotation that were live *then*. Each test prints what
// it found after every step (t.diagnostic); what follows is what they measured (helm
// v3.17.2 and v4.1.4, kubectl canary 0.1.0). Both Helms behaved the same, apart from the
// wording of their errors.
//
// (a) 1.0.0 (rev 1), 2.0.0 (rev 2), `kubectl canary run` (2.0.0 stable, web-1-0-0 at 0
//     replicas), then `helm rollback web 1`:
//     - helm exits 1: Helm 3 `Error: no Deployment with the name "web-1-0-0" found`, Helm 4
//       `Error: original object Deployment with the name "web-1-0-0" not found`. Rev 2's
//       manifest does not hold web-1-0-0 (a render emits only the version it deploys; older
//       ones stay through `helm.sh/resource-policy: keep`), and Helm refuses to update an
//       object that exists but is not in the current release. Rev 3 is recorded `failed`.
//     - It fails at the Deployments, but Helm applies in kind order and Services come
//       first: Service web already selects 1.0.0, which has 0 replicas. All production
//       traffic goes to no pod. Per-version Services: unchanged (equal in both revisions).
//     - Not reached: the Deployments (web-1-0-0 stays at 0, web-2-0-0 at 2/2 ready), the
//       HTTPRoute (weights {"2.0.0":100,"1.0.0":0}, main rule → Service web 100, header
//       rules for 1.0.0 and 2.0.0), the state ConfigMap (stable 2.0.0, Healthy).
//     - `kubectl canary status web` exits 0 and reports Healthy, 2.0.0 stable at 100%: it
//       shows the stored state, not the selector that is live.
//     - A `helm upgrade` (same values) after this keeps Service web on 1.0.0: the
//       post-renderer takes the live selector as the stable version (measured by hand).
//     - `kubectl canary run web --wait` exits 0 and puts Service web back on 2.0.0 (ready)
//       1-4.5 s after it starts: Healthy `settle` re-applies the stored state, reverting
//       the rollback. It records no history entry and no Event for that.
// (a2) As (a), then a `helm upgrade` with the same values (rev 3), then `helm rollback web 2`:
//     - helm exits 0, `Rollback was a success! Happy Helming!`: rev 2 holds the same
//       Deployment (web-2-0-0) as rev 3, so nothing stops it.
//     - Service web → 1.0.0 (0 replicas): no pod serves. web-2-0-0 → 1 replica (what rev 2
//       rendered for a new canary). HTTPRoute weights annotation → {"1.0.0":100,"2.0.0":0}
//       (main rule still → Service web 100; header rules unchanged). State: 2.0.0 Healthy.
//     - status: exit 0, Healthy, 2.0.0 stable at 100% (1/1 ready).
//     - run: exit 0 within 1-4 s; Service web back on 2.0.0, annotation back to
//       {"2.0.0":100,"1.0.0":0}, no history entry; but web-2-0-0 stays at 1 replica of the
//       chart's 2: half capacity, and nothing says so.
// (b) As (a) up to the promotion, then an upgrade to 3.0.0 whose pods never become Ready,
//     with `--atomic` (Helm 3) / `--rollback-on-failure` (Helm 4) `--wait --timeout 20s`:
//     - The upgrade (rev 3) adds web-3-0-0 (1 replica, 0%) and moves no traffic. After 20 s
//       helm rolls back to rev 2, and that rollback fails as in (a) on Deployment web-2-0-0
//       (not in rev 3's manifest). helm exits 1: `UPGRADE FAILED: an error occurred while
//       rolling back the release. original upgrade error: …: no Deployment with the name
//       "web-2-0-0" found` (Helm 4: `original object Deployment with the name "web-2-0-0"
//       not found`). Rev 3 superseded, rev 4 failed, rev 2 still `deployed`.
//     - Left behind: Service web → 1.0.0 (rev 2 rendered 1.0.0 as stable), which has 0
//       replicas: no pod serves. web-3-0-0 stays (keep) at 1 replica, 0/1 ready, with its
//       Service and header rule; weights {"2.0.0":100,"1.0.0":0,"3.0.0":0}; state unchanged.
//     - status: exit 0, Progressing 2.0.0 → 3.0.0, "2.0.0 stable 100%".
//     - run --progress-deadline 20s: starts the rollout of 3.0.0 and waits for it *without
//       first repairing the selector*: Service web stays on 1.0.0 (no ready pod) for the
//       whole progress deadline (measured: until 20.6-22.2 s after the run started; the
//       default deadline is 10 min), until the abort re-applies the traffic (→ 2.0.0) and
//       scales 3.0.0 to 0. Exit 1. (`kubectl canary abort web` instead restores 2.0.0 in ~2 s.)
//
// What the tests assert are the safety properties we need, not Helm's behaviour:
// `kubectl canary status` does not exit 0 while the stable Service sends traffic to a
// version with no ready pod; the next `kubectl canary run` restores traffic to a ready
// version within a few seconds, before it waits for anything; after it, exactly one version
// is selected by the stable Service, every route weight and backend points at ready pods,
// and status agrees with what is live. Unsafe findings are collected and reported together
// at the end of each test, so every observation is still made and printed. With 0.1.0 all
// six tests fail: status exits 0 during the outage (fix: pkg/rollout/status.ts and world.ts
// compare the live selector and its readiness with the stored state), and in (b) run waits
// on 3.0.0 with no pod serving (fix: pkg/rollout/decide-settle.ts restoreTraffic repairs drifted traffic in every
// phase, before it waits).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { suite, test, type TestContext } from 'node:test';
import {
  assertOk, canary, deployChart, env, freshNamespace, getJson, helm, kubectl, toolPaths, waitFor,
  type HelmMajor, type RunResult,
} from './harness.ts';

const VERSION = 'switchyard.dev/version';
/** How long the next `run` may take to put traffic back on a ready version. */
const RESTORE_WITHIN_S = 10;

type Labels = Record<string, string>;
interface Meta { name: string; labels?: Labels; annotations?: Labels }
interface Deployment { metadata: Meta; spec: { replicas?: number }; status?: { readyReplicas?: number } }
interface Service { metadata: Meta; spec: { selector?: Labels } }
interface RouteRule { name?: string; matches?: { headers?: { name: string; value: string }[] }[]; backendRefs?: { name: string; weight?: number }[] }
interface HTTPRoute { metadata: Meta; spec: { rules: RouteRule[] } }
interface RolloutStatus { phase: string; stable: string; canary?: string; weight: number; versions: { version: string; role: string; weight: number; readyReplicas: number }[] }
interface StoredState { stable: string; canary?: string; phase: string; retained: { version: string }[] }
interface Slice { endpoints?: { conditions?: { ready?: boolean }; targetRef?: { name: string } }[] }

/** `helm upgrade --install web testdata/chart` at `version` with the post-renderer. */
function deploy(major: HelmMajor, ns: string, version: string, extra: string[] = []): Promise<RunResult> {
  return deployChart(major, ns, version, { extra, timeoutMs: 150_000 });
}

/** 1.0.0 (rev 1), 2.0.0 (rev 2), then `run` promotes 2.0.0 and scales 1.0.0 to 0. */
async function promoted(major: HelmMajor, ns: string): Promise<void> {
  assertOk(await deploy(major, ns, '1.0.0'), 'install 1.0.0');
  assertOk(await deploy(major, ns, '2.0.0'), 'upgrade to 2.0.0');
  assertOk(await canary(ns, ['run', 'web', '--wait', '--scale-down-delay', '0'], { timeoutMs: 90_000 }), 'run 2.0.0');
}

// ---- what is live ----

interface Live {
  /** The version Service web selects. */
  selected: string | undefined;
  /** Per-version and preview Services → the version they select. */
  services: Record<string, string | undefined>;
  deployments: Record<string, { replicas: number; ready: number }>;
  /** Deployment of each version. */
  byVersion: Record<string, { replicas: number; ready: number }>;
  weights: Record<string, number>;
  /** Backends of the header-less rules. */
  main: { name: string; weight: number }[];
  /** Header value → backends of the header rules. */
  headers: Record<string, string[]>;
  state: StoredState | undefined;
}

async function live(ns: string): Promise<Live> {
  const [services, deployments, route, state] = await Promise.all([
    getJson<{ items: Service[] }>(ns, 'services'),
    getJson<{ items: Deployment[] }>(ns, 'deployments'),
    getJson<HTTPRoute>(ns, 'httproute', 'web'),
    getJson<{ data?: { state?: string } }>(ns, 'configmap', 'switchyard.web').catch(() => undefined),
  ]);
  const out: Live = { selected: undefined, services: {}, deployments: {}, byVersion: {}, weights: {}, main: [], headers: {}, state: undefined };
  for (const s of services.items) {
    if (s.metadata.name === 'web') out.selected = s.spec.selector?.[VERSION];
    else out.services[s.metadata.name] = s.spec.selector?.[VERSION];
  }
  for (const d of deployments.items) {
    const r = { replicas: d.spec.replicas ?? 1, ready: d.status?.readyReplicas ?? 0 };
    out.deployments[d.metadata.name] = r;
    const version = d.metadata.labels?.[VERSION];
    if (version !== undefined) out.byVersion[version] = r;
  }
  out.weights = JSON.parse(route.metadata.annotations?.['switchyard.dev/weights'] ?? '{}') as Record<string, number>;
  for (const rule of route.spec.rules) {
    const header = (rule.matches ?? []).flatMap((m) => m.headers ?? []).find((h) => h.name === 'x-version');
    const backends = rule.backendRefs ?? [];
    if (header === undefined) out.main.push(...backends.map((b) => ({ name: b.name, weight: b.weight ?? 1 })));
    else out.headers[header.value] = backends.map((b) => b.name);
  }
  if (state?.data?.state !== undefined) {
    const s = JSON.parse(state.data.state) as StoredState;
    out.state = { stable: s.stable, phase: s.phase, retained: s.retained.map((r) => ({ version: r.version })), ...(s.canary === undefined ? {} : { canary: s.canary }) };
  }
  return out;
}

/** One line per kind of object, for the diagnostics. */
function describe(l: Live): string {
  const deps = Object.entries(l.deployments).map(([n, r]) => `${n} ${r.ready}/${r.replicas}`).join(', ');
  const svcs = Object.entries(l.services).map(([n, v]) => `${n}→${v}`).join(', ');
  const headers = Object.entries(l.headers).map(([v, b]) => `${v}→${b.join('+')}`).join(', ');
  const state = l.state === undefined ? 'none' : `stable ${l.state.stable}${l.state.canary === undefined ? '' : ` canary ${l.state.canary}`} ${l.state.phase} retained [${l.state.retained.map((r) => r.version).join(', ')}]`;
  return [
    `Service web → ${l.selected ?? '(no version)'}; per-version Services: ${svcs}`,
    `Deployments (ready/replicas): ${deps}`,
    `HTTPRoute weights ${JSON.stringify(l.weights)}; main rule ${l.main.map((b) => `${b.name}=${b.weight}`).join(', ')}; header rules ${headers}`,
    `state ConfigMap: ${state}`,
  ].join('\n  ');
}

/** The version a Service named in a route sends to. */
function versionOf(l: Live, service: string): string | undefined {
  return service === 'web' ? l.selected : l.services[service];
}

const readyPods = (l: Live, version: string | undefined): number => (version === undefined ? 0 : l.byVersion[version]?.ready ?? 0);

/** Where production traffic goes to a version with no ready pod, or to no single version. */
function trafficProblems(l: Live): string[] {
  const problems: string[] = [];
  if (l.selected === undefined) problems.push('Service web selects no single version');
  else if (readyPods(l, l.selected) === 0) problems.push(`Service web selects ${l.selected}, which has no ready pod`);
  for (const b of l.main.filter((x) => x.weight > 0)) {
    const v = versionOf(l, b.name);
    if (b.name !== 'web' && readyPods(l, v) === 0) problems.push(`the route sends weight ${b.weight} to Service ${b.name} (${v ?? 'no version'}), which has no ready pod`);
  }
  for (const [v, w] of Object.entries(l.weights)) {
    if (w > 0 && readyPods(l, v) === 0) problems.push(`the route's weights annotation gives ${v} ${w}%, and it has no ready pod`);
  }
  return problems;
}

async function status(ns: string): Promise<{ code: number; view?: RolloutStatus; stderr: string }> {
  const r = await canary(ns, ['status', 'web', '-o', 'json']);
  let view: RolloutStatus | undefined;
  try {
    view = JSON.parse(r.stdout) as RolloutStatus;
  } catch {
    view = undefined;
  }
  return { code: r.code, stderr: r.stderr, ...(view === undefined ? {} : { view }) };
}

/** The versions of the pods behind Service web's ready endpoints. */
async function servedVersions(ns: string): Promise<string[]> {
  const [slices, pods] = await Promise.all([
    getJson<{ items: Slice[] }>(ns, 'endpointslices', '-l', 'kubernetes.io/service-name=web'),
    getJson<{ items: { metadata: Meta }[] }>(ns, 'pods'),
  ]);
  const versionOfPod = new Map(pods.items.map((p) => [p.metadata.name, p.metadata.labels?.[VERSION] ?? '?']));
  const names = slices.items.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready === true).map((e) => e.targetRef?.name ?? '?'));
  return [...new Set(names.map((n) => versionOfPod.get(n) ?? '?'))].sort();
}

/** Service web's selected version and each version's ready pods, as the watches saw them over time. */
interface TrafficTimeline {
  /** Both watches have listed what exists. */
  synced(): boolean;
  stop(): Promise<void>;
  /** Spans (seconds after `since`) in which Service web selected a version with no ready pod. */
  unreadySpans(since: number): { from: number; until: number; selected: string | undefined }[];
}

/** Watches Service web and the app's Deployments, stamping each event with when it arrived. */
function watchTraffic(ns: string): TrafficTimeline {
  const events: { at: number; kind: 'svc' | 'dep'; fields: string[] }[] = [];
  const seen = { svc: false, dep: false };
  const children = ([
    ['svc', ['get', 'service', '--field-selector', 'metadata.name=web', '-o', 'jsonpath={.type} {.object.spec.selector.switchyard\\.dev/version}{"\\n"}']],
    ['dep', ['get', 'deployments', '-l', 'switchyard.dev/app=web', '-o', 'jsonpath={.type} {.object.metadata.labels.switchyard\\.dev/version} {.object.status.readyReplicas}{"\\n"}']],
  ] as const).map(([kind, args]) => {
    const child = spawn(toolPaths.kubectl, ['-n', ns, ...args, '--watch', '--output-watch-events'], { env: env(), stdio: ['ignore', 'pipe', 'ignore'] });
    let partial = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const at = performance.now();
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines.filter((l) => l.trim() !== '')) {
        events.push({ at, kind, fields: line.trim().split(/\s+/) });
        seen[kind] = true;
      }
    });
    return { child, exited: new Promise<void>((done) => child.on('close', () => done())) };
  });
  return {
    synced: () => seen.svc && seen.dep,
    async stop() {
      for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.all(children.map((c) => c.exited));
    },
    unreadySpans(since) {
      let selected: string | undefined;
      const ready = new Map<string, number>();
      const spans: { from: number; until: number; selected: string | undefined }[] = [];
      let open: { from: number; until: number; selected: string | undefined } | undefined;
      for (const e of [...events].sort((x, y) => x.at - y.at)) {
        const [type, version, count] = e.fields;
        if (e.kind === 'svc') selected = type === 'DELETED' ? undefined : version;
        else if (version !== undefined) ready.set(version, type === 'DELETED' ? 0 : Number(count ?? 0) || 0);
        const at = Math.max(0, (e.at - since) / 1000);
        const bad = selected === undefined || (ready.get(selected) ?? 0) === 0;
        if (bad && open === undefined) open = { from: at, until: Infinity, selected };
        else if (bad && open !== undefined) open.selected = selected;
        else if (!bad && open !== undefined) {
          spans.push({ ...open, until: at });
          open = undefined;
        }
      }
      if (open !== undefined) spans.push(open);
      return spans.filter((s) => s.until > 0);
    },
  };
}

/**
 * Records status and live objects, flags a status that exits 0 while Service web serves
 * no pod, then runs `kubectl canary run web --wait` while watching Service web and the
 * readiness of the version it selects, and checks what the run left.
 */
async function statusThenRun(t: TestContext, ns: string, unsafe: string[]): Promise<{ run: RunResult; after: Live }> {
  const before = await live(ns);
  const st = await status(ns);
  t.diagnostic(`status: exit ${st.code}, ${st.view === undefined ? st.stderr.trim() : `phase ${st.view.phase}, stable ${st.view.stable}, canary ${st.view.canary ?? '-'}, versions ${st.view.versions.map((v) => `${v.version} ${v.role} ${v.weight}% ready ${v.readyReplicas}`).join('; ')}`}`);
  const outage = trafficProblems(before);
  if (outage.length > 0 && st.code === 0) {
    unsafe.push(`status exited 0 (phase ${st.view?.phase}, stable ${st.view?.stable}) while ${outage.join('; ')}`);
  }

  const timeline = watchTraffic(ns);
  t.after(() => timeline.stop());
  await waitFor(() => timeline.synced(), { timeoutMs: 15_000, intervalMs: 50 });
  const started = performance.now();
  const run = await kubectl(['canary', 'run', 'web', '--wait', '--progress-deadline', '20s', '-n', ns], { timeoutMs: 120_000 });
  const seconds = (performance.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 500)); // let the watches deliver the run's last writes
  await timeline.stop();
  const unready = timeline.unreadySpans(started);
  const lastBad = unready.at(-1);
  const until = (s: number): string => (Number.isFinite(s) ? `${s.toFixed(1)} s after the run started` : 'the end of the run and after');
  const history = (run.stdout + run.stderr).split('\n').filter((line) => /^\d\d:\d\d:\d\d /.test(line)).map((line) => line.trim());
  t.diagnostic(`run --wait: exit ${run.code} after ${seconds.toFixed(1)} s; ` +
    (lastBad === undefined ? 'Service web selected a version with ready pods throughout' : `Service web selected ${lastBad.selected ?? 'no version'}, with no ready pod, until ${until(lastBad.until)}`));
  t.diagnostic(`run history: ${history.length === 0 ? '(no entry)' : `\n  ${history.join('\n  ')}`}`);
  if (lastBad !== undefined && lastBad.until > RESTORE_WITHIN_S) {
    unsafe.push(`during run, Service web selected ${lastBad.selected ?? 'no version'} (no ready pod) until ${until(lastBad.until)}; ` +
      `it must restore traffic to a ready version within ${RESTORE_WITHIN_S} s, before it waits for anything`);
  }

  const after = await live(ns);
  t.diagnostic(`after run:\n  ${describe(after)}`);
  unsafe.push(...trafficProblems(after).map((p) => `after run: ${p}`));
  // Exactly one version serves behind Service web (the EndpointSlice controller follows the
  // selector asynchronously), and it is the selected one.
  const served = await waitFor(async () => {
    const v = await servedVersions(ns);
    return v.length === 1 && v[0] === after.selected ? v : undefined;
  }, { timeoutMs: 15_000 }).catch(async () => servedVersions(ns));
  if (served.length !== 1 || served[0] !== after.selected) {
    unsafe.push(`after run: Service web's ready endpoints are pods of [${served.join(', ')}], not of exactly the selected ${after.selected ?? '(none)'}`);
  }
  const final = await status(ns);
  if (final.view === undefined) unsafe.push(`after run: status failed: ${final.stderr.trim()}`);
  else {
    const stables = final.view.versions.filter((v) => v.role === 'stable').map((v) => v.version);
    if (stables.length !== 1 || final.view.stable !== after.selected) {
      unsafe.push(`after run: status says stable ${final.view.stable} (stable roles [${stables.join(', ')}]) but Service web selects ${after.selected ?? '(none)'}`);
    }
  }
  if (after.state?.stable !== after.selected) unsafe.push(`after run: the state ConfigMap says stable ${after.state?.stable ?? '(none)'}, Service web selects ${after.selected ?? '(none)'}`);
  return { run, after };
}

function helmOutcome(r: RunResult): string {
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  return `exit ${r.code}${lines.length > 0 ? `, stderr: ${lines.slice(-2).join(' / ')}` : `, stdout: ${r.stdout.trim().split('\n').at(-1) ?? ''}`}`;
}

async function helmHistory(major: HelmMajor, ns: string): Promise<string> {
  const r = await helm(major, ['history', 'web', '-n', ns, '-o', 'json']);
  if (r.code !== 0) return `helm history failed: ${r.stderr.trim()}`;
  return (JSON.parse(r.stdout) as { revision: number; status: string; description: string }[]).map((h) => `${h.revision} ${h.status} (${h.description})`).join('; ');
}

// ---- the tests ----

suite('helm rollback and --atomic / --rollback-on-failure on a release switchyard manages', { concurrency: true }, () => {
  for (const major of [3, 4] as const) {
    test(`Helm ${major}: helm rollback to the revision before a promotion, then status and run`, async (t) => {
      const ns = await freshNamespace(t);
      await promoted(major, ns);
      const before = await live(ns);
      t.diagnostic(`after the promotion:\n  ${describe(before)}`);
      assert.deepEqual(trafficProblems(before), [], 'precondition: traffic on ready pods');

      const rollback = await helm(major, ['rollback', 'web', '1', '-n', ns], { timeoutMs: 90_000 });
      t.diagnostic(`helm rollback web 1: ${helmOutcome(rollback)}`);
      t.diagnostic(`helm history: ${await helmHistory(major, ns)}`);
      t.diagnostic(`after helm rollback:\n  ${describe(await live(ns))}`);

      const unsafe: string[] = [];
      const { run } = await statusThenRun(t, ns, unsafe);
      assertOk(run, 'run after helm rollback');
      assert.deepEqual(unsafe, [], `unsafe after helm ${major} rollback:\n- ${unsafe.join('\n- ')}`);
    });

    test(`Helm ${major}: helm rollback to an earlier revision of the same version succeeds, then status and run`, async (t) => {
      const ns = await freshNamespace(t);
      await promoted(major, ns);
      assertOk(await deploy(major, ns, '2.0.0'), 'upgrade with the same values (rev 3)');
      t.diagnostic(`after rev 3:\n  ${describe(await live(ns))}`);

      const rollback = await helm(major, ['rollback', 'web', '2', '-n', ns], { timeoutMs: 90_000 });
      t.diagnostic(`helm rollback web 2: ${helmOutcome(rollback)}`);
      t.diagnostic(`helm history: ${await helmHistory(major, ns)}`);
      t.diagnostic(`after helm rollback:\n  ${describe(await live(ns))}`);

      const unsafe: string[] = [];
      const { run, after } = await statusThenRun(t, ns, unsafe);
      assertOk(run, 'run after helm rollback');
      const stable = after.selected === undefined ? undefined : after.byVersion[after.selected];
      if (stable !== undefined && stable.replicas < 2) t.diagnostic(`capacity: the stable ${after.selected} runs ${stable.replicas} of the chart's 2 replicas after run`);
      assert.deepEqual(unsafe, [], `unsafe after helm ${major} rollback:\n- ${unsafe.join('\n- ')}`);
    });

    const flag = major === 3 ? '--atomic' : '--rollback-on-failure';
    test(`Helm ${major}: ${flag} upgrade to a version that never becomes ready, then status and run`, async (t) => {
      const ns = await freshNamespace(t);
      await promoted(major, ns);

      const started = performance.now();
      const failed = await deploy(major, ns, '3.0.0', ['--set-string', 'podLabels.switchyard\\.test/never-ready=true', flag, '--wait', '--timeout', '20s']);
      t.diagnostic(`helm upgrade ${flag} to 3.0.0: ${helmOutcome(failed)} after ${((performance.now() - started) / 1000).toFixed(1)} s`);
      t.diagnostic(`helm history: ${await helmHistory(major, ns)}`);
      t.diagnostic(`after the failed upgrade and Helm's rollback:\n  ${describe(await live(ns))}`);
      assert.notEqual(failed.code, 0, 'the upgrade to a never-ready version fails');

      const unsafe: string[] = [];
      const { run, after } = await statusThenRun(t, ns, unsafe);
      assert.notEqual(run.code, 0, `run must not succeed with 3.0.0 never ready\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
      if (after.weights['3.0.0'] !== undefined && after.weights['3.0.0'] > 0) unsafe.push(`after run: 3.0.0 still has ${after.weights['3.0.0']}%`);
      assert.deepEqual(unsafe, [], `unsafe after helm ${major} ${flag}:\n- ${unsafe.join('\n- ')}`);
    });
  }
});
