import type { Kube } from '../kube/index.ts';
import { RELEASE_ANNOTATION } from '../kube/types.ts';
import { APP_LABEL, ROLE_LABEL } from '../render/index.ts';
import { control, underLock } from './actions.ts';
import type { ControlResult, RunOptions } from './actions.ts';
import { drive } from './engine.ts';
import type { DriveResult, EngineDeps, Outcome } from './engine.ts';
import { acquireLease } from './lease.ts';
import type { Lock } from './lease.ts';
import type { ControlRequest, Step } from './state.ts';


/** The apps of Helm release `release` in `namespace`: those with a versioned Deployment of it, sorted. */
export async function releaseApps(kube: Kube, namespace: string, release: string): Promise<string[]> {
  const { items } = await kube.list('apps/v1', 'Deployment', namespace, { labelSelector: `${ROLE_LABEL}=workload` });
  const apps = new Set<string>();
  for (const d of items) {
    const app = d.metadata.labels?.[APP_LABEL];
    if (app !== undefined && d.metadata.annotations?.[RELEASE_ANNOTATION] === release) apps.add(app);
  }
  if (apps.size === 0) throw new Error(`no app of Helm release "${release}" in namespace ${namespace}: no Deployment of it is managed by switchyard (was it installed with the post-renderer?)`);
  return [...apps].sort();
}

/** How a release-level run ended, with each app's last drive. */
export interface ReleaseResult {
  outcome: Outcome;
  /** Apps whose version changed (driven in lock-step), with their last drive. */
  results: { app: string; result: DriveResult }[];
  /** Apps of the release with nothing to roll out. */
  unchanged: string[];
  /** Why the release stopped, when it did not finish. */
  message?: string;
}

/** The name under which a release's Lease is taken (`switchyard.release.<name>`). */
function releaseLeaseApp(release: string): string {
  return `release.${release}`;
}

/**
 * Drives every app of a release whose version changed in lock-step: one plan, the same step
 * index for all (each app is driven until it has done step k, then all go on to k + 1), and
 * a rollback of any app — a failed gate, the progress deadline — rolls all of them back.
 * One Lease for the release, and each app's own Lease, are held throughout, so single-app
 * commands cannot interleave. Without `wait`, it goes as far as it can without waiting.
 */
export async function runRelease(base: Omit<EngineDeps, 'app'>, release: string, options: RunOptions): Promise<ReleaseResult> {
  const apps = await releaseApps(base.kube, base.namespace, release);
  const leases = await takeLeases(base, release, apps, options);
  try {
    const deps = (app: string, signal?: AbortSignal): EngineDeps => {
      const signals = [base.signal, signal].filter((s): s is AbortSignal => s !== undefined);
      const emit = (event: Parameters<EngineDeps['emit']>[0]): void => base.emit(event.kind === 'history' ? { ...event, app } : event);
      return underLock({ ...base, app, emit, signal: signals.length === 0 ? undefined : AbortSignal.any(signals) } as EngineDeps, leases.get(app)!);
    };
    // Probe: reconcile each app (a new version starts its rollout) without taking a step.
    const probes = await Promise.all(apps.map(async (app) => ({ app, result: await drive(deps(app), { ...options, wait: false, holdAtStep: 0 }) })));
    const moving = probes.filter((p) => p.result.state.canary !== undefined && p.result.outcome !== 'healthy' && p.result.state.phase !== 'Degraded');
    const unchanged = probes.filter((p) => !moving.includes(p)).map((p) => p.app);
    if (moving.length === 0) return { outcome: 'healthy', results: probes, unchanged };
    const steps = samePlan(moving.map((p) => ({ app: p.app, steps: p.result.state.steps })), release);
    let results = moving;
    const first = Math.min(...moving.map((p) => p.result.state.step));
    // --timeout is for the whole release, not for each round.
    const deadline = options.timeoutMs === undefined ? undefined : base.now() + options.timeoutMs;
    for (let target = first + 1; target <= steps.length + 1; target++) {
      const round = new AbortController();
      const hold = target <= steps.length ? target : undefined;
      const left = deadline === undefined ? {} : { timeoutMs: Math.max(0, deadline - base.now()) };
      results = await Promise.all(moving.map(async ({ app }) => {
        const result = await drive(deps(app, round.signal), { ...options, ...left, ...(hold === undefined ? {} : { holdAtStep: hold }) });
        // One app rolled back: the others stop waiting at once and are rolled back too.
        if (result.outcome === 'degraded') round.abort();
        return { app, result };
      }));
      const failed = results.find((r) => r.result.outcome === 'degraded');
      if (failed !== undefined) {
        const reason = `release ${release}: ${failed.app} rolled back: ${failed.result.view.message ?? 'degraded'}`;
        const rolledBack = await Promise.all(results.map(async (r) => (r.app === failed.app ? r : { app: r.app, result: await rollBack(deps(r.app), options, reason, r.result) })));
        return { outcome: 'degraded', results: rolledBack, unchanged, message: reason };
      }
      const stopped = results.find((r) => r.result.outcome !== 'held' && r.result.outcome !== 'healthy');
      if (stopped !== undefined) {
        return { outcome: stopped.result.outcome, results, unchanged, message: `${stopped.app}: ${stopped.result.view.message ?? stopped.result.outcome}; the other apps wait at the same step` };
      }
    }
    return { outcome: 'healthy', results, unchanged };
  } finally {
    await Promise.all([...leases.values()].map((l) => l.release()));
  }
}

