// The multi-call script of the standalone binaries: one script serves kubectl-canary,
// kubectl-bluegreen, switchyard-postrender and the completion shims by the name the binary
// is invoked as (process.argv[1] is that name, also inside a Node single-executable application).
//
// hack/dist/bundle.mjs bundles it as a CommonJS script that the binary carries as a SEA asset,
// beside a V8 code cache written after `warmUp` ran it once (hack/build/code-cache.mjs); the
// SEA's main script compiles it from that cache and calls `start`. Node's start-up snapshot
// was the other way: it deserializes the whole evaluated heap (about 2 MB beyond Node's own)
// at every start and holds no compiled functions, and measured slower on every command.
import { nodeTooOld, processIo } from '../../pkg/cli/io.ts';
import { PLUGINS, runAs } from '../../pkg/cli/entry.ts';
import { warmUp as warmUpRender } from '../../pkg/cli/warm-up.ts';

/** Runs the program the binary was invoked as, on the process's own stdin, stdout and stderr. */
export function start(): void {
  const tooOld = nodeTooOld();
  if (tooOld !== undefined) {
    process.stderr.write(`switchyard: error: ${tooOld}\n`);
    process.exitCode = 1;
    return;
  }
  runAs(process.argv[1] ?? 'switchyard', process.argv.slice(2), processIo()).then((code) => {
    process.exitCode = code;
  }, (err: unknown) => {
    process.stderr.write(`switchyard: error: ${(err as Error).message}\n`);
    process.exitCode = 1;
  });
}

/** What the build runs once before it writes the code cache: a render and each plugin's warm-up, printing nothing. */
export async function warmUp(): Promise<void> {
  await warmUpRender();
  // Imported here: a static import would evaluate yargs and the command table at every start of the post-renderer.
  const { pluginEntry } = await import('../../pkg/cli/plugin-entry.ts');
  for (const plugin of Object.values(PLUGINS)) await pluginEntry(plugin).warmUp();
}
