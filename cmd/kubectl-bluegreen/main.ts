import { nodeTooOld, processIo } from '../../pkg/cli/io.ts';
import { runPlugin } from '../../pkg/cli/program.ts';

const tooOld = nodeTooOld();
if (tooOld !== undefined) {
  process.stderr.write(`kubectl bluegreen: error: ${tooOld}\n`);
  process.exitCode = 1;
} else {
  process.exitCode = await runPlugin({ name: 'bluegreen', binary: 'kubectl-bluegreen', strategy: 'bluegreen', description: 'Blue-green and multi-version rollouts without a controller: preview, switch, instant rollback, N live versions.' }, process.argv.slice(2), processIo());
}
