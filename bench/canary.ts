// npm run bench:canary [-- --runs 9 --rounds 3 --apps 1000]
//
// kubectl canary against the local cluster: start-up, `list -A` over many apps (with the
// number of API requests counted by a proxy), the orchestration overhead of a 4-step canary
// beyond what the cluster needs to make pods ready, and how fast a bad canary is rolled back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Cluster, deployWeb, kubectl } from './lib/cluster.ts';
import { startCountingProxy } from './lib/count-proxy.ts';
import { Api } from './lib/kube.ts';
import { Recorder, rolledOut, scaleUps } from './lib/observe.ts';
import type { DeploymentLike, ScaleUp } from './lib/observe.ts';
import { paths, runTimed } from './lib/proc.ts';
import type { Timed } from './lib/proc.ts';
import { header, machineState, out, progress, section, table } from './lib/report.ts';
import { median, ms, summarize, verdict } from './lib/stats.ts';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '9' },
    rounds: { type: 'string', default: '3' },
    apps: { type: 'string', default: '1000' },
  },
});
const RUNS = Math.min(30, Math.max(1, Number(flags.runs)));
const ROUNDS = Math.min(10, Math.max(1, Number(flags.rounds)));
const APPS = Math.min(5000, Math.max(20, Number(flags.apps)));
const LIST_NAMESPACES = 10;
const DEADLINE_S = 5;

/** `kubectl canary <args> -n <ns>`, through kubectl's plugin lookup as users run it. */
function canary(ns: string | undefined, args: readonly string[], timeoutMs = 120_000, rusage = false): Promise<Timed> {
  return runTimed(paths.kubectl, ['canary', ...args, ...(ns === undefined ? [] : ['-n', ns])], { timeoutMs, rusage });
}

function must(t: Timed, what: string, codes: number[] = [0]): Timed {
  if (!codes.includes(t.code)) throw new Error(`${what} exited ${t.code}: ${t.stderr.trim().slice(-1500)}`);
  return t;
}

/** Waits until the app's versioned Deployment of `version` is rolled out. */
async function rolledOutVersion(ns: string, version: string): Promise<void> {
  must(await kubectl(['-n', ns, 'rollout', 'status', `deployment/web-${version.replaceAll('.', '-')}`, '--timeout=90s'], { timeoutMs: 100_000 }), `rollout status ${version}`);
}

// (a) ------------------------------------------------------------------------------------

async function startup(ns: string): Promise<void> {
  const cases: [string, string, string[]][] = [
    ['node -e "" (Node start-up, for scale)', process.execPath, ['-e', '']],
    ['kubectl canary --help', paths.kubectl, ['canary', '--help']],
    ['kubectl canary status web', paths.kubectl, ['canary', 'status', 'web', '-n', ns]],
    ['dist/kubectl-canary status web (no kubectl)', paths.canary, ['status', 'web', '-n', ns]],
    ['kubectl get deploy', paths.kubectl, ['get', 'deploy', '-n', ns]],
  ];
  const times = cases.map(() => [] as number[]);
  const cpu = cases.map(() => [] as number[]);
  progress(`(a) start-up: ${RUNS} rounds`);
  for (let r = 0; r < RUNS + 1; r++) {
    for (const [i, [name, cmd, args]] of cases.entries()) {
      const t = must(await runTimed(cmd, args, { rusage: true }), name);
      if (r === 0) continue;
      times[i]!.push(t.ms);
      cpu[i]!.push(t.cpuMs ?? Number.NaN);
    }
  }
  const get = median(times[4]!);
  const status = median(times[2]!);
  section(`(a) start-up: ${RUNS} runs each after one warm-up, interleaved`,
    table(['command', 'wall median', 'min', 'p90', '× kubectl get', 'CPU (user+sys)'], cases.map(([name], i) => {
      const s = summarize(times[i]!);
      return [name, ms(s.median), ms(s.min), ms(s.p90), `${(s.median / get).toFixed(2)}×`, ms(median(cpu[i]!))];
    })),
    ['CPU is the process tree\'s (kubectl plus the plugin it starts), from /usr/bin/time; it moves less than wall time on a busy machine.',
      `target: status within 2× of kubectl get deploy: ${(status / get).toFixed(2)}× → ${verdict(status <= 2 * get)}`]);
}

// (b) ------------------------------------------------------------------------------------

const STEPS = [10, 25, 50, 100];