/**
 * `promote`, `pause`, `resume`, `abort`, `retry`, `undo` for every app of a release, one
 * after the other (each as the single-app command does it).
 */
export async function controlRelease(base: Omit<EngineDeps, 'app'>, release: string, kind: ControlRequest['kind'], options: RunOptions, extra: { reason?: string; target?: string; weight?: number } = {}): Promise<{ app: string; result: ControlResult }[]> {
  const apps = await releaseApps(base.kube, base.namespace, release);
  const out: { app: string; result: ControlResult }[] = [];
  for (const app of apps) out.push({ app, result: await control({ ...base, app }, kind, options, extra) });
  return out;
}

async function rollBack(deps: EngineDeps, options: RunOptions, reason: string, last: DriveResult): Promise<DriveResult> {
  if (last.state.phase === 'Degraded' || last.state.canary === undefined) return last;
  const result = await control({ ...deps, signal: undefined } as EngineDeps, 'abort', { ...options, wait: true, force: true }, { reason });
  if (result.kind === 'done') return result.result;
  return result.kind === 'nothing' ? result.result ?? last : last;
}

/** Every moving app must follow one plan (`--steps` gives one to all). */
function samePlan(plans: { app: string; steps: Step[] }[], release: string): Step[] {
  const text = (steps: Step[]): string => steps.map((s) => (s.kind === 'weight' ? String(s.weight) : s.durationMs === undefined ? 'pause' : `pause:${s.durationMs}ms`)).join(',');
  const first = plans[0]!;
  const other = plans.find((p) => text(p.steps) !== text(first.steps));
  if (other !== undefined) throw new Error(`the apps of release ${release} have different plans (${first.app}: ${text(first.steps)}; ${other.app}: ${text(other.steps)}): give them one with --steps`);
  return first.steps;
}

/** The release's Lease, then each app's; all or none. */
async function takeLeases(base: Omit<EngineDeps, 'app'>, release: string, apps: string[], options: RunOptions): Promise<Map<string, Lock>> {
  const taken = new Map<string, Lock>();
  const take = (name: string): Promise<Lock> => acquireLease(base.kube, base.namespace, name, { force: options.force, now: base.now, ...(options.leaseRenewMs === undefined ? {} : { renewEveryMs: options.leaseRenewMs }) });
  try {
    taken.set('', await take(releaseLeaseApp(release)));
    for (const app of apps) taken.set(app, await take(app));
  } catch (err) {
    await Promise.all([...taken.values()].map((l) => l.release()));
    throw err;
  }
  return taken;
}
