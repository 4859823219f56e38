import type { Argv } from 'yargs';
import type { Strategy } from '../../render/index.ts';
import { control, runRollout } from '../../rollout/actions.ts';
import type { ControlResult, RunOptions } from '../../rollout/actions.ts';
import type { DriveResult, EngineDeps, Outcome } from '../../rollout/engine.ts';
import type { ControlRequest } from '../../rollout/state.ts';
import { EXIT, UsageError } from '../exit-codes.ts';
import type { CommandContext } from '../context.ts';
import { formatOutput, renderStatus } from '../output/index.ts';
import { driveFlags, runOptions } from './options.ts';
import { controlReleaseCommand, oneTarget, runReleaseCommand } from './release.ts';
import type { DriveArgs } from './options.ts';

type Handler<A> = (ctx: CommandContext, args: A) => Promise<number>;
type Register = <A>(y: Argv, name: string, describe: string, builder: (y: Argv) => Argv<A>, handler: Handler<A>) => Argv;

/** Exit code of a drive: 0 healthy or progressing as asked, 1 rolled back, 3 timed out, interrupted or paused by an inconclusive analysis. */
export function exitFor(result: DriveResult): number {
  return exitForOutcome(result.outcome);
}

/** {@link exitFor} by the outcome alone (a release's outcome is that of its apps together). */
export function exitForOutcome(outcome: Outcome): number {
  switch (outcome) {
    case 'degraded':
      return EXIT.failed;
    case 'timeout':
    case 'inconclusive':
      return EXIT.timeout;
    default:
      return EXIT.ok;
  }
}

/** What a command that drives needs: the engine's collaborators, a live view when asked, and Ctrl-C/SIGTERM handling. */
export interface CommandDeps {
  engine: EngineDeps;
  close: () => void;
  interrupted: () => boolean;
  animated: boolean;
}

/** Builds {@link CommandDeps}; SIGINT/SIGTERM stop the engine between steps (exit 3). */
export async function engineDeps(ctx: CommandContext, app: string, live: boolean): Promise<CommandDeps> {
  const kube = await ctx.kube();
  const view = live && ctx.format() === undefined ? ctx.liveView('stderr') : undefined;
  const interrupt = onInterrupt();
  return {
    engine: { kube, namespace: kube.namespace, app, now: () => ctx.io.now(), emit: ctx.engineSink(view), signal: interrupt.signal },
    interrupted: () => interrupt.signal.aborted,
    animated: view?.animated === true,
    close: () => {
      view?.close();
      interrupt.close();
    },
  };
}