/** A state as `kubectl canary` leaves it after promoting 2.0.0 over 1.0.0 (pkg/rollout/state.ts). */
function stateOf(app: string, at: number): string {
  const iso = (dt: number): string => new Date(at + dt).toISOString();
  const history = [
    { at: iso(0), event: 'RolloutStarted', message: `rolling out 2.0.0 (stable 1.0.0) in ${STEPS.length} steps`, version: '2.0.0' },
    ...STEPS.flatMap((w, i) => [
      { at: iso(i * 1000 + 10), event: 'Scaled', message: `2.0.0 scaled to ${Math.max(1, Math.ceil(w / 50))} replicas`, version: '2.0.0' },
      { at: iso(i * 1000 + 500), event: 'WeightSet', message: `2.0.0 receives ${w}% of traffic (step ${i + 1}/${STEPS.length})`, version: '2.0.0', weight: w },
    ]),
    { at: iso(5000), event: 'Promoted', message: '2.0.0 is stable; 1.0.0 retained', version: '2.0.0' },
    { at: iso(5100), event: 'ScaledDown', message: '1.0.0 scaled down (kept for rollback)', version: '1.0.0' },
  ];
  return JSON.stringify({
    schema: 1, app, strategy: 'canary', router: 'gateway', header: 'x-version', phase: 'Healthy', stable: '2.0.0', weight: 0,
    steps: STEPS.map((weight) => ({ kind: 'weight', weight })), step: STEPS.length, retained: [{ version: '1.0.0', scaleDownAt: iso(5100) }],
    history, updatedAt: iso(5100),
  }, null, 1);
}

/** A versioned Deployment shaped like the post-renderer's, at 0 replicas and paused (no ReplicaSet, no pods). */
function deploymentOf(app: string, ns: string): object {
  const labels = { 'app.kubernetes.io/name': app, 'app.kubernetes.io/instance': app, 'app.kubernetes.io/version': '2.0.0', 'switchyard.dev/app': app, 'switchyard.dev/version': '2.0.0' };
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: `${app}-2-0-0`, namespace: ns, labels: { ...labels, 'switchyard.dev/role': 'workload' }, annotations: { 'switchyard.dev/rendered': 'true', 'switchyard.dev/strategy': 'canary' } },
    spec: {
      replicas: 0, paused: true,
      selector: { matchLabels: { 'app.kubernetes.io/name': app, 'app.kubernetes.io/instance': app, 'switchyard.dev/app': app, 'switchyard.dev/version': '2.0.0' } },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'web', image: 'registry.example/web:2.0.0', ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: { httpGet: { path: '/healthz', port: 'http' } } }] },
      },
    },
  };
}

