import { nodeTooOld, processIo } from '../../pkg/cli/io.ts';
import { runPostRenderer } from '../../pkg/cli/postrender.ts';

const tooOld = nodeTooOld();
if (tooOld !== undefined) {
  process.stderr.write(`switchyard-postrender: error: ${tooOld}\n`);
  process.exitCode = 1;
} else {
  process.exitCode = await runPostRenderer(process.argv.slice(2), processIo());
}
