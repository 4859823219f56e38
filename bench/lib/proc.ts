import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';

/** Absolute path of the repository root. */
export const repoRoot: string = resolve(import.meta.dirname, '..', '..');

/** The real tools (npm run tools) and the built binaries (npm run build). */
export const paths = {
  kubectl: join(repoRoot, '.tools', 'bin', 'kubectl'),
  helm3: join(repoRoot, '.tools', 'helm3', 'helm'),
  kubeconfig: join(repoRoot, '.cluster', 'kubeconfig'),
  postrender: join(repoRoot, 'dist', 'switchyard-postrender'),
  canary: join(repoRoot, 'dist', 'kubectl-canary'),
  bluegreen: join(repoRoot, 'dist', 'kubectl-bluegreen'),
  corpus: resolve(repoRoot, 'testdata', 'corpus', 'charts'),
} as const;

/**
 * The environment of every child: this Node (24, from npm run) first on PATH, so the
 * binaries' `#!/usr/bin/env node` finds it, then the real kubectl and dist/ (so
 * `kubectl canary` runs dist/kubectl-canary), and KUBECONFIG of the local cluster.
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KUBECONFIG: paths.kubeconfig,
    NO_COLOR: '1',
    PATH: [dirname(process.execPath), dirname(paths.kubectl), join(repoRoot, 'dist'), process.env.PATH ?? ''].join(delimiter),
    ...extra,
  };
}

/** Options of {@link runTimed}. */
export interface RunOptions {
  /** File given to the child as stdin, like `< file` in a shell. Default: empty stdin. */
  stdinFile?: string;
  /** Text written to the child's stdin. Default: none. */
  input?: string;
  /** Variables laid over {@link childEnv}. */
  env?: NodeJS.ProcessEnv;
  /** Kill the child after this many milliseconds (it then reports code 124). Default: 120000. */
  timeoutMs?: number;
  /** Keep stdout (otherwise only its length is counted). Default: true. */
  keepStdout?: boolean;
  /** Called with the child's pid right after it started. */
  onStart?: (pid: number, startedAt: number) => void;
  /** Run under GNU time to get the child's CPU time and peak RSS. Default: false. */
  rusage?: boolean;
}

/** A finished child process and its whole-process wall time. */
export interface Timed {
  code: number;
  /** From spawn to exit, in milliseconds. */
  ms: number;
  /** performance.now() at spawn and at exit. */
  startedAt: number;
  endedAt: number;
  stdout: string;
  stdoutBytes: number;
  stderr: string;
  /** User + system CPU time (with `rusage`). */
  cpuMs?: number;
  /** Peak resident set size in KiB (with `rusage`). */
  rssKiB?: number;
}

/** Runs a command and measures its wall time from spawn to exit. Never rejects because it failed. */
export async function runTimed(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<Timed> {
  if (opts.rusage !== true) return spawnTimed(cmd, args, opts);
  // GNU time adds one fork and exec (about a millisecond) to the wall time.
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-rusage-'));
  try {
    const file = join(dir, 'rusage');
    const t = await spawnTimed('/usr/bin/time', ['-f', '%U %S %M', '-o', file, cmd, ...args], opts);
    const [user, sys, rss] = readFileSync(file, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
    return { ...t, cpuMs: (user! + sys!) * 1000, rssKiB: rss! };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function spawnTimed(cmd: string, args: readonly string[], opts: RunOptions): Promise<Timed> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const keep = opts.keepStdout ?? true;
  const stdinFd = opts.stdinFile === undefined ? undefined : openSync(opts.stdinFile, 'r');
  return new Promise((done, fail) => {
    const startedAt = performance.now();
    const child = spawn(cmd, args, { env: childEnv(opts.env), stdio: [stdinFd ?? 'pipe', 'pipe', 'pipe'] });
    if (stdinFd !== undefined) closeSync(stdinFd);
    if (child.pid !== undefined) opts.onStart?.(child.pid, startedAt);
    const chunks: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => {
      stdoutBytes += c.byteLength;
      if (keep) chunks.push(c);
    });
    child.stderr!.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    if (child.stdin !== null) {
      child.stdin.on('error', () => {});
      child.stdin.end(opts.input ?? '');
    }
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    let endedAt = 0;
    child.on('exit', () => { endedAt = performance.now(); });
    child.on('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const end = endedAt || performance.now();
      done({
        code: timedOut ? 124 : (code ?? (signal === null ? 1 : 128)),
        ms: end - startedAt,
        startedAt,
        endedAt: end,
        stdout: keep ? Buffer.concat(chunks).toString('utf8') : '',
        stdoutBytes,
        stderr: timedOut ? `${stderr}\n[bench] ${cmd} timed out after ${timeoutMs} ms` : stderr,
      });
    });
  });
}

/** Like {@link runTimed} but throws, with the child's stderr, unless it exits 0. */
export async function runOk(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<Timed> {
  const result = await runTimed(cmd, args, opts);
  if (result.code !== 0) {
    throw new Error(`${[cmd, ...args].join(' ')} exited ${result.code}: ${result.stderr.trim().slice(-2000)}`);
  }
  return result;
}
