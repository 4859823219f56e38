import { nodeTooOld, processIo } from '../../pkg/cli/io.ts';
import { runPlugin } from '../../pkg/cli/program.ts';

const tooOld = nodeTooOld();
if (tooOld !== undefined) {
  process.stderr.write(`kubectl canary: error: ${tooOld}\n`);
  process.exitCode = 1;
} else {
  process.exitCode = await runPlugin({ name: 'canary', binary: 'kubectl-canary', strategy: 'canary', description: 'Canary rollouts without a controller: weights step by step, health gates, promote, abort, undo.' }, process.argv.slice(2), processIo());
}
