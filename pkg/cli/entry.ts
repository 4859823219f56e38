import { basename } from 'node:path';
import { UsageError } from './exit-codes.ts';
import { EXIT } from './exit-codes.ts';
import type { Io } from './io.ts';
import type { PluginSpec } from './program.ts';

/** The kubectl plugins switchyard ships. */
export const PLUGINS: Record<'canary' | 'bluegreen', PluginSpec> = {
  canary: { name: 'canary', binary: 'kubectl-canary', strategy: 'canary', description: 'Canary rollouts without a controller: weights step by step, health gates, promote, abort, undo.' },
  bluegreen: { name: 'bluegreen', binary: 'kubectl-bluegreen', strategy: 'bluegreen', description: 'Blue-green and multi-version rollouts without a controller: preview, switch, instant rollback, N live versions.' },
};

/** What one invoked name runs: a plugin, the post-renderer, or a plugin's completion shim. */
export type Program =
  | { kind: 'plugin'; plugin: PluginSpec; argv: string[] }
  | { kind: 'complete'; plugin: PluginSpec; argv: string[] }
  | { kind: 'postrender'; argv: string[] };

const SELF = 'switchyard';

/**
 * Maps the name a multi-call executable was invoked as (`kubectl-canary`,
 * `kubectl-rollout_canary`, `kubectl-bluegreen`, `switchyard-postrender`,
 * `kubectl_complete-canary`, `kubectl_complete-bluegreen`, with or without `.exe`) to the
 * program it runs. Under its own name (`switchyard`) the first argument names the program:
 * `switchyard canary …`, `switchyard bluegreen …`, `switchyard postrender …`, which is how
 * Windows (no symlinks) and the Helm plugin call it.
 */
export function programFor(invokedAs: string, argv: string[]): Program {
  const name = basename(invokedAs).replace(/\.exe$/i, '');
  switch (name) {
    case 'kubectl-canary':
    case 'kubectl-rollout_canary':
      return { kind: 'plugin', plugin: PLUGINS.canary, argv };
    case 'kubectl-bluegreen':
      return { kind: 'plugin', plugin: PLUGINS.bluegreen, argv };
    case 'kubectl_complete-canary':
      return { kind: 'complete', plugin: PLUGINS.canary, argv };
    case 'kubectl_complete-bluegreen':
      return { kind: 'complete', plugin: PLUGINS.bluegreen, argv };
    case 'switchyard-postrender':
      return { kind: 'postrender', argv };
    default: {
      const [sub, ...rest] = argv;
      if (sub === 'canary' || sub === 'bluegreen') return { kind: 'plugin', plugin: PLUGINS[sub], argv: rest };
      if (sub === 'postrender') return { kind: 'postrender', argv: rest };
      if (sub === 'complete-canary' || sub === 'complete-bluegreen') return { kind: 'complete', plugin: PLUGINS[sub.slice('complete-'.length) as 'canary' | 'bluegreen'], argv: rest };
      throw new UsageError(`${SELF}: error: name a program: ${SELF} canary|bluegreen|postrender … (or run it as kubectl-canary, kubectl-bluegreen, switchyard-postrender)`);
    }
  }
}

/** Runs the program an invoked name stands for; each program's code loads only when it runs. */
export async function runAs(invokedAs: string, argv: string[], io: Io): Promise<number> {
  let program: Program;
  try {
    program = programFor(invokedAs, argv);
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return EXIT.usage;
  }
  switch (program.kind) {
    case 'postrender':
      return (await import('./postrender.ts')).runPostRenderer(program.argv, io);
    case 'plugin':
      return (await import('./program.ts')).runPlugin(program.plugin, program.argv, io);
    case 'complete':
      // kubectl ≥ 1.26 runs kubectl_complete-<plugin> with the words typed so far.
      return (await import('./program.ts')).runPlugin(program.plugin, ['__complete', ...program.argv], io);
  }
}
