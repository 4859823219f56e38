// A plugin's entry points as its CommonJS script exports them (cmd/kubectl-*/bundle.ts):
// dist/kubectl-<plugin> runs the script from a V8 code cache (esbuild.config.mjs) and calls
// `run`; the build calls `warmUp` once before it saves the cache (hack/build/code-cache.mjs).
import { nodeTooOld, processIo, sinkIo } from './io.ts';
import type { PluginSpec } from './program.ts';
import { runPlugin } from './program.ts';

export interface PluginEntry {
  /** Runs the plugin on the process's own stdin, stdout and stderr; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
  /** Runs `--help`, `status --help` and `version` in memory (nothing is printed), so yargs, the command table and the help printer are compiled; fails if one fails. */
  warmUp(): Promise<void>;
}

export function pluginEntry(plugin: PluginSpec): PluginEntry {
  return {
    async run(argv) {
      const tooOld = nodeTooOld();
      if (tooOld !== undefined) {
        process.stderr.write(`kubectl ${plugin.name}: error: ${tooOld}\n`);
        return 1;
      }
      return runPlugin(plugin, argv, processIo());
    },
    async warmUp() {
      for (const argv of [['--help'], ['status', '--help'], ['version']]) {
        const code = await runPlugin(plugin, argv, sinkIo());
        if (code !== 0) throw new Error(`the warm-up of kubectl ${plugin.name} ${argv.join(' ')} exited ${code}`);
      }
    },
  };
}