/** Creates apps `from` ≤ i < `to`, spread over `namespaces`, 32 requests in flight. */
async function createApps(api: Api, namespaces: string[], from: number, to: number): Promise<number> {
  const started = performance.now();
  const tasks: (() => Promise<unknown>)[] = [];
  for (let i = from; i < to; i++) {
    const app = `app-${String(i).padStart(4, '0')}`;
    const ns = namespaces[i % namespaces.length]!;
    tasks.push(() => api.must('POST', `/api/v1/namespaces/${ns}/configmaps`, {
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name: `switchyard.${app}`, namespace: ns, labels: { 'switchyard.dev/app': app, 'switchyard.dev/role': 'state' } },
      data: { state: stateOf(app, Date.now()) },
    }));
    tasks.push(() => api.must('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, deploymentOf(app, ns)));
  }
  await Api.pool(tasks, 32);
  return performance.now() - started;
}

async function listScaling(cluster: Cluster, work: string): Promise<void> {
  const namespaces: string[] = [];
  for (let i = 0; i < LIST_NAMESPACES; i++) namespaces.push(await cluster.namespace(`list${i}`));
  const proxy = await startCountingProxy(cluster.api.target, work);
  const rows: string[][] = [];
  const calls: string[] = [];
  let created = 0;
  let at1000 = Number.NaN;
  try {
    for (const size of [10, APPS]) {
      const took = await createApps(cluster.api, namespaces, created, size);
      progress(`(b) created ${(size - created) * 2} objects in ${ms(took)}`);
      created = size;
      const listed = must(await canary(undefined, ['list', '-A']), 'list -A').stdout.trim().split('\n').length - 1;
      const viaKubectl: number[] = [];
      const cpu: number[] = [];
      const direct: number[] = [];
      const get: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        const t = must(await runTimed(paths.kubectl, ['canary', 'list', '-A'], { rusage: true }), 'list -A');
        viaKubectl.push(t.ms);
        cpu.push(t.cpuMs ?? Number.NaN);
        direct.push(must(await runTimed(paths.canary, ['list', '-A']), 'list -A').ms);
        get.push(must(await kubectl(['get', 'deploy', '-A', '-l', 'switchyard.dev/role=workload']), 'get deploy').ms);
      }
      const counts: number[] = [];
      for (let r = 0; r < 3; r++) {
        proxy.reset();
        must(await runTimed(paths.canary, ['list', '-A', '--kubeconfig', proxy.kubeconfig]), 'list -A via proxy');
        counts.push(proxy.requests.length);
        if (r === 0) calls.push(`${size} apps: ${proxy.requests.join(', ')}`);
      }
      const s = summarize(viaKubectl);
      if (size === APPS) at1000 = s.median;
      rows.push([`${size} (+ ${listed - size} of others)`, ms(s.median), ms(s.p90), ms(median(cpu)), ms(median(direct)), ms(median(get)), counts.join(' / ')]);
    }
  } finally {
    await proxy.close();
  }
  section(`(b) kubectl canary list -A: ${RUNS} runs per size; API requests counted by a TLS-terminating proxy (3 runs)`,
    table(['apps (bench + teammates\')', 'list -A median', 'p90', 'CPU', 'dist/kubectl-canary list -A', 'kubectl get deploy -A -l role', 'API requests'], rows),
    [
      ...calls.map((c) => `requests with ${c}`),
      `each app: a state ConfigMap (${Buffer.byteLength(stateOf('app-0000', 0))} bytes of state JSON) and a versioned Deployment (replicas 0, paused: no ReplicaSet),`,
      `spread over ${LIST_NAMESPACES} namespaces; list -A also lists every app the teammates' tests have in the cluster at that moment.`,
      `target: list -A over ${APPS} apps < 1 s: ${ms(at1000)} → ${verdict(at1000 < 1000)}; API requests constant: see the last column`,
    ]);
}

// (c) ------------------------------------------------------------------------------------

interface Overhead {
  version: string;
  wall: number;
  cluster: number;
  ups: ScaleUp[];
  exit: number;
  cpu: number;
}

/** Deploys `version` (its Deployment starts at the first step's size) and waits until that is ready, untimed. */
async function deployCanary(ns: string, version: string): Promise<string> {
  await deployWeb(ns, version, { replicas: 4 });
  await rolledOutVersion(ns, version);
  return `web-${version.replaceAll('.', '-')}`;
}

const RUN_ARGS = ['run', 'web', '--wait', '--steps', '25,50,75,100', '--scale-down-delay', '0', '--timeout', '120s'];

async function overhead(cluster: Cluster, ns: string, version: string): Promise<Overhead> {
  const name = await deployCanary(ns, version);
  const recorder = await Recorder.start<DeploymentLike>(cluster.api, `/apis/apps/v1/namespaces/${ns}/deployments?labelSelector=switchyard.dev%2Fapp%3Dweb`);
  try {
    const run = await canary(ns, RUN_ARGS, 150_000, true);
    await new Promise((r) => setTimeout(r, 200));
    const ups = scaleUps(recorder.events, name);
    const clusterMs = ups.reduce((sum, u) => sum + ((u.readyAt ?? run.endedAt) - u.askedAt), 0);
    return { version, wall: run.ms, cluster: clusterMs, ups, exit: run.code, cpu: run.cpuMs ?? Number.NaN };
  } finally {
    recorder.stop();
  }
}

/** The cluster alone: a plain Deployment put through the same scale-ups by API calls, each until rolled out. */
async function baseline(cluster: Cluster, ns: string, ups: readonly ScaleUp[]): Promise<number> {
  const path = `/apis/apps/v1/namespaces/${ns}/deployments`;
  const recorder = await Recorder.start<DeploymentLike>(cluster.api, `${path}?fieldSelector=metadata.name%3Dbaseline`);
  const scaleTo = async (n: number): Promise<number> => {
    const started = performance.now();
    const patched = await cluster.api.must<DeploymentLike>('PATCH', `${path}/baseline`, { spec: { replicas: n } }, 'application/merge-patch+json');
    const generation = patched.metadata.generation ?? 0;
    await recorder.waitFor((e) => (e.object.metadata.generation ?? 0) >= generation && rolledOut(e.object), 60_000, started);
    return performance.now() - started;
  };
  try {
    let total = 0;
    for (const [i, up] of ups.entries()) {
      if (i === 0 || ups[i - 1]!.to !== up.from) await scaleTo(up.from);
      total += await scaleTo(up.to);
    }
    await cluster.api.must('PATCH', `${path}/baseline`, { spec: { replicas: 0 } }, 'application/merge-patch+json');
    await recorder.waitFor((e) => (e.object.spec.replicas ?? 1) === 0 && (e.object.status?.replicas ?? 0) === 0, 60_000);
    return total;
  } finally {
    recorder.stop();
  }
}

