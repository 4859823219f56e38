// npm run bench:render [-- --runs 15 --corpus-runs 5 --typical <corpus file>]
//
// Whole-process wall time of the post-renderer as Helm runs it, beside `kubectl kustomize`
// doing the same job the usual post-renderer wrapper does (write stdin to all.yaml, add a
// version label with includeSelectors: false) and beside a bare parse-and-print floor.
import { copyFileSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { typicalChart, wholeCorpus } from './lib/corpus.ts';
import type { Input } from './lib/corpus.ts';
import { paths, repoRoot, runTimed } from './lib/proc.ts';
import type { RunOptions } from './lib/proc.ts';
import { header, out, progress, section, table } from './lib/report.ts';
import { mb, mbPerSecond, median, ms, summarize, verdict } from './lib/stats.ts';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    'corpus-runs': { type: 'string', default: '5' },
    typical: { type: 'string' },
  },
});
const RUNS = Math.min(50, Math.max(1, Number(flags.runs)));
const CORPUS_RUNS = Math.min(20, Math.max(1, Number(flags['corpus-runs'])));
const VERSION = '9.9.9';

/** One contender: how to run it on an input. */
interface Tool {
  name: string;
  cmd: string;
  args: (input: Input, kustomizeDir: string) => string[];
  /** Reads the input on stdin (kustomize reads all.yaml instead). */
  stdin: boolean;
}

/** The standalone linux-amd64 binary (`npm run dist -- --platform linux-amd64`), measured too when it is built. */
const BINARY = join(repoRoot, 'release', 'stage', 'linux-amd64', 'switchyard');

/** tools[0] is the bundle, tools[1] kustomize (the reference); the binary, when built, comes last. */
const tools: Tool[] = [
  { name: 'bundle: switchyard-postrender --offline', cmd: paths.postrender, args: () => ['--offline', '--version', VERSION], stdin: true },
  { name: 'kubectl kustomize (labels)', cmd: paths.kubectl, args: (_i, dir) => ['kustomize', dir], stdin: false },
  { name: 'floor: node stdin → stdout', cmd: process.execPath, args: () => ['-e', 'process.stdin.pipe(process.stdout)'], stdin: true },
  { name: 'floor: node + yaml parse/print', cmd: process.execPath, args: () => [join(repoRoot, 'bench', 'yaml-floor.ts')], stdin: true },
];

/** The kustomization the usual post-renderer wrapper writes next to all.yaml. */
const KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [all.yaml]
labels:
- pairs: {switchyard.dev/version: "${VERSION}"}
  includeSelectors: false
`;

function runOptions(tool: Tool, input: Input): RunOptions {
  return { stdinFile: tool.stdin ? input.file : undefined, keepStdout: false, timeoutMs: 300_000, rusage: true };
}

interface Result {
  tool: Tool;
  times: number[];
  cpu: number[];
  rss: number[];
  outBytes: number;
}

/** Runs every tool on `input` `runs` times, interleaved so that load changes hit all of them alike. */
async function measure(input: Input, runs: number, work: string): Promise<Result[]> {
  const dir = mkdtempSync(join(work, 'kustomize-'));
  copyFileSync(input.file, join(dir, 'all.yaml'));
  writeFileSync(join(dir, 'kustomization.yaml'), KUSTOMIZATION);
  const results: Result[] = tools.map((tool) => ({ tool, times: [], cpu: [], rss: [], outBytes: 0 }));
  for (const r of results) {
    const first = await runTimed(r.tool.cmd, r.tool.args(input, dir), runOptions(r.tool, input));
    if (first.code !== 0 || first.stdoutBytes === 0) throw new Error(`${r.tool.name} on ${input.name} exited ${first.code} with ${first.stdoutBytes} bytes of output: ${first.stderr.slice(-1500)}`);
    r.outBytes = first.stdoutBytes;
  }
  for (let run = 0; run < runs; run++) {
    progress(`${input.name}: round ${run + 1}/${runs}`);
    for (const r of results) {
      const t = await runTimed(r.tool.cmd, r.tool.args(input, dir), runOptions(r.tool, input));
      if (t.code !== 0) throw new Error(`${r.tool.name} exited ${t.code}: ${t.stderr.slice(-1500)}`);
      r.times.push(t.ms);
      r.cpu.push(t.cpuMs ?? Number.NaN);
      r.rss.push(t.rssKiB ?? Number.NaN);
    }
  }
  return results;
}

function report(input: Input, results: Result[], targets: string[]): { bundle: Figures; binary: Figures | undefined } {
  const kustomize = median(results[1]!.times);
  const rows = results.map((r) => {
    const s = summarize(r.times);
    const ratio = kustomize / s.median;
    return [r.tool.name, ms(s.median), ms(s.min), ms(s.p90), mbPerSecond(input.bytes, s.median), r === results[1] ? '1.00×' : `${ratio.toFixed(2)}×`, ms(median(r.cpu)), `${(median(r.rss) / 1024).toFixed(0)} MiB`, mb(r.outBytes)];
  });
  section(`${input.name}: ${mb(input.bytes)}, ${input.documents} documents, ${results[0]!.times.length} runs each`,
    table(['command', 'wall median', 'min', 'p90', 'MB/s', 'speed-up vs kustomize', 'CPU (user+sys)', 'peak RSS', 'output'], rows),
    [input.note, ...targets]);
  const figures = (r: Result): Figures => {
    const sy = median(r.times);
    return { speedup: kustomize / sy, cpuSpeedup: median(results[1]!.cpu) / median(r.cpu), mbps: input.bytes / 1e6 / (sy / 1000), sy, kz: kustomize };
  };
  const binary = results.find((r) => r.tool.name.startsWith('binary:'));
  return { bundle: figures(results[0]!), binary: binary === undefined ? undefined : figures(binary) };
}

interface Figures { speedup: number; cpuSpeedup: number; mbps: number; sy: number; kz: number }

/** The target rows for one build (bundle or binary). */
function targetRows(what: string, a: Figures, b: Figures): string[][] {
  return [
    [`${what}: typical chart ≤ 0.8× kustomize's wall time`, `${ms(a.sy)} vs ${ms(a.kz)} (${(a.sy / a.kz).toFixed(2)}×)`, verdict(a.sy <= 0.8 * a.kz)],
    [`${what}: whole corpus ≥ 20× faster than kustomize`, `${b.speedup.toFixed(1)}× (CPU time: ${b.cpuSpeedup.toFixed(1)}×)`, verdict(b.speedup >= 20)],
    [`${what}: whole corpus ≥ 10 MB/s`, `${b.mbps.toFixed(1)} MB/s`, verdict(b.mbps >= 10)],
  ];
}

