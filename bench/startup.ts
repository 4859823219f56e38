// npm run bench:startup [-- --runs 15]
//
// Start-up of the bundle (dist/, `npm run build`) and of the standalone linux-amd64 binary
// (release/, `npm run dist -- --platform linux-amd64`) side by side with `kubectl version
// --client`: --help, version, the offline post-renderer on a typical chart, status
// against the local cluster beside `kubectl get deploy`, and `helm template` of the demo
// chart with and without the post-renderer reading the cluster. Interleaved runs after one warm-up.
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { must } from './canary/common.ts';
import { Cluster, deployWeb } from './lib/cluster.ts';
import { typicalChart } from './lib/corpus.ts';
import { paths, repoRoot, runTimed } from './lib/proc.ts';
import { header, machineState, out, progress, section, table } from './lib/report.ts';
import { median, ms, summarize, verdict } from './lib/stats.ts';

const { values: flags } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const RUNS = Math.min(50, Math.max(3, Number(flags.runs)));
const binary = join(repoRoot, 'release', 'stage', 'linux-amd64', 'switchyard');

interface Case { name: string; cmd: string; args: string[]; stdinFile?: string }

/** Wall and CPU (user + system, from GNU time) times of each case, in milliseconds. */
async function measure(cases: Case[]): Promise<{ wall: number[][]; cpu: number[][] }> {
  const wall = cases.map(() => [] as number[]);
  const cpu = cases.map(() => [] as number[]);
  for (let r = 0; r <= RUNS; r++) {
    for (const [i, c] of cases.entries()) {
      const t = must(await runTimed(c.cmd, c.args, { keepStdout: false, rusage: true, ...(c.stdinFile === undefined ? {} : { stdinFile: c.stdinFile }) }), c.name);
      if (r === 0) continue;
      wall[i]!.push(t.ms);
      cpu[i]!.push(t.cpuMs ?? Number.NaN);
    }
  }
  return { wall, cpu };
}

function report(title: string, cases: Case[], t: { wall: number[][]; cpu: number[][] }, refName: string): void {
  const ref = median(t.wall[0]!);
  const refCpu = median(t.cpu[0]!);
  section(title, table(['command', 'wall median', 'min', 'p90', `× ${refName}`, 'CPU median', `CPU × ${refName}`], cases.map((c, i) => {
    const s = summarize(t.wall[i]!);
    const cpu = median(t.cpu[i]!);
    return [c.name, ms(s.median), ms(s.min), ms(s.p90), `${(s.median / ref).toFixed(2)}×`, ms(cpu), `${(cpu / refCpu).toFixed(2)}×`];
  })), ['CPU is user + system time of the process tree (GNU time); on a busy machine it moves much less than wall time.']);
}

async function main(): Promise<void> {
  for (const [what, file, how] of [['bundle', paths.canary, 'npm run build'], ['binary', binary, 'npm run dist -- --platform linux-amd64']] as const) {
    if (!existsSync(file)) throw new Error(`no ${what} at ${file}: run ${how} first`);
  }
  header('bench:startup — start-up of the bundle and the standalone binary', [
    `Wall times, spawn to exit, ${RUNS} runs each after one warm-up, interleaved.`,
    'Targets: --help ≤ 3× kubectl version --client; status ≤ 2× kubectl get deploy; the post-renderer adds ≤ 150 ms to helm template.',
  ]);
  const work = mkdtempSync(join(tmpdir(), 'switchyard-bench-startup-'));
  const cluster = await Cluster.connect();
  try {
    for (const name of ['kubectl-canary', 'switchyard-postrender']) symlinkSync(binary, join(work, name));
    const bin = (name: string) => join(work, name);
    const chart = typicalChart(paths.corpus);
    progress(`typical chart: ${chart.name}`);
    const offline = [
      { name: 'kubectl version --client (reference)', cmd: paths.kubectl, args: ['version', '--client'] },
      { name: 'node -e "" (Node start-up, for scale)', cmd: process.execPath, args: ['-e', ''] },
      { name: 'bundle: kubectl-canary --help', cmd: paths.canary, args: ['--help'] },
      { name: 'binary: kubectl-canary --help', cmd: bin('kubectl-canary'), args: ['--help'] },
      { name: 'bundle: kubectl-canary version', cmd: paths.canary, args: ['version'] },
      { name: 'binary: kubectl-canary version', cmd: bin('kubectl-canary'), args: ['version'] },
      { name: `bundle: switchyard-postrender --offline < ${chart.name}`, cmd: paths.postrender, args: ['--offline'], stdinFile: chart.file },
      { name: `binary: switchyard-postrender --offline < ${chart.name}`, cmd: bin('switchyard-postrender'), args: ['--offline'], stdinFile: chart.file },
    ];
    progress(`offline commands: ${RUNS} rounds`);
    const t1 = await measure(offline);
    report('(a) offline: --help, version, post-render', offline, t1, 'kubectl version');

    const ns = await cluster.namespace('startup');
    await deployWeb(ns, '1.0.0');
    const online = [
      { name: 'kubectl get deploy (reference)', cmd: paths.kubectl, args: ['get', 'deploy', '-n', ns] },
      { name: 'bundle: kubectl-canary status web', cmd: paths.canary, args: ['status', 'web', '-n', ns] },
      { name: 'binary: kubectl-canary status web', cmd: bin('kubectl-canary'), args: ['status', 'web', '-n', ns] },
    ];
    progress(`status: ${RUNS} rounds`);
    const t2 = await measure(online);
    report('(b) status against the local cluster', online, t2, 'kubectl get');

    // Helm 3 runs the post-renderer by path; without --offline it reads the app's state from the cluster.
    const demoChart = join(repoRoot, 'testdata', 'chart');
    const template = ['template', 'web', demoChart, '-n', ns, '--set', 'image.tag=2.0.0'];
    const helmCases = [
      { name: 'helm template of the demo chart (reference)', cmd: paths.helm3, args: template },
      { name: 'bundle: … --post-renderer switchyard-postrender', cmd: paths.helm3, args: [...template, '--post-renderer', paths.postrender] },
      { name: 'binary: … --post-renderer switchyard-postrender', cmd: paths.helm3, args: [...template, '--post-renderer', bin('switchyard-postrender')] },
    ];
    progress(`helm template: ${RUNS} rounds`);
    const t3 = await measure(helmCases);
    report('(c) helm template of the demo chart, with the post-renderer reading the local cluster', helmCases, t3, 'helm template');
    const added = (i: number) => median(t3.wall[i]!) - median(t3.wall[0]!);

    const ratio = (t: number[][], i: number) => median(t[i]!) / median(t[0]!);
    const cell = (t: number[][], i: number, limit: number) => `${ratio(t, i).toFixed(2)}× ${verdict(ratio(t, i) <= limit)}`;
    section('targets (wall median; CPU median in brackets)', table(['target', 'bundle', 'binary'], [
      ['--help ≤ 3× kubectl version --client', ...[2, 3].map((i) => `${cell(t1.wall, i, 3)} (${cell(t1.cpu, i, 3)})`)],
      ['status ≤ 2× kubectl get deploy', ...[1, 2].map((i) => `${cell(t2.wall, i, 2)} (${cell(t2.cpu, i, 2)})`)],
      ['the post-renderer adds ≤ 150 ms to helm template', ...[1, 2].map((i) => `+${ms(added(i))} ${verdict(added(i) <= 150)}`)],
    ]));
    out(`\nafter: ${machineState()}\n`);
  } finally {
    await cluster.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
}

await main().catch((err: unknown) => {
  out(`\nbench:startup failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
