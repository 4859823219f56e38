// npm run bench:flip [-- --flips 20]
//
// Blue-green flip latency: from the start of `kubectl bluegreen switch|rollback` to the stable
// Service selecting the target version, seen by a watch, with both versions warm (full size).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Cluster, deployWeb, kubectl } from './lib/cluster.ts';
import { shortRequests, startCountingProxy } from './lib/count-proxy.ts';
import { Recorder, rolledOut } from './lib/observe.ts';
import type { DeploymentLike } from './lib/observe.ts';
import { paths, runTimed } from './lib/proc.ts';
import type { Timed } from './lib/proc.ts';
import { header, machineState, out, progress, section, table } from './lib/report.ts';
import { median, ms, summarize, verdict } from './lib/stats.ts';

const { values: flags } = parseArgs({ options: { flips: { type: 'string', default: '20' } } });
const FLIPS = Math.min(100, Math.max(2, Number(flags.flips)));
const VERSION_LABEL = 'switchyard.dev/version';
const BLUE = '1.0.0';
const GREEN = '2.0.0';

interface Service {
  metadata: { name: string };
  spec: { selector?: Record<string, string> };
}

interface Flip {
  kind: 'switch' | 'rollback';
  target: string;
  warm: boolean;
  /** Spawn → the Service's selector names the target (watch event). */
  selected: number;
  /** Spawn → process exit. */
  exit: number;
  code: number;
  /** What the plugin itself reports: "the switch took N ms". */
  reported: number;
  /** CPU time of kubectl and the plugin. */
  cpu: number;
}

function bluegreen(ns: string, args: readonly string[], opts: { kubeconfig?: string; onStart?: (pid: number, at: number) => void } = {}): Promise<Timed> {
  if (opts.kubeconfig !== undefined) return runTimed(paths.bluegreen, [...args, '-n', ns, '--kubeconfig', opts.kubeconfig], { timeoutMs: 60_000 });
  return runTimed(paths.kubectl, ['bluegreen', ...args, '-n', ns], { timeoutMs: 60_000, onStart: opts.onStart, rusage: true });
}

function must(t: Timed, what: string): Timed {
  if (t.code !== 0) throw new Error(`${what} exited ${t.code}: ${t.stderr.trim().slice(-1500)}`);
  return t;
}

/** The command that makes `target` active: the first flip promotes the preview, later ones go back and forth. */
function command(i: number): { kind: Flip['kind']; target: string; args: string[] } {
  if (i % 2 === 1) return { kind: 'rollback', target: BLUE, args: ['rollback', 'web', '--scale-down-delay', '0'] };
  return { kind: 'switch', target: GREEN, args: i === 0 ? ['switch', 'web', '--scale-down-delay', '0'] : ['switch', 'web', '--to', GREEN, '--scale-down-delay', '0'] };
}

async function warm(cluster: Cluster, ns: string): Promise<boolean> {
  const list = await cluster.api.must<{ items: DeploymentLike[] }>('GET', `/apis/apps/v1/namespaces/${ns}/deployments?labelSelector=switchyard.dev%2Frole%3Dworkload`);
  const byVersion = new Map(list.items.map((d) => [d.metadata.labels?.[VERSION_LABEL], d]));
  return [BLUE, GREEN].every((v) => {
    const d = byVersion.get(v);
    return d !== undefined && (d.spec.replicas ?? 0) >= 2 && rolledOut(d);
  });
}

async function flipOnce(cluster: Cluster, ns: string, services: Recorder<Service>, i: number): Promise<Flip> {
  const { kind, target, args } = command(i);
  const isWarm = await warm(cluster, ns);
  let spawnedAt = performance.now();
  const run = bluegreen(ns, args, { onStart: (_pid, at) => { spawnedAt = at; } });
  const selected = services.waitFor((e) => e.object.spec.selector?.[VERSION_LABEL] === target, 30_000, performance.now() - 1)
    .then((e) => e.at, () => Number.NaN);
  const done = must(await run, args.join(' '));
  const seenAt = await selected;
  const reported = /the switch took (\d+) ms/.exec(done.stderr)?.[1];
  return { kind, target, warm: isWarm, selected: seenAt - spawnedAt, exit: done.ms, code: done.code, reported: reported === undefined ? Number.NaN : Number(reported), cpu: done.cpuMs ?? Number.NaN };
}

