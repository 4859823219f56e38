import type { Argv } from 'yargs';
import { appStatus, control, runRollout } from '../../rollout/actions.ts';
import { isKnownEntry } from '../../rollout/history.ts';
import { readState } from '../../rollout/store.ts';
import { readWorld } from '../../rollout/world.ts';
import { childName } from '../../render/index.ts';
import { routeHosts } from '../../route/index.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import type { CommandContext } from '../context.ts';
import { formatOutput, renderStatus, renderVersions } from '../output/index.ts';
import { driveFlags, runOptions } from './options.ts';
import type { DriveArgs } from './options.ts';
import { engineDeps, exitFor, registerRun, releaseFlag, sharedOutcome } from './rollout.ts';
import { controlReleaseCommand, oneTarget } from './release.ts';
import type { RunOptions } from '../../rollout/actions.ts';
import { parseDuration } from '../../rollout/state.ts';

type Handler<A> = (ctx: CommandContext, args: A) => Promise<number>;
type Register = <A>(y: Argv, name: string, describe: string, builder: (y: Argv) => Argv<A>, handler: Handler<A>) => Argv;
type BgArgs = { app: string; 'auto-promote-after'?: string } & DriveArgs;

/** Blue-green's flags on top of the drive flags: `--keep` counts live versions, `--scale-down-delay 0` keeps the old one hot. */
function bgOptions(args: BgArgs): RunOptions {
  const options = runOptions(args, 'bluegreen');
  if (options.scaleDownDelayMs === 0) options.scaleDownDelayMs = Infinity;
  options.keep = Math.max(0, args.keep - 1);
  // `run --wait` returns once the preview is ready; `switch` (or --auto-promote-after) makes it active.
  options.stopAtPause = true;
  if (args['auto-promote-after'] !== undefined) {
    try {
      options.settings.autoPromoteAfterMs = parseDuration(args['auto-promote-after']);
    } catch (err) {
      throw new UsageError(`--auto-promote-after: ${(err as Error).message}`);
    }
  }
  return options;
}

function bgFlags(b: Argv, waitDefault: boolean): Argv<BgArgs> {
  return driveFlags(b.positional('app', { type: 'string', describe: "The app: the name of the chart's Deployment (or --release)" }), waitDefault, 'bluegreen')
    .option('auto-promote-after', { type: 'string', describe: 'With run --wait: switch by itself once the preview has been ready this long, e.g. 5m' }) as unknown as Argv<BgArgs>;
}

