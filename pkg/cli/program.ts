import yargs from 'yargs';
import type { Argv } from 'yargs';
import type { Strategy } from '../render/index.ts';
import { KubeError } from '../kube/errors.ts';
import { LeaseHeld, LeaseLost } from '../rollout/lease.ts';
import { CommandContext, globalFlags } from './context.ts';
import type { GlobalArgs } from './context.ts';
import { EXIT, exitCodeFor, oneLine, UsageError } from './exit-codes.ts';
import { hideSecrets } from './kubectl-flags.ts';
import type { Io } from './io.ts';
import { registerManifestCommands } from './commands/manifest.ts';
import { registerReadCommands } from './commands/read.ts';
import { registerRolloutCommands } from './commands/rollout.ts';
import { registerBlueGreenCommands } from './commands/bluegreen.ts';
import { toolVersion } from './version.ts';
import { buildTree } from './complete.ts';
import type { CommandSpec } from './complete.ts';
import { completionScript, SHELLS } from './completion-scripts.ts';
import type { Shell } from './completion-scripts.ts';

/** One kubectl plugin: its name as kubectl shows it and its strategy. */
export interface PluginSpec {
  /** `canary` or `bluegreen` (so usage reads `kubectl canary …`). */
  name: string;
  binary: string;
  strategy: Strategy;
  description: string;
}

/**
 * Builds and runs a plugin's CLI. Every command parses its flags, calls an exported action
 * of pkg/rollout and hands the result to a renderer; errors become the documented exit
 * codes: 0 ok, 1 rolled back/degraded/failed, 2 usage, 3 timeout, 4 cluster unreachable or
 * forbidden.
 */
export async function runPlugin(spec: PluginSpec, argv: string[], io: Io): Promise<number> {
  let code: number = EXIT.ok;
  let ctx: CommandContext | undefined;
  const commands: CommandSpec[] = [];
  const register = <A>(y: Argv, name: string, describe: string, builder: (y: Argv) => Argv<A>, handler: (ctx: CommandContext, args: A) => Promise<number>): Argv => {
    commands.push({ usage: name, describe, builder: builder as (y: Argv) => Argv });
    return y.command(name, describe, builder as (y: Argv) => Argv, async (args) => {
      ctx = new CommandContext(io, args as GlobalArgs, spec.binary);
      ctx.format();
      ctx.kubeFlags();
      code = await handler(ctx, args as unknown as A);
    });
  };
  let parser = globalFlags(yargs(stdinArgs(argv)))
    .scriptName(`kubectl ${spec.name}`)
    .usage(`$0 <command> [flags]\n\n${spec.description}`)
    .version(false)
    .strict()
    .recommendCommands()
    .demandCommand(1, 'name a command; see --help')
    .help()
    .alias('h', 'help')
    .wrap(Math.min(120, io.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((message: string | undefined, err: Error | undefined) => {
      if (err !== undefined) throw err;
      throw new UsageError(message ?? 'invalid arguments');
    }) as unknown as Argv;
  skipHelpCache(parser);
  parser = spec.strategy === 'canary' ? registerRolloutCommands(parser, register, spec.strategy) : registerBlueGreenCommands(parser, register);
  parser = registerReadCommands(parser, register);
  parser = registerManifestCommands(parser, register, spec.strategy);
  const versionHelp = `Print the version of kubectl-${spec.name}`;
  commands.push({ usage: 'version', describe: versionHelp });
  parser = parser.command('version', versionHelp, (b) => b, () => {
    io.stdout.write(`kubectl-${spec.name} ${toolVersion()}\n`);
  });
  const completionHelp = `Print a completion script for kubectl-${spec.name} (bash, zsh or fish)`;
  commands.push({ usage: 'completion [shell]', describe: completionHelp, args: [...SHELLS] });
  parser = parser.command('completion [shell]', completionHelp, (b) => b.positional('shell', { choices: SHELLS, default: 'bash', describe: 'bash, zsh or fish' }), (args) => {
    io.stdout.write(completionScript(args.shell as Shell, spec.name));
  });
  if (argv[0] === COMPLETE) {
    // kubectl ≥ 1.26 runs kubectl_complete-<plugin> with the words typed so far; the shim runs us with __complete.
    return (await import('./completion-run.ts')).printCompletions(buildTree(commands, globalFlags), argv.slice(1), io);
  }
  try {
    await parser.parseAsync();
  } catch (err) {
    code = report(io, spec, err, argv);
  } finally {
    ctx?.close();
  }
  return code;
}

/**
 * yargs renders the help of a command as soon as its handler has started, to show it should
 * the handler fail (about 30 ms of CPU, which holds up the handler's first answers from the
 * cluster). Our failure handler never shows help, so the render is skipped.
 */
function skipHelpCache(parser: Argv): void {
  const usage = (parser as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.().getUsageInstance?.();
  if (usage?.cacheHelpMessage !== undefined) usage.cacheHelpMessage = () => undefined;
}

/** The hidden first argument that asks for completions (what the kubectl_complete-<plugin> shims pass). */
export const COMPLETE = '__complete';

/** `-f -` (stdin, as kubectl writes it) becomes `--filename=-`, which yargs does not mistake for a stray argument. */
export function stdinArgs(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if ((argv[i] === '-f' || argv[i] === '--filename') && argv[i + 1] === '-') {
      out.push('--filename=-');
      i++;
    } else {
      out.push(argv[i]!);
    }
  }
  return out;
}

/** Failures that running the same command again can get past: the API server was busy, unreachable or raced us. */
const TRANSIENT = new Set(['server', 'unreachable', 'timeout', 'conflict']);

function report(io: Io, spec: PluginSpec, err: unknown, argv: string[]): number {
  const code = exitCodeFor(err);
  const prefix = err instanceof UsageError ? 'error' : err instanceof KubeError || err instanceof LeaseHeld ? 'error' : 'error';
  io.stderr.write(`kubectl ${spec.name}: ${prefix}: ${oneLine(err)}\n`);
  if (err instanceof UsageError) io.stderr.write(`See 'kubectl ${spec.name} --help'.\n`);
  if (err instanceof KubeError && TRANSIENT.has(err.code)) {
    const line = hideSecrets(argv).map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(' ');
    io.stderr.write(`Every step is idempotent, so nothing is half-done; run it again to resume: kubectl ${spec.name} ${line}\n`);
  }
  if (err instanceof LeaseLost) {
    io.stderr.write(`The new holder carries on; to resume after it stops: kubectl ${spec.name} run ${err.app} -n ${err.namespace}\n`);
  }
  return code;
}
