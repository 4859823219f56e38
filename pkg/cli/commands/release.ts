import { appStatus } from '../../rollout/actions.ts';
import type { RunOptions } from '../../rollout/actions.ts';
import { controlRelease, releaseApps, runRelease } from '../../rollout/release.ts';
import type { ControlRequest } from '../../rollout/state.ts';
import type { AppStatus } from '../../rollout/view.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import type { CommandContext } from '../context.ts';
import { formatOutput, renderStatus } from '../output/index.ts';
import { controlExit, exitForOutcome, onInterrupt, sharedOutcome } from './rollout.ts';

/** Exactly one of an app and `--release`. */
export function oneTarget(app: string | undefined, release: string | undefined): { app: string } | { release: string } {
  if ((app === undefined) === (release === undefined)) throw new UsageError(app === undefined ? 'name an app, or a Helm release with --release' : 'name an app or --release, not both');
  return app === undefined ? { release: release! } : { app };
}

/** Prints the status of every app (one document per app with -o, a list). */
function printAll(ctx: CommandContext, views: AppStatus[]): void {
  const format = ctx.format();
  if (format !== undefined) ctx.out(formatOutput(format, views));
  else ctx.out(views.map((v) => renderStatus(v, ctx.style(), { now: ctx.io.now() })).join('\n'));
}

/** `run --release`: every changed app of the release in lock-step; the exit code of the release. */
export async function runReleaseCommand(ctx: CommandContext, release: string, options: RunOptions): Promise<number> {
  const kube = await ctx.kube();
  const interrupt = onInterrupt();
  try {
    const result = await runRelease({ kube, namespace: kube.namespace, now: () => ctx.io.now(), emit: ctx.engineSink(undefined), signal: interrupt.signal }, release, options);
    printAll(ctx, result.results.map((r) => r.result.view));
    if (result.unchanged.length > 0) ctx.note(`release ${release}: unchanged: ${result.unchanged.join(', ')}`);
    if (interrupt.signal.aborted) {
      ctx.note(`release ${release}: interrupted; the leases are released; resume with: kubectl canary run --release ${release} -n ${kube.namespace}`);
      return EXIT.timeout;
    }
    const moved = result.results.filter((r) => !result.unchanged.includes(r.app)).map((r) => r.app);
    if (result.outcome === 'healthy') ctx.note(`release ${release}: ${moved.length === 0 ? 'nothing to roll out' : `${moved.join(', ')} promoted together`}`);
    else if (result.message !== undefined) ctx.note(`release ${release}: ${result.outcome === 'degraded' ? 'rolled back' : result.outcome}: ${result.message}`);
    return exitForOutcome(result.outcome);
  } finally {
    interrupt.close();
  }
}

/** A control command for every app of a release; exits with the worst app's code. */
export async function controlReleaseCommand(ctx: CommandContext, release: string, kind: ControlRequest['kind'], options: RunOptions, extra: { reason?: string; target?: string } = {}): Promise<number> {
  const kube = await ctx.kube();
  const results = await controlRelease({ kube, namespace: kube.namespace, now: () => ctx.io.now(), emit: ctx.engineSink(undefined) }, release, kind, options, extra);
  const views: AppStatus[] = [];
  let code: number = EXIT.ok;
  for (const { app, result } of results) {
    const shared = sharedOutcome(ctx, app, kind, result);
    if (shared !== undefined) code = Math.max(code, shared);
    else if (result.kind === 'done') {
      views.push(result.result.view);
      code = Math.max(code, controlExit(kind, result.result));
    }
  }
  if (views.length > 0) printAll(ctx, views);
  return code;
}

/** `status --release`: every app of the release. */
export async function releaseStatusCommand(ctx: CommandContext, release: string): Promise<number> {
  const kube = await ctx.kube();
  const apps = await releaseApps(kube, kube.namespace, release);
  const views = await Promise.all(apps.map((app) => appStatus(kube, kube.namespace, app, ctx.io.now())));
  printAll(ctx, views);
  return views.some((v) => v.phase === 'Degraded') ? EXIT.failed : EXIT.ok;
}
