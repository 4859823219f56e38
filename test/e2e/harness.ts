// Helpers shared by every end-to-end test: paths, the environment for child
// processes, a child-process runner, kubectl, per-test namespaces and polling.
// The cluster itself is started once per test run by global-setup.ts.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import type { TestContext } from 'node:test';

/** Absolute path of the repository root. */
export const repoRoot: string = resolve(import.meta.dirname, '..', '..');

/** Kubeconfig of the local cluster (written by `npm run cluster:up`). */
export const kubeconfigPath: string = join(repoRoot, '.cluster', 'kubeconfig');

/** Real binaries put in place by `npm run tools` (hack/tools.mjs). */
export const toolPaths: { readonly helm3: string; readonly helm4: string; readonly kubectl: string } = {
  helm3: join(repoRoot, '.tools', 'helm3', 'helm'),
  helm4: join(repoRoot, '.tools', 'helm4', 'helm'),
  kubectl: join(repoRoot, '.tools', 'bin', 'kubectl'),
};

/** Options of {@link run}. */
export interface RunOptions {
  /** Text written to the child's stdin, which is then closed. Default: stdin is empty. */
  /** Written to stdin: a string as UTF-8, a Buffer as it is. */
  input?: string | Buffer;
  /** Variables laid over {@link env}. Default: none. */
  env?: NodeJS.ProcessEnv;
  /** Kill the child (SIGKILL) after this many milliseconds; it then reports code 124. Default: 120000. */
  timeoutMs?: number;
}

/** What a finished child process produced. */
export interface RunResult {
  /** Exit code; 128 + signal number if killed by a signal; 124 on timeout. */
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Returns the environment for child processes: this process's environment plus
 * KUBECONFIG of the local cluster and a PATH that starts with the real kubectl
 * (`.tools/bin`) and the built plugins (`dist/`, so `kubectl canary` runs `dist/kubectl-canary`).
 */
export function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KUBECONFIG: kubeconfigPath,
    PATH: [join(repoRoot, '.tools', 'bin'), join(repoRoot, 'dist'), process.env.PATH ?? ''].join(delimiter),
    ...extra,
  };
}

/**
 * Runs a command with {@link env} and collects its output. Resolves on any exit
 * code (it never throws because the command failed); rejects only if the
 * command cannot be started at all.
 */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { env: env(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        resolvePromise({ code: 124, stdout, stderr: `${stderr}\n[harness] ${cmd} timed out after ${timeoutMs} ms` });
      } else {
        resolvePromise({ code: code ?? 128 + (signal ? constants.signals[signal] : 0), stdout, stderr });
      }
    });
    child.stdin.on('error', () => {}); // the child may exit without reading its input
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs the real kubectl against the local cluster; see {@link run}. */
export function kubectl(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return run(toolPaths.kubectl, args, opts);
}

/**
 * Creates a namespace for one test, named after it, and waits for its default
 * ServiceAccount (pods cannot be created before it exists). The namespace is
 * deleted after the test, without waiting for its finalization.
 */
export async function freshNamespace(t: TestContext): Promise<string> {
  const slug = t.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+/, '').slice(0, 40).replace(/-+$/, '');
  const name = `e2e-${slug || 'test'}-${randomBytes(3).toString('hex')}`;
  const manifest = JSON.stringify({
    apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'switchyard.test/e2e': 'true' } },
  });
  const created = await kubectl(['create', '-f', '-'], { input: manifest });
  if (created.code !== 0) throw new Error(`creating namespace ${name} failed: ${created.stderr}`);
  t.after(async () => {
    await kubectl(['delete', 'namespace', name, '--wait=false', '--ignore-not-found']);
  });
  await waitFor(async () => (await kubectl(['-n', name, 'get', 'serviceaccount', 'default'])).code === 0,
    { timeoutMs: 30_000, intervalMs: 100 });
  return name;
}

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this many milliseconds. Default: 30000. */
  timeoutMs?: number;
  /** Pause between attempts. Default: 250. */
  intervalMs?: number;
}

/**
 * Calls `fn` until it returns a truthy value, and returns that value. An
 * attempt that throws counts as not yet. After the deadline it throws, with
 * the last error as its cause. Prefer `kubectl wait` or a watch where they fit.
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  { timeoutMs = 30_000, intervalMs = 250 }: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (performance.now() >= deadline) {
      throw new Error(`waitFor: condition not met within ${timeoutMs} ms`, { cause: lastError });
    }
    await new Promise((done) => setTimeout(done, intervalMs));
  }
}

/** A major version of Helm; the suite runs scenarios under both (DESIGN.md scenario 10). */
export type HelmMajor = 3 | 4;

/**
 * Runs the real helm 3 or 4; see {@link run}. Helm 4 gets `HELM_PLUGINS=<repo>/plugins`,
 * so `--post-renderer switchyard` finds the plugin without `helm plugin install`.
 */
export function helm(major: HelmMajor, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  if (major === 3) return run(toolPaths.helm3, args, opts);
  return run(toolPaths.helm4, args, { ...opts, env: { HELM_PLUGINS: join(repoRoot, 'plugins'), ...opts.env } });
}