/** `run`, `switch`, `rollback`, `abort`, `preview`, `versions`, `prune`. */
export function registerBlueGreenCommands(y: Argv, register: Register): Argv {
  registerRun(y, register, 'bluegreen', 'Bring the new version up at full size as the preview (--auto-promote-after: then switch)', (b) => bgFlags(b, false), bgOptions);
  const flip = async (ctx: CommandContext, args: BgArgs, kind: 'promote-full' | 'undo', target?: string): Promise<number> => {
    const started = ctx.io.now();
    const d = await engineDeps(ctx, args.app, args.wait === true);
    let flippedAt: number | undefined;
    const emit = d.engine.emit;
    d.engine.emit = (e) => {
      if (e.kind === 'history' && isKnownEntry(e.entry) && e.entry.event === 'Promoted') {
        flippedAt = ctx.io.now();
        const previous = e.entry.previous;
        const kept = args['scale-down-delay'] === '0' ? 'kept at full size (--scale-down-delay 0)' : `kept at full size for ${args['scale-down-delay']} for an instant rollback; Ctrl-C leaves it running (a later command scales it down)`;
        ctx.note(`${args.app}: switched to ${e.entry.version} in ${flippedAt - started} ms; ${previous} is ${kept}`);
      }
      emit(e);
    };
    try {
      const result = await control(d.engine, kind, bgOptions(args), target === undefined ? {} : { target });
      d.close();
      const shared = sharedOutcome(ctx, args.app, kind === 'undo' ? 'rollback' : 'switch', result);
      if (shared !== undefined || result.kind !== 'done') return shared ?? EXIT.ok;
      const format = ctx.format();
      ctx.out(format === undefined ? renderStatus(result.result.view, ctx.style(), { now: ctx.io.now() }) : formatOutput(format, result.result.view));
      if (flippedAt !== undefined) ctx.note(`${args.app}: now serving ${result.result.view.stable}; the switch took ${flippedAt - started} ms`);
      else if (result.result.outcome === 'degraded') ctx.note(`${args.app}: did not switch: ${result.result.view.message ?? 'the target version is not ready'}; traffic stays on ${result.result.view.stable}`);
      if (d.interrupted()) return EXIT.timeout;
      return exitFor(result.result);
    } finally {
      d.close();
    }
  };

  register<BgArgs & { to?: string; release?: string }>(y, 'switch [app]', 'Make the preview (or --to a retained version) active: checks readiness of the full replica count, then flips', (b) => releaseFlag(bgFlags(b, true).option('to', { type: 'string', describe: 'The version to switch to (default: the preview)' })) as Argv<BgArgs & { to?: string; release?: string }>, async (ctx, args) => {
    const target = oneTarget(args.app, args.release);
    if ('release' in target) return controlReleaseCommand(ctx, target.release, 'promote-full', bgOptions(args));
    // --to a retained version (not the preview) is a rollback to it: decided on the state the request applies to.
    return flip(ctx, args, 'promote-full', args.to);
  });
  register<BgArgs & { 'to-version'?: string; release?: string }>(y, 'rollback [app]', 'Switch back to the previous version (scaled up and ready first if it was scaled down)', (b) => releaseFlag(bgFlags(b, true).option('to-version', { type: 'string', describe: 'The retained version to return to (default: the previous one)' })) as Argv<BgArgs & { 'to-version'?: string; release?: string }>, async (ctx, args) => {
    const target = oneTarget(args.app, args.release);
    if ('release' in target) return controlReleaseCommand(ctx, target.release, 'undo', bgOptions(args));
    return flip(ctx, args, 'undo', args['to-version']);
  });
  register<BgArgs>(y, 'abort <app>', 'Give up the preview: scale it down (the active version is untouched)', (b) => bgFlags(b, false), async (ctx, args) => {
    const d = await engineDeps(ctx, args.app, false);
    try {
      const result = await control(d.engine, 'abort', bgOptions(args));
      return sharedOutcome(ctx, args.app, 'abort', result) ?? EXIT.ok;
    } finally {
      d.close();
    }
  });
  register<{ app: string }>(y, 'preview <app>', 'Print how to reach the preview version: its Service, the header, an example curl', (b) => b.positional('app', { type: 'string', demandOption: true }) as Argv<{ app: string }>, async (ctx, args) => {
    const kube = await ctx.kube();
    const [view, world] = await Promise.all([appStatus(kube, kube.namespace, args.app, ctx.io.now()), readWorld(kube, kube.namespace, args.app)]);
    const preview = view.versions.find((v) => v.role === 'preview');
    if (preview === undefined) throw new Error(`${args.app} has no preview: deploy a new version with --strategy bluegreen first (active: ${view.stable})`);
    const header = (await readState(kube, kube.namespace, args.app))?.state.header ?? 'x-version';
    const svc = world.stableServices[0];
    const port = (svc?.spec as { ports?: { port?: number }[] } | undefined)?.ports?.[0]?.port ?? 80;
    const hosts = world.routes.flatMap(routeHosts);
    const host = hosts[0] ?? world.ingresses.flatMap((i) => (i.spec as { rules?: { host?: string }[] }).rules ?? []).find((r) => r.host !== undefined)?.host;
    const previewSvc = svc === undefined ? undefined : childName(svc.metadata.name, 'preview');
    const lines = [
      `Preview:  ${preview.version} (${preview.readyReplicas}/${preview.replicas} ready), active: ${view.stable}`,
      previewSvc === undefined ? undefined : `Service:  ${previewSvc}.${kube.namespace}.svc:${port}`,
      `Header:   ${header}: ${preview.version}`,
      host === undefined ? undefined : `Try:      curl -H '${header}: ${preview.version}' http://${host}/`,
      previewSvc === undefined ? undefined : `In-cluster: kubectl -n ${kube.namespace} port-forward svc/${previewSvc} 8080:${port}  then  curl http://localhost:8080/`,
    ].filter((l): l is string => l !== undefined);
    const format = ctx.format();
    ctx.out(format === undefined ? lines.join('\n') : formatOutput(format, view));
    return EXIT.ok;
  });
  register<{ app: string }>(y, 'versions <app>', 'List every live version with its role, Service, header route and readiness', (b) => b.positional('app', { type: 'string', demandOption: true }) as Argv<{ app: string }>, async (ctx, args) => {
    const kube = await ctx.kube();
    const [view, world, stored] = await Promise.all([appStatus(kube, kube.namespace, args.app, ctx.io.now()), readWorld(kube, kube.namespace, args.app), readState(kube, kube.namespace, args.app)]);
    const format = ctx.format();
    if (format !== undefined) {
      ctx.out(formatOutput(format, view));
      return EXIT.ok;
    }
    const services = { stable: world.stableServices[0]?.metadata.name, live: world.versionServices };
    ctx.out(renderVersions(view, services, stored?.state.header ?? 'x-version'));
    return EXIT.ok;
  });
  register<BgArgs>(y, 'prune <app>', 'Retire previous versions beyond --keep now (their Deployments, Services and routes are deleted)', (b) => bgFlags(b, false), async (ctx, args) => {
    const d = await engineDeps(ctx, args.app, false);
    try {
      const result = await runRollout(d.engine, { ...bgOptions(args), wait: false });
      ctx.out(renderStatus(result.view, ctx.style(), { now: ctx.io.now() }));
      return exitFor(result);
    } finally {
      d.close();
    }
  });
  return y;
}
