// The post-renderer as the CommonJS script dist/switchyard-postrender runs from a V8 code
// cache (esbuild.config.mjs): `run` is the command; `warmUp` is what the build runs once
// before it saves the cache, so the cache holds the transform's code compiled.
import { nodeTooOld, processIo } from '../../pkg/cli/io.ts';
import { runPostRenderer } from '../../pkg/cli/postrender.ts';

export { warmUp } from '../../pkg/cli/warm-up.ts';

/** Runs the post-renderer on the process's own stdin and stdout; resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  const tooOld = nodeTooOld();
  if (tooOld !== undefined) {
    process.stderr.write(`switchyard-postrender: error: ${tooOld}\n`);
    return 1;
  }
  return runPostRenderer(argv, processIo());
}