/** The flags that make helm `major` use switchyard: the binary by path (Helm 3), the plugin by name (Helm 4). */
export function postRendererFlags(major: HelmMajor): string[] {
  return ['--post-renderer', major === 3 ? join(repoRoot, 'dist', 'switchyard-postrender') : 'switchyard'];
}

/** The demo and test chart. */
export const chartDir: string = join(repoRoot, 'testdata', 'chart');

/** Options of {@link deployChart}. */
export interface DeployOptions {
  /** Run the post-renderer. Default: true. */
  postRender?: boolean;
  /** Release name. Default: `web`. */
  release?: string;
  /** More helm arguments (e.g. `--post-renderer-args=--strategy=bluegreen`, `--set …`). */
  extra?: readonly string[];
  timeoutMs?: number;
}

/**
 * `helm upgrade --install web testdata/chart -n <ns> --set httpRoute.enabled=true
 * --set image.tag=<version>` with helm `major`, through switchyard's post-renderer.
 */
export function deployChart(major: HelmMajor, ns: string, version: string, opts: DeployOptions = {}): Promise<RunResult> {
  const args = ['upgrade', '--install', opts.release ?? 'web', chartDir, '-n', ns, '--set', 'httpRoute.enabled=true', '--set', `image.tag=${version}`];
  if (opts.postRender !== false) args.push(...postRendererFlags(major));
  args.push(...(opts.extra ?? []));
  return helm(major, args, opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs });
}

/** `kubectl get <ref> -o json` in `namespace`, parsed; throws with kubectl's stderr if it fails. */
export async function getJson<T>(namespace: string, ...ref: string[]): Promise<T> {
  const result = await kubectl(['-n', namespace, 'get', ...ref, '-o', 'json']);
  if (result.code !== 0) throw new Error(`kubectl get ${ref.join(' ')} -n ${namespace} exited ${result.code}: ${result.stderr.trim()}`);
  return JSON.parse(result.stdout) as T;
}

/** A child process started by {@link spawnChild}. */
export interface Child {
  readonly pid: number;
  /** Everything the child has written so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves when the child has exited; code is 128 + signal number if a signal ended it. */
  readonly exited: Promise<RunResult>;
  /** Sends `signal` (default SIGTERM) unless the child has already exited. */
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Starts a command with {@link env} and leaves it running, with its pid, so a test can
 * `kill -9` it at a moment of its choosing. Register `t.after(() => child.kill('SIGKILL'))`
 * so a failing test does not leave it behind. Throws only if it cannot start.
 */
export function spawnChild(cmd: string, args: readonly string[], opts: Omit<RunOptions, 'timeoutMs'> = {}): Child {
  const child = spawn(cmd, args, { env: env(opts.env), stdio: ['pipe', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`cannot start ${cmd}`);
  const pid = child.pid;
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  const exited = new Promise<RunResult>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolvePromise({ code: code ?? 128 + (signal ? constants.signals[signal] : 0), stdout, stderr });
    });
  });
  child.stdin.on('error', () => {});
  child.stdin.end(opts.input ?? '');
  return {
    pid,
    get stdout() { return stdout; },
    get stderr() { return stderr; },
    exited,
    kill(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** Fails the test, showing the command's output, unless it exited 0. */
export function assertOk(result: RunResult, what = 'the command'): void {
  assert.equal(result.code, 0, `${what}: expected exit 0, got ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
}

/** `kubectl canary <args> -n <ns>` through the real kubectl plugin mechanism. */
export function canary(ns: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return kubectl(['canary', ...args, '-n', ns], opts);
}

/** `kubectl bluegreen <args> -n <ns>` through the real kubectl plugin mechanism. */
export function bluegreen(ns: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return kubectl(['bluegreen', ...args, '-n', ns], { timeoutMs: 90_000, ...opts });
}

/** The rollout state switchyard stored for `app` (ConfigMap `switchyard.<app>`, key `state`). */
export async function storedState<T>(ns: string, app = 'web'): Promise<T> {
  return JSON.parse((await getJson<{ data: { state: string } }>(ns, 'configmap', `switchyard.${app}`)).data.state) as T;
}

/**
 * Writes a kubeconfig that authenticates to the local cluster as ServiceAccount `name` of
 * `ns` (token from `kubectl create token`), removed after the test. The account and its
 * RoleBinding must exist.
 */
export async function serviceAccountKubeconfig(t: TestContext, ns: string, name: string): Promise<{ path: string; token: string }> {
  const token = await kubectl(['-n', ns, 'create', 'token', name, '--duration=10m']);
  assertOk(token, 'kubectl create token');
  const admin = await kubectl(['config', 'view', '--raw', '--minify', '--flatten', '-o', 'json']);
  assertOk(admin, 'kubectl config view');
  const cluster = (JSON.parse(admin.stdout) as { clusters: { cluster: object }[] }).clusters[0]!.cluster;
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-rbac-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'kubeconfig');
  writeFileSync(path, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': name,
    clusters: [{ name: 'local', cluster }],
    users: [{ name, user: { token: token.stdout.trim() } }],
    contexts: [{ name, context: { cluster: 'local', user: name, namespace: ns } }],
  }), { mode: 0o600 });
  return { path, token: token.stdout.trim() };
}