async function main(): Promise<void> {
  header('bench:flip — kubectl bluegreen switch / rollback latency', [
    'From spawning `kubectl bluegreen switch|rollback web --scale-down-delay 0` (through kubectl\'s plugin lookup) to a watch',
    'on the stable Service `web` seeing its selector name the target version. Both versions are kept at full size',
    `(--scale-down-delay 0 keeps the old one hot). ${FLIPS} flips alternating switch/rollback. Target: median < 300 ms.`,
  ]);
  const cluster = await Cluster.connect();
  const work = mkdtempSync(join(tmpdir(), 'switchyard-bench-flip-'));
  try {
    const ns = await cluster.namespace('flip');
    await deployWeb(ns, BLUE, { strategy: 'bluegreen' });
    await kubectl(['-n', ns, 'rollout', 'status', 'deployment/web-1-0-0', '--timeout=90s'], { timeoutMs: 100_000 });
    await deployWeb(ns, GREEN, { strategy: 'bluegreen' });
    must(await runTimed(paths.kubectl, ['bluegreen', 'run', 'web', '--wait', '--scale-down-delay', '0', '-n', ns], { timeoutMs: 120_000 }), 'bluegreen run');
    const services = await Recorder.start<Service>(cluster.api, `/api/v1/namespaces/${ns}/services?fieldSelector=metadata.name%3Dweb`);
    const flips: Flip[] = [];
    try {
      for (let i = 0; i < FLIPS; i++) {
        progress(`flip ${i + 1}/${FLIPS}`);
        flips.push(await flipOnce(cluster, ns, services, i));
      }
    } finally {
      services.stop();
    }

    const rows = (['switch', 'rollback', 'all'] as const).flatMap((kind) => {
      const set = flips.filter((f) => kind === 'all' || f.kind === kind);
      const sel = summarize(set.map((f) => f.selected));
      const exit = summarize(set.map((f) => f.exit));
      const rep = summarize(set.map((f) => f.reported).filter(Number.isFinite));
      return [[kind, String(set.length), ms(sel.median), ms(sel.p90), ms(sel.max), ms(exit.median), ms(rep.median), ms(median(set.map((f) => f.cpu)))]];
    });
    section('flip latency (spawn → Service selects the target)',
      table(['command', 'flips', 'median', 'p90', 'max', 'process exit (median)', 'plugin\'s own "switch took" (median)', 'CPU (median)'], rows),
      [`warm before every flip (both Deployments at full size and ready): ${flips.every((f) => f.warm) ? 'yes' : `NO for flips ${flips.flatMap((f, i) => (f.warm ? [] : [i + 1])).join(', ')}`}`,
        `all flips, in order (ms): ${flips.map((f) => Math.round(f.selected)).join(' ')}`,
        'the plugin\'s own figure runs from its start (after Node start-up and loading its bundle) to the Promoted record;',
        'CPU is kubectl plus the plugin, user + system, from /usr/bin/time.']);

    // Where the time goes: start-up alone, and the API requests of one switch and one rollback.
    const startup = async (cmd: string, args: string[]): Promise<number> => {
      const t: number[] = [];
      for (let r = 0; r < 5; r++) t.push((await runTimed(cmd, args)).ms);
      return median(t);
    };
    const proxy = await startCountingProxy(cluster.api.target, work);
    const calls: string[] = [];
    try {
      for (const args of [['switch', 'web', '--to', flips.length % 2 === 0 ? GREEN : BLUE, '--scale-down-delay', '0'], ['rollback', 'web', '--scale-down-delay', '0']]) {
        proxy.reset();
        must(await bluegreen(ns, args, { kubeconfig: proxy.kubeconfig }), args.join(' '));
        const flipAt = proxy.requests.findIndex((r) => r.startsWith(`PATCH /api/v1/namespaces/${ns}/services/web`));
        calls.push(`API requests of one ${args[0]}: ${proxy.requests.length}; the Service selector PATCH is request #${flipAt + 1}, after: ${shortRequests(proxy.requests.slice(0, Math.max(0, flipAt))).join(', ')}`);
      }
    } finally {
      await proxy.close();
    }
    section('where the time goes', table(['what', 'median of 5'], [
      ['node -e "" (Node start-up)', ms(await startup(process.execPath, ['-e', '']))],
      ['dist/kubectl-bluegreen --help (bundle load)', ms(await startup(paths.bluegreen, ['--help']))],
      ['kubectl bluegreen --help (+ kubectl plugin lookup)', ms(await startup(paths.kubectl, ['bluegreen', '--help']))],
      ['kubectl get svc web (one API round trip from a CLI)', ms(await startup(paths.kubectl, ['get', 'svc', 'web', '-n', ns]))],
    ]), calls);

    const all = median(flips.map((f) => f.selected));
    section('target', table(['target', 'measured', 'verdict'], [['flip median < 300 ms', ms(all), verdict(all < 300)]]));
    out(`\nafter: ${machineState()}\n`);
  } finally {
    await cluster.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
}

await main().catch((err: unknown) => {
  out(`\nbench:flip failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
