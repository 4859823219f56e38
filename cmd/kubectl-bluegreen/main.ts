import { nodeTooOld, processIo } from '../../pkg/cli/io.ts';
import { runPlugin } from '../../pkg/cli/program.ts';
import { PLUGINS } from '../../pkg/cli/entry.ts';

const tooOld = nodeTooOld();
if (tooOld !== undefined) {
  process.stderr.write(`kubectl bluegreen: error: ${tooOld}\n`);
  process.exitCode = 1;
} else {
  process.exitCode = await runPlugin(PLUGINS.bluegreen, process.argv.slice(2), processIo());
}
