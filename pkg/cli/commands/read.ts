import type { Argv } from 'yargs';
import { history, listApps, readStatus } from '../../rollout/actions.ts';
import { waitForAppChange } from '../../rollout/watch.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import { oneTarget, releaseStatusCommand } from './release.ts';
import type { CommandContext } from '../context.ts';
import { formatOutput, noHistoryFound, noRolloutsFound, renderHistory, renderList, renderStatus } from '../output/index.ts';
import type { AppStatus } from '../../rollout/view.ts';

type Handler<A> = (ctx: CommandContext, args: A) => Promise<number>;
type Register = <A>(y: Argv, name: string, describe: string, builder: (y: Argv) => Argv<A>, handler: Handler<A>) => Argv;

/** `status` exits 0 only when the app is Healthy (1 Degraded, 0 for a rollout in progress without -w). */
function statusExit(view: AppStatus): number {
  return view.phase === 'Degraded' ? EXIT.failed : EXIT.ok;
}

/** `status`, `list`, `history`. */
export function registerReadCommands(y: Argv, register: Register): Argv {
  register<{ app: string; watch: boolean; timeout?: string; release?: string }>(y, 'status [app]', 'Show the rollout of one app, or of every app of a release (-w: follow it live until it ends)', (b) =>
    b.positional('app', { type: 'string', describe: "The app: the name of the chart's Deployment (or --release)" })
      .option('release', { type: 'string', describe: 'Every app of this Helm release' })
      .option('watch', { alias: 'w', type: 'boolean', default: false, describe: 'Keep watching and redraw until the rollout is Healthy or Degraded' }) as Argv<{ app: string; watch: boolean; release?: string }>, async (ctx, args) => {
    const target = oneTarget(args.app, args.release);
    if ('release' in target) {
      if (args.watch) throw new UsageError('status -w follows one app: name it instead of --release');
      return releaseStatusCommand(ctx, target.release);
    }
    const kube = await ctx.kube();
    const ns = kube.namespace;
    let { view, read } = await readStatus(kube, ns, args.app, ctx.io.now());
    const format = ctx.format();
    if (!args.watch) {
      ctx.out(format === undefined ? renderStatus(view, ctx.style(), { now: ctx.io.now() }) : formatOutput(format, view));
      return statusExit(view);
    }
    const live = format === undefined ? ctx.liveView() : undefined;
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    process.once('SIGINT', stop);
    try {
      for (;;) {
        if (live !== undefined) live.update(view);
        else ctx.out(formatOutput(format!, view));
        if (view.phase === 'Healthy' || view.phase === 'Degraded' || controller.signal.aborted) break;
        await waitForAppChange(kube, ns, args.app, read, Infinity, () => ctx.io.now(), controller.signal);
        ({ view, read } = await readStatus(kube, ns, args.app, ctx.io.now()));
      }
    } finally {
      live?.close();
      process.off('SIGINT', stop);
    }
    return statusExit(view);
  });
  register<{ 'all-namespaces': boolean }>(y, 'list', 'List the apps switchyard manages and where their rollouts are', (b) =>
    b.option('all-namespaces', { alias: 'A', type: 'boolean', default: false, describe: 'List apps in every namespace' }) as Argv<{ 'all-namespaces': boolean }>, async (ctx, args) => {
    const kube = await ctx.kube();
    const ns = args['all-namespaces'] ? undefined : kube.namespace;
    const views = await listApps(kube, ns, ctx.io.now());
    const format = ctx.format();
    if (format !== undefined) ctx.out(formatOutput(format, views));
    else if (views.length === 0) ctx.note(noRolloutsFound(ns === undefined ? { allNamespaces: true } : { allNamespaces: false, namespace: ns }));
    else ctx.out(renderList(views, ctx.style(), { allNamespaces: ns === undefined }));
    return EXIT.ok;
  });
  register<{ app: string }>(y, 'history <app>', 'Show the recorded transitions of an app', (b) => b.positional('app', { type: 'string', demandOption: true }) as Argv<{ app: string }>, async (ctx, args) => {
    const kube = await ctx.kube();
    const view = await history(kube, kube.namespace, args.app);
    const format = ctx.format();
    if (format !== undefined) ctx.out(formatOutput(format, view));
    else if (view.entries.length === 0) ctx.note(noHistoryFound(view));
    else ctx.out(renderHistory(view, ctx.style()));
    return EXIT.ok;
  });
  return y;
}