/** A signal that SIGINT or SIGTERM aborts, until `close`. */
export function onInterrupt(): { signal: AbortSignal; close: () => void } {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    close: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/**
 * The outcomes every control command reports the same way: the request was handed to
 * the running driver, or there was nothing to do. Returns the exit code, or undefined
 * when the command should report the drive it did.
 */
export function sharedOutcome(ctx: CommandContext, app: string, kind: string, result: ControlResult): number | undefined {
  if (result.kind === 'delegated') {
    ctx.note(`${app}: ${kind} requested; ${result.holder} drives ${app} and will carry it out`);
    return EXIT.ok;
  }
  if (result.kind === 'nothing') {
    ctx.note(result.message);
    return result.result === undefined ? EXIT.ok : exitFor(result.result);
  }
  return undefined;
}

/** Exit code of a control command's drive: as {@link exitFor}, but a successful abort leaves the app Degraded on purpose (0). */
export function controlExit(kind: ControlRequest['kind'], result: DriveResult): number {
  if (kind === 'abort') return result.view.phase === 'Degraded' ? EXIT.ok : EXIT.failed;
  return exitFor(result);
}

/** Prints the final status, unless an animated live view already left it on the same terminal. */
function printResult(ctx: CommandContext, result: DriveResult, animated: boolean): void {
  const format = ctx.format();
  if (format !== undefined) ctx.out(formatOutput(format, result.view));
  else if (!(animated && ctx.io.stdout.isTTY === true)) ctx.out(renderStatus(result.view, ctx.style(), { now: ctx.io.now() }));
  if (result.outcome === 'timeout') ctx.note(`${result.view.app}: timed out while ${result.view.phase.toLowerCase()}${result.view.message === undefined ? '' : ` (${result.view.message})`}`);
  if (result.outcome === 'degraded') ctx.note(`${result.view.app}: rolled back to ${result.view.stable}: ${result.view.message ?? 'degraded'}`);
  if (result.outcome === 'inconclusive') ctx.note(`${result.view.app}: paused: ${result.view.message ?? 'analysis inconclusive'}`);
}

/** Registers `run <app>` with the given flags and option mapping. */
export function registerRun<A extends { app: string } & DriveArgs>(y: Argv, register: Register, _strategy: Strategy, describe: string, builder: (b: Argv) => Argv<A>, toOptions: (args: A) => RunOptions): void {
  register<A & { release?: string }>(y, 'run [app]', describe, (b) => releaseFlag(builder(b)) as Argv<A & { release?: string }>, async (ctx, args) => {
    const target = oneTarget(args.app, args.release);
    if ('release' in target) return runReleaseCommand(ctx, target.release, toOptions(args));
    const d = await engineDeps(ctx, args.app, args.wait === true);
    try {
      const result = await runRollout(d.engine, toOptions(args));
      d.close();
      printResult(ctx, result, d.animated);
      if (d.interrupted()) {
        const plugin = ctx.binary.replace(/^kubectl-/, '').replace('_', '-');
        ctx.note(`${args.app}: interrupted while ${result.view.phase.toLowerCase()}; the lease is released; resume with: kubectl ${plugin} run ${args.app} -n ${d.engine.namespace}`);
        return EXIT.timeout;
      }
      return exitFor(result);
    } finally {
      d.close();
    }
  });
}

/** `run`, `promote`, `pause`, `resume`, `abort`, `retry`, `undo`, `set-weight`. */
export function registerRolloutCommands(y: Argv, register: Register, strategy: Strategy): Argv {
  const app = (b: Argv): Argv<{ app: string }> => b.positional('app', { type: 'string', describe: 'The app: the name of the chart\'s Deployment (or --release)' }) as Argv<{ app: string }>;
  registerRun<{ app: string } & DriveArgs>(y, register, strategy, 'Drive the rollout of the newest version to the end: weights, gates, promotion', (b) => driveFlags(app(b), false), (args) => runOptions(args, strategy));
  const controlCommand = (name: string, kind: ControlRequest['kind'], describe: string, waitDefault: boolean, extra: (b: Argv) => Argv = (b) => b, values: (args: Record<string, unknown>) => { reason?: string; target?: string; weight?: number } = () => ({})): void => {
    const single = name === 'set-weight';
    register<{ app: string } & DriveArgs & Record<string, unknown>>(y, single ? `${name} <app> <weight>` : `${name} [app]`, describe, (b) => driveFlags(extra(single ? b.positional('app', { type: 'string', demandOption: true }) : releaseFlag(app(b))), waitDefault) as Argv<{ app: string } & DriveArgs & Record<string, unknown>>, async (ctx, args) => {
      const requestKind: ControlRequest['kind'] = kind === 'promote' && args.full === true ? 'promote-full' : kind;
      const target = oneTarget(args.app, args.release as string | undefined);
      if ('release' in target) return controlReleaseCommand(ctx, target.release, requestKind, runOptions(args, strategy), values(args));
      const d = await engineDeps(ctx, args.app, args.wait === true);
      try {
        const result = await control(d.engine, requestKind, runOptions(args, strategy), values(args));
        d.close();
        const shared = sharedOutcome(ctx, args.app, requestKind, result);
        if (shared !== undefined || result.kind !== 'done') return shared ?? EXIT.ok;
        printResult(ctx, result.result, d.animated);
        if (d.interrupted()) return EXIT.timeout;
        return controlExit(requestKind, result.result);
      } finally {
        d.close();
      }
    });
  };
  controlCommand('promote', 'promote', 'Skip the current step or pause (--full: skip every remaining step and promote now)', true, (b) => b.option('full', { type: 'boolean', default: false, describe: 'Promote at once, skipping the remaining steps' }));
  controlCommand('pause', 'pause', 'Hold the rollout at its current weight until resume or promote', false);
  controlCommand('resume', 'resume', 'Continue a paused rollout', true);
  controlCommand('abort', 'abort', 'Send all traffic back to the stable version at once and scale the new version down', false, (b) => b.option('reason', { type: 'string', describe: 'Why, for the history' }), (a) => (a.reason === undefined ? {} : { reason: String(a.reason) }));
  controlCommand('retry', 'retry', 'Start an aborted rollout again from its first step', true);
  controlCommand('undo', 'undo', 'Roll back to the previous (or --to-version) retained version: scale it up, wait until ready, switch', true, (b) => b.option('to-version', { type: 'string', describe: 'The retained version to return to (default: the newest)' }), (a) => (a['to-version'] === undefined ? {} : { target: String(a['to-version']) }));
  if (strategy === 'canary') {
    controlCommand('set-weight', 'set-weight', 'Hold the new version at a weight until resume (it is scaled and ready first)', true, (b) => b.positional('weight', { type: 'number', demandOption: true, describe: 'Weight in percent, 0-100' }), (a) => {
      const weight = Number(a.weight);
      if (!Number.isInteger(weight) || weight < 0 || weight > 100) throw new UsageError('weight must be a whole number from 0 to 100');
      return { weight };
    });
  }
  return y;
}

/** `--release <name>`: every app of a Helm release whose version changed, in lock-step. */
export function releaseFlag<T>(b: Argv<T>): Argv<T & { release?: string }> {
  return b.option('release', { type: 'string', describe: 'Every app of this Helm release (its Deployments\' meta.helm.sh/release-name) instead of one app: lock-step steps, one rollback for all' }) as Argv<T & { release?: string }>;
}