/** The API requests of one run, through the counting proxy, grouped by kind. */
async function requestsOfRun(cluster: Cluster, ns: string, version: string, work: string): Promise<string> {
  await deployCanary(ns, version);
  const proxy = await startCountingProxy(cluster.api.target, work);
  try {
    must(await runTimed(paths.canary, [...RUN_ARGS, '-n', ns, '--kubeconfig', proxy.kubeconfig], { timeoutMs: 150_000 }), 'run via proxy');
    const kinds = new Map<string, number>();
    for (const r of proxy.requests) {
      const kind = r.startsWith('GET') && /[?&]watch=(1|true)/.test(r) ? 'watch' : r.split(' ')[0]!;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    return `${proxy.requests.length} API requests (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')})`;
  } finally {
    await proxy.close();
  }
}

async function orchestration(cluster: Cluster, ns: string, work: string): Promise<number> {
  // The same pod template as the app, under labels no Service selects.
  const web = await cluster.api.must<{ spec: { template: { spec: object } } }>('GET', `/apis/apps/v1/namespaces/${ns}/deployments/web-1-0-0`);
  const labels = { 'switchyard.bench/baseline': 'true' };
  await cluster.api.must('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'baseline', namespace: ns },
    spec: { replicas: 0, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: web.spec.template.spec } },
  });
  const results: Overhead[] = [];
  const baselines: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const version = `${r + 2}.0.0`;
    progress(`(c) round ${r + 1}/${ROUNDS}: ${version}`);
    const o = await overhead(cluster, ns, version);
    results.push(o);
    baselines.push(await baseline(cluster, ns, o.ups));
  }
  progress(`(c) one more round through the counting proxy: ${ROUNDS + 2}.0.0`);
  const requests = await requestsOfRun(cluster, ns, `${ROUNDS + 2}.0.0`, work);
  const steps = (o: Overhead): string => o.ups.map((u) => `${u.from}→${u.to} ${ms((u.readyAt ?? Number.NaN) - u.askedAt)}`).join(', ');
  const rows = results.map((o, i) => [o.version, String(o.exit), ms(o.wall), ms(o.cluster), ms(o.wall - o.cluster), ms(baselines[i]!), ms(o.wall - baselines[i]!), ms(o.cpu), steps(o)]);
  const medWall = median(results.map((o) => o.wall));
  const medOverhead = median(results.map((o) => o.wall - o.cluster));
  const medBaseOverhead = median(results.map((o, i) => o.wall - baselines[i]!));
  rows.push(['median', '', ms(medWall), ms(median(results.map((o) => o.cluster))), ms(medOverhead), ms(median(baselines)), ms(medBaseOverhead), ms(median(results.map((o) => o.cpu))), '']);
  section(`(c) orchestration overhead: run --wait --steps 25,50,75,100 --scale-down-delay 0, stable at 4 replicas, ${ROUNDS} rounds`,
    table(['version', 'exit', 'run --wait', 'cluster (in run)', 'overhead', 'cluster (baseline)', 'overhead vs baseline', 'CPU of the run', 'scale-ups in the run (asked → ready)'], rows),
    [
      'The new version is deployed with its first step\'s replica (1) and that is ready before the run starts. cluster (in run):',
      'for each scale-up of the canary, from the watch event carrying the new spec.replicas to the first one showing them all',
      'updated, ready and available, summed. cluster (baseline): a plain Deployment with the same pod template put through the',
      'same scale-ups by API calls from this process. Overhead = run --wait wall time − cluster time; it includes kubectl\'s',
      `plugin lookup and Node start-up (see (a)). CPU of the run: kubectl + the plugin, user + system. One more run through the`,
      `counting proxy made ${requests}.`,
      `target: overhead < 1 s: ${ms(medOverhead)} (vs baseline ${ms(medBaseOverhead)}) → ${verdict(medOverhead < 1000)}`,
    ]);
  return ROUNDS + 3;
}

// (d) ------------------------------------------------------------------------------------

