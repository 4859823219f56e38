import Table from 'cli-table3';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './proc.ts';

/** Plain aligned columns, kubectl style, via cli-table3 without borders. */
const NO_BORDERS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '',
} as const;

/** Renders `rows` under `head` as aligned columns (first column left, the rest right-aligned). */
export function table(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const t = new Table({
    head: [...head],
    chars: NO_BORDERS,
    colAligns: head.map((_, i) => (i === 0 ? 'left' : 'right')),
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 3 },
  });
  for (const row of rows) t.push(row.map(String));
  return `${t.toString().split('\n').map((l) => l.trimEnd()).join('\n')}\n`;
}

/** One line on the machine's state: CPUs, load average, memory, Node. */
export function machineState(): string {
  const [one, five] = loadavg();
  return `machine: ${cpus().length} CPUs, load average ${one!.toFixed(2)} (1 min) ${five!.toFixed(2)} (5 min), ` +
    `${(freemem() / 2 ** 30).toFixed(1)}/${(totalmem() / 2 ** 30).toFixed(1)} GiB free, Node ${process.version}`;
}

/** What was measured: the commit, uncommitted changes under pkg/ and cmd/, and when dist/ was built. */
export function buildState(): string {
  const git = (...args: string[]): string => spawnSync('git', ['-C', repoRoot, ...args], { encoding: 'utf8' }).stdout.trim();
  const dirty = git('status', '--porcelain', '--', 'pkg', 'cmd').split('\n').filter((l) => l !== '').length;
  let built = 'not built';
  try {
    built = `built ${statSync(join(repoRoot, 'dist', 'kubectl-canary')).mtime.toISOString()}`;
  } catch {
    // reported as not built
  }
  return `code: ${git('rev-parse', '--short', 'HEAD')}${dirty > 0 ? ` + ${dirty} uncommitted files in pkg/ and cmd/` : ''}; dist/ ${built}`;
}

/** Writes the benchmark's header: a title, what is measured, the targets, the code and the machine state. */
export function header(title: string, lines: readonly string[]): void {
  out(`${title}\n${'='.repeat(title.length)}\n${lines.map((l) => `${l}\n`).join('')}${buildState()}\n${machineState()}\n`);
}

/** Writes a section title and its table. */
export function section(title: string, body: string, notes: readonly string[] = []): void {
  out(`\n${title}\n${'-'.repeat(title.length)}\n${body}${notes.map((n) => `${n}\n`).join('')}`);
}

/** Results go to stdout. */
export function out(text: string): void {
  process.stdout.write(text);
}

/** Progress goes to stderr, so stdout holds only the report. */
export function progress(text: string): void {
  process.stderr.write(`[bench] ${text}\n`);
}
