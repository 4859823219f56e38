import type { Cluster } from '../lib/cluster.ts';
import { startCountingProxy } from '../lib/count-proxy.ts';
import { Recorder, rolledOut, scaleUps } from '../lib/observe.ts';
import type { DeploymentLike, ScaleUp } from '../lib/observe.ts';
import { paths, runTimed } from '../lib/proc.ts';
import { progress, section, table } from '../lib/report.ts';
import { median, ms, verdict } from '../lib/stats.ts';
import { canary, deployCanary, must } from './common.ts';

interface Overhead {
  version: string;
  wall: number;
  cluster: number;
  ups: ScaleUp[];
  exit: number;
  cpu: number;
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

/**
 * (c) `rounds` rollouts of versions 2.0.0, 3.0.0, …, then one more through the counting proxy.
 * Returns the major of the next version to deploy.
 */
export async function orchestration(cluster: Cluster, ns: string, work: string, rounds: number): Promise<number> {
  // The same pod template as the app, under labels no Service selects.
  const web = await cluster.api.must<{ spec: { template: { spec: object } } }>('GET', `/apis/apps/v1/namespaces/${ns}/deployments/web-1-0-0`);
  const labels = { 'switchyard.bench/baseline': 'true' };
  await cluster.api.must('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'baseline', namespace: ns },
    spec: { replicas: 0, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: web.spec.template.spec } },
  });
  const results: Overhead[] = [];
  const baselines: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const version = `${r + 2}.0.0`;
    progress(`(c) round ${r + 1}/${rounds}: ${version}`);
    const o = await overhead(cluster, ns, version);
    results.push(o);
    baselines.push(await baseline(cluster, ns, o.ups));
  }
  progress(`(c) one more round through the counting proxy: ${rounds + 2}.0.0`);
  const requests = await requestsOfRun(cluster, ns, `${rounds + 2}.0.0`, work);
  const steps = (o: Overhead): string => o.ups.map((u) => `${u.from}→${u.to} ${ms((u.readyAt ?? Number.NaN) - u.askedAt)}`).join(', ');
  const rows = results.map((o, i) => [o.version, String(o.exit), ms(o.wall), ms(o.cluster), ms(o.wall - o.cluster), ms(baselines[i]!), ms(o.wall - baselines[i]!), ms(o.cpu), steps(o)]);
  const medWall = median(results.map((o) => o.wall));
  const medOverhead = median(results.map((o) => o.wall - o.cluster));
  const medBaseOverhead = median(results.map((o, i) => o.wall - baselines[i]!));
  rows.push(['median', '', ms(medWall), ms(median(results.map((o) => o.cluster))), ms(medOverhead), ms(median(baselines)), ms(medBaseOverhead), ms(median(results.map((o) => o.cpu))), '']);
  section(`(c) orchestration overhead: run --wait --steps 25,50,75,100 --scale-down-delay 0, stable at 4 replicas, ${rounds} rounds`,
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
  return rounds + 3;
}