interface StateLike {
  phase: string;
  stable: string;
  canary?: string;
  stepStartedAt?: string;
  history: { at: string; event: string; version?: string }[];
}
interface Obj {
  metadata: { name: string; resourceVersion?: string; annotations?: Record<string, string> };
  spec?: { selector?: Record<string, string>; replicas?: number };
  data?: Record<string, string>;
}

async function badCanary(cluster: Cluster, ns: string, version: string, stable: string): Promise<string[]> {
  await deployWeb(ns, version, { replicas: 4, neverReady: true });
  const name = `web-${version.replaceAll('.', '-')}`;
  const base = `/api/v1/namespaces/${ns}`;
  const [cm, route, svc, dep] = await Promise.all([
    Recorder.start<Obj>(cluster.api, `${base}/configmaps?fieldSelector=metadata.name%3Dswitchyard.web`),
    Recorder.start<Obj>(cluster.api, `/apis/gateway.networking.k8s.io/v1/namespaces/${ns}/httproutes?fieldSelector=metadata.name%3Dweb`),
    Recorder.start<Obj>(cluster.api, `${base}/services?fieldSelector=metadata.name%3Dweb`),
    Recorder.start<Obj>(cluster.api, `/apis/apps/v1/namespaces/${ns}/deployments?fieldSelector=metadata.name%3D${name}`),
  ]);
  try {
    const run = await canary(ns, ['run', 'web', '--wait', '--progress-deadline', `${DEADLINE_S}s`, '--steps', '25,50,75,100', '--timeout', '60s'], 90_000);
    await new Promise((r) => setTimeout(r, 300));
    const epoch = (perf: number): number => performance.timeOrigin + perf;
    const states = cm.events.map((e) => ({ e, s: JSON.parse(e.object.data?.state ?? '{}') as StateLike }));
    const started = states.map(({ s }) => s).find((s) => s.canary === version && s.stepStartedAt !== undefined)?.stepStartedAt;
    if (started === undefined) throw new Error(`(d) ${version}: no step start recorded; run exited ${run.code}: ${run.stderr.slice(-800)}`);
    const fired = Date.parse(started) + DEADLINE_S * 1000;
    const degraded = states.find(({ s }) => s.phase === 'Degraded' && s.canary === version);
    const aborted = degraded?.s.history.find((h) => h.event === 'Aborted' && h.version === version)?.at;
    const weights = (o: Obj): Record<string, number> => JSON.parse(o.metadata.annotations?.['switchyard.dev/weights'] ?? '{}') as Record<string, number>;
    const onStable = (o: Obj): boolean => weights(o)[stable] === 100 && (weights(o)[version] ?? 0) === 0;
    const routeLeft = route.events.some((e) => !onStable(e.object));
    const routeBack = route.events.find((e) => e.epoch >= fired && onStable(e.object));
    const svcLeft = svc.events.some((e) => e.object.spec?.selector?.['switchyard.dev/version'] !== stable);
    const scaledUp = dep.events.findIndex((e) => (e.object.spec?.replicas ?? 0) > 0);
    const scaledDown = scaledUp < 0 ? undefined : dep.events.slice(scaledUp).find((e) => e.object.spec?.replicas === 0);
    const after = (t: number | undefined): string => (t === undefined ? '-' : `${Math.round(t - fired)} ms`);
    const back = Math.max(degraded?.e.epoch ?? Infinity, scaledDown?.epoch ?? Infinity, routeLeft ? (routeBack?.epoch ?? Infinity) : -Infinity);
    return [version, String(run.code), after(aborted === undefined ? undefined : Date.parse(aborted)), after(degraded?.e.epoch),
      routeLeft ? after(routeBack?.epoch) : 'never left stable', svcLeft ? 'LEFT stable' : 'never left stable',
      after(scaledDown?.epoch), after(epoch(run.endedAt)), Number.isFinite(back) ? `${Math.round(back - fired)}` : '-'];
  } finally {
    for (const r of [cm, route, svc, dep]) r.stop();
  }
}

