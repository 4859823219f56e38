import type { Cluster } from '../lib/cluster.ts';
import { kubectl } from '../lib/cluster.ts';
import { startCountingProxy } from '../lib/count-proxy.ts';
import { Api } from '../lib/kube.ts';
import { paths, runTimed } from '../lib/proc.ts';
import { progress, section, table } from '../lib/report.ts';
import { median, ms, summarize, verdict } from '../lib/stats.ts';
import { canary, must } from './common.ts';
import type { Counts } from './common.ts';

const LIST_NAMESPACES = 10;

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
export async function createApps(api: Api, namespaces: string[], from: number, to: number): Promise<number> {
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

/** (b) `list -A` with 10 and then `apps` apps: wall time, CPU and the number of API requests. */
export async function listScaling(cluster: Cluster, work: string, { runs, apps }: Counts): Promise<void> {
  const namespaces: string[] = [];
  for (let i = 0; i < LIST_NAMESPACES; i++) namespaces.push(await cluster.namespace(`list${i}`));
  const proxy = await startCountingProxy(cluster.api.target, work);
  const rows: string[][] = [];
  const calls: string[] = [];
  let created = 0;
  let at1000 = Number.NaN;
  try {
    for (const size of [10, apps]) {
      const took = await createApps(cluster.api, namespaces, created, size);
      progress(`(b) created ${(size - created) * 2} objects in ${ms(took)}`);
      created = size;
      const listed = must(await canary(undefined, ['list', '-A']), 'list -A').stdout.trim().split('\n').length - 1;
      const viaKubectl: number[] = [];
      const cpu: number[] = [];
      const direct: number[] = [];
      const json: number[] = [];
      const get: number[] = [];
      for (let r = 0; r < runs; r++) {
        const t = must(await runTimed(paths.kubectl, ['canary', 'list', '-A'], { rusage: true }), 'list -A');
        viaKubectl.push(t.ms);
        cpu.push(t.cpuMs ?? Number.NaN);
        direct.push(must(await runTimed(paths.canary, ['list', '-A']), 'list -A').ms);
        json.push(must(await runTimed(paths.canary, ['list', '-A', '-o', 'json'], { keepStdout: false }), 'list -A -o json').ms);
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
      if (size === apps) at1000 = s.median;
      rows.push([`${size} (+ ${listed - size} of others)`, ms(s.median), ms(s.p90), ms(median(cpu)), ms(median(direct)), ms(median(json)), ms(median(get)), counts.join(' / ')]);
    }
  } finally {
    await proxy.close();
  }
  section(`(b) kubectl canary list -A: ${runs} runs per size; API requests counted by a TLS-terminating proxy (3 runs)`,
    table(['apps (bench + teammates\')', 'list -A median', 'p90', 'CPU', 'dist/kubectl-canary list -A', '… -o json', 'kubectl get deploy -A -l role', 'API requests'], rows),
    [
      ...calls.map((c) => `requests with ${c}`),
      `each app: a state ConfigMap (${Buffer.byteLength(stateOf('app-0000', 0))} bytes of state JSON) and a versioned Deployment (replicas 0, paused: no ReplicaSet),`,
      `spread over ${LIST_NAMESPACES} namespaces; list -A also lists every app the teammates' tests have in the cluster at that moment.`,
      '-o json reads and builds the same views but skips the table renderer; CPU is kubectl plus the plugin, from /usr/bin/time.',
      `target: list -A over ${apps} apps < 1 s: ${ms(at1000)} → ${verdict(at1000 < 1000)}; API requests constant: see the last column`,
    ]);
}
