import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Api, loadTarget } from './kube.ts';
import { childEnv, paths, repoRoot, runOk, runTimed } from './proc.ts';
import type { RunOptions, Timed } from './proc.ts';
import { progress } from './report.ts';

/** Label on every namespace a benchmark creates, to find leftovers: `kubectl get ns -l switchyard.dev/bench`. */
export const BENCH_LABEL = 'switchyard.dev/bench';

/** Runs the real kubectl against the local cluster. */
export function kubectl(args: readonly string[], opts: RunOptions = {}): Promise<Timed> {
  return runTimed(paths.kubectl, args, opts);
}

/** Runs helm 3 against the local cluster; throws unless it exits 0. */
export function helm(args: readonly string[], opts: RunOptions = {}): Promise<Timed> {
  return runOk(paths.helm3, args, { timeoutMs: 120_000, ...opts });
}

/** Options of {@link deployWeb}. */
export interface DeployOptions {
  replicas?: number;
  strategy?: 'canary' | 'bluegreen';
  /** Pods labelled switchyard.test/never-ready: "true" (kwok keeps them unready). */
  neverReady?: boolean;
}

/** `helm upgrade --install web testdata/chart` at `version` through the post-renderer. */
export function deployWeb(namespace: string, version: string, opts: DeployOptions = {}): Promise<Timed> {
  return helm(['upgrade', '--install', 'web', join(repoRoot, 'testdata', 'chart'), '-n', namespace,
    '--set', 'httpRoute.enabled=true', '--set', `image.tag=${version}`, '--set', `replicaCount=${opts.replicas ?? 2}`,
    ...(opts.neverReady === true ? ['--set-string', 'podLabels.switchyard\\.test/never-ready=true'] : []),
    '--post-renderer', paths.postrender,
    ...(opts.strategy === 'bluegreen' ? ['--post-renderer-args=--strategy=bluegreen'] : [])]);
}

/**
 * The shared local cluster and the namespaces this benchmark created in it. Starts the
 * cluster if it is not up (hack/cluster/up.sh reuses a running one; it is never stopped
 * here). Every namespace is deleted by {@link Cluster.cleanup}, also on Ctrl-C.
 */
export class Cluster {
  readonly api: Api;
  readonly namespaces: string[] = [];
  readonly #run = randomBytes(3).toString('hex');

  private constructor(api: Api) {
    this.api = api;
  }

  static async connect(): Promise<Cluster> {
    const ready = await kubectl(['get', '--raw', '/readyz'], { timeoutMs: 10_000 });
    if (ready.code !== 0 || ready.stdout.trim() !== 'ok') {
      progress('local cluster not ready: npm run cluster:up');
      await runOk('bash', [join(repoRoot, 'hack', 'cluster', 'up.sh')], { timeoutMs: 600_000 });
    }
    const cluster = new Cluster(new Api(loadTarget(paths.kubeconfig)));
    const onSignal = (): void => {
      cluster.cleanupNow();
      process.exit(130);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    return cluster;
  }

  /** Creates `sybench-<purpose>-<run>` and waits for its default ServiceAccount. */
  async namespace(purpose: string): Promise<string> {
    const name = `sybench-${purpose}-${this.#run}`;
    await this.api.must('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { [BENCH_LABEL]: 'true' } } });
    this.namespaces.push(name);
    const deadline = performance.now() + 30_000;
    while ((await this.api.call('GET', `/api/v1/namespaces/${name}/serviceaccounts/default`)).status !== 200) {
      if (performance.now() > deadline) throw new Error(`namespace ${name}: no default ServiceAccount after 30 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return name;
  }

  /** Deletes every namespace created here, without waiting for their finalization. */
  async cleanup(): Promise<void> {
    const names = this.namespaces.splice(0);
    await Promise.all(names.map((n) => this.api.call('DELETE', `/api/v1/namespaces/${n}`)));
    if (names.length > 0) progress(`deleted namespaces ${names.join(' ')}`);
    this.api.close();
  }

  /** Synchronous clean-up for signal handlers. */
  cleanupNow(): void {
    const names = this.namespaces.splice(0);
    if (names.length > 0) spawnSync(paths.kubectl, ['delete', 'namespace', '--wait=false', '--ignore-not-found', ...names], { env: childEnv(), stdio: 'ignore', timeout: 30_000 });
  }
}

/** Polls `fn` every `intervalMs` until it returns a truthy value; throws after `timeoutMs`. */
export async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000, intervalMs = 100): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