async function rollbackLatency(cluster: Cluster, ns: string, firstVersion: number, stable: string): Promise<number> {
  const rows: string[][] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const version = `${firstVersion + r}.0.0`;
    progress(`(d) round ${r + 1}/${ROUNDS}: ${version} (never ready)`);
    rows.push(await badCanary(cluster, ns, version, stable));
  }
  const backs = rows.map((row) => Number(row[8]));
  const med = median(backs);
  section(`(d) bad canary: never-ready version, --progress-deadline ${DEADLINE_S}s, ${ROUNDS} rounds; times after the deadline fired`,
    table(['version', 'exit', 'Aborted recorded', 'state Degraded seen', 'route on stable', 'Service on stable', 'canary scaled to 0 seen', 'process exit', 'rolled back (ms)'], rows.map((r) => r)),
    [
      `the deadline fires at the step's stepStartedAt (stored in the state) + ${DEADLINE_S} s; "seen" times are watch events received by`,
      'this process (same clock). With a version that is never ready the first step never shifts traffic, so the route and the',
      'Service stay on stable throughout; "rolled back" is the last of: state Degraded, canary scaled to 0 (and route back, had it moved).',
      `target: < 2 s after the deadline: median ${Number.isFinite(med) ? `${Math.round(med)} ms` : '-'} → ${verdict(med < 2000)}`,
    ]);
  return firstVersion + ROUNDS;
}

/** (d′) A canary that carries traffic (held at 50 % with set-weight) and is aborted: spawn → route and Service on stable. */
async function abortLatency(cluster: Cluster, ns: string, firstVersion: number, stable: string): Promise<void> {
  const rows: string[][] = [];
  const backs: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const version = `${firstVersion + r}.0.0`;
    progress(`(d′) round ${r + 1}/${ROUNDS}: ${version} held at 50 %, then aborted`);
    await deployCanary(ns, version);
    must(await canary(ns, ['set-weight', 'web', '50']), 'set-weight 50');
    const route = await Recorder.start<Obj>(cluster.api, `/apis/gateway.networking.k8s.io/v1/namespaces/${ns}/httproutes?fieldSelector=metadata.name%3Dweb`);
    try {
      const weights = (o: Obj): Record<string, number> => JSON.parse(o.metadata.annotations?.['switchyard.dev/weights'] ?? '{}') as Record<string, number>;
      const held = route.events.at(-1);
      if (held === undefined || weights(held.object)[version] !== 50) throw new Error(`(d′) ${version}: route not at 50 % after set-weight: ${JSON.stringify(held?.object.metadata.annotations)}`);
      const run = canary(ns, ['abort', 'web']);
      const back = route.waitFor((e) => weights(e.object)[stable] === 100 && (weights(e.object)[version] ?? 0) === 0, 30_000, performance.now() - 1).then((e) => e.at, () => Number.NaN);
      const aborted = must(await run, 'abort', [0, 1]);
      const latency = (await back) - aborted.startedAt;
      backs.push(latency);
      rows.push([version, String(aborted.code), ms(latency), ms(aborted.ms)]);
    } finally {
      route.stop();
    }
  }
  const med = median(backs);
  section(`(d′) abort of a canary carrying 50 % of the traffic (held with set-weight 50), ${ROUNDS} rounds`,
    table(['version', 'exit', 'spawn → route back on stable', 'process exit'], rows),
    ['"route back on stable": the watch sees the HTTPRoute\'s switchyard.dev/weights annotation give stable 100 and the canary 0.',
      `same yardstick as (d): < 2 s: median ${ms(med)} → ${verdict(med < 2000)}`]);
}

// ----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  header('bench:canary — kubectl canary against the local cluster', [
    'Wall times are whole processes (spawn to exit) of `kubectl canary …`, found by kubectl on PATH as users run it.',
    'Targets: (a) status within 2× of kubectl get deploy; (b) list -A over 1,000 apps < 1 s with a constant number of',
    'API requests; (c) orchestration overhead of a 4-step canary < 1 s; (d) bad canary back on stable < 2 s after its deadline.',
  ]);
  const cluster = await Cluster.connect();
  const work = mkdtempSync(join(tmpdir(), 'switchyard-bench-canary-'));
  try {
    const ns = await cluster.namespace('canary');
    await deployWeb(ns, '1.0.0', { replicas: 4 });
    await rolledOutVersion(ns, '1.0.0');
    must(await canary(ns, ['run', 'web', '--wait']), 'run 1.0.0');
    await startup(ns);
    const next = await orchestration(cluster, ns, work);
    const afterBad = await rollbackLatency(cluster, ns, next, `${next - 1}.0.0`);
    await abortLatency(cluster, ns, afterBad, `${next - 1}.0.0`);
    await listScaling(cluster, work);
    out(`\nafter: ${machineState()}\n`);
  } finally {
    await cluster.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
}

await main().catch((err: unknown) => {
  out(`\nbench:canary failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
