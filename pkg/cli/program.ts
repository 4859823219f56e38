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
  const register = <A>(y: Argv, name: string, describe: string, builder: (y: Argv) => Argv<A>, handler: (ctx: CommandContext, args: A) => Promise<number>): Argv =>
    y.command(name, describe, builder as (y: Argv) => Argv, async (args) => {
      ctx = new CommandContext(io, args as GlobalArgs, spec.binary);
      ctx.format();
      ctx.kubeFlags();
      code = await handler(ctx, args as unknown as A);
    });
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
  parser = spec.strategy === 'canary' ? registerRolloutCommands(parser, register, spec.strategy) : registerBlueGreenCommands(parser, register);
  parser = registerReadCommands(parser, register);
  parser = registerManifestCommands(parser, register, spec.strategy);
  parser = parser.command('version', `Print the version of kubectl-${spec.name}`, (b) => b, () => {
    io.stdout.write(`kubectl-${spec.name} ${toolVersion()}\n`);
  });
  // yargs answers `--get-yargs-completions`; the script below calls it through the binary.
  parser = parser.completion('__complete-yargs', false);
  parser = parser.command('completion', 'Print a bash completion script for kubectl-' + spec.name + ' (and the kubectl_complete-' + spec.name + ' shim kubectl uses)', (b) => b, () => {
    io.stdout.write(completionScript(spec.name));
  });
  try {
    await parser.parseAsync();
  } catch (err) {
    code = report(io, spec, err, argv);
  } finally {
    ctx?.close();
  }
  return code;
}

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

/** A bash completion script for `kubectl-<name>` and `kubectl <name>` (kubectl ≥ 1.26 runs kubectl_complete-<name>). */
export function completionScript(name: string): string {
  const fn = `_kubectl_${name}_completions`;
  return [
    `# bash completion for kubectl-${name}; source it from ~/.bashrc:  source <(kubectl-${name} completion)`,
    `${fn}() {`,
    '  local cur="${COMP_WORDS[COMP_CWORD]}"',
    `  COMPREPLY=( $(compgen -W "$(kubectl-${name} --get-yargs-completions "\${COMP_WORDS[@]:1}" 2>/dev/null)" -- "$cur") )`,
    '}',
    `complete -o default -F ${fn} kubectl-${name}`,
    '',
    `# For \`kubectl ${name} <TAB>\`, kubectl looks for an executable named kubectl_complete-${name} on PATH:`,
    `#   printf '#!/bin/sh\\nkubectl-${name} --get-yargs-completions "$@"\\n' > ~/bin/kubectl_complete-${name} && chmod +x ~/bin/kubectl_complete-${name}`,
    '',
  ].join('\n');
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