async function startup(): Promise<void> {
  const rows: string[][] = [];
  const cases: [string, string, string[]][] = [
    ['node -e "" (Node start-up)', process.execPath, ['-e', '']],
    ['switchyard-postrender --version-info (bundle load)', paths.postrender, ['--version-info']],
    ['kubectl version --client (Go start-up)', paths.kubectl, ['version', '--client']],
  ];
  for (const [name, cmd, args] of cases) {
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = await runTimed(cmd, args, { keepStdout: false, rusage: true });
      times.push(t.ms);
      cpu.push(t.cpuMs ?? Number.NaN);
    }
    const s = summarize(times);
    rows.push([name, ms(s.median), ms(s.min), ms(s.p90), ms(median(cpu))]);
  }
  section('start-up alone, no input (what a small chart cannot amortize)', table(['command', 'wall median', 'min', 'p90', 'CPU (user+sys)'], rows));
}

async function main(): Promise<void> {
  for (const p of [paths.postrender, paths.kubectl]) if (!existsSync(p)) throw new Error(`${p} is missing: run npm run build and npm run tools`);
  const work = mkdtempSync(join(tmpdir(), 'switchyard-bench-render-'));
  try {
    header('bench:render — switchyard-postrender vs kubectl kustomize vs a parse-and-print floor', [
      `Whole-process wall time (spawn to exit) of \`switchyard-postrender --offline --version ${VERSION} < input\` as Helm runs it,`,
      '`kubectl kustomize` on the same input (all.yaml + a `labels:` entry, includeSelectors: false; the wrapper\'s own',
      'cost of writing all.yaml is not counted), and two floors. Medians; runs interleaved; every run under /usr/bin/time',
      'for its CPU time and peak RSS (CPU time is the figure to trust when the machine is busy).',
      'Targets: typical chart ≤ 0.8× kustomize\'s wall time; whole corpus ≥ 20× faster than kustomize and ≥ 10 MB/s.',
      existsSync(BINARY) ? `The standalone binary (${BINARY}) is measured too, started as switchyard-postrender.` : 'The standalone binary is not built (npm run dist -- --platform linux-amd64), so only the bundle is measured.',
    ]);
    if (existsSync(BINARY)) {
      // The binary serves every entry point by the name it is started as.
      const link = join(work, 'switchyard-postrender');
      symlinkSync(BINARY, link);
      tools.push({ name: 'binary: switchyard-postrender --offline', cmd: link, args: tools[0]!.args, stdin: true });
    }
    const typical = typicalChart(paths.corpus, flags.typical);
    const corpus = wholeCorpus(paths.corpus, join(work, 'corpus.yaml'));
    progress(`inputs: ${typical.name} ${mb(typical.bytes)}; ${corpus.name} ${mb(corpus.bytes)}`);
    await startup();
    const a = report(typical, await measure(typical, RUNS, work), []);
    const b = report(corpus, await measure(corpus, CORPUS_RUNS, work), [
      `identical files skipped: ${corpus.identicalFilesSkipped.join(', ') || 'none'}`,
    ]);
    section('targets', table(['target', 'measured', 'verdict'], [
      ...targetRows('bundle', a.bundle, b.bundle),
      ...(a.binary !== undefined && b.binary !== undefined ? targetRows('binary', a.binary, b.binary) : []),
    ]));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main().catch((err: unknown) => {
  out(`\nbench:render failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
