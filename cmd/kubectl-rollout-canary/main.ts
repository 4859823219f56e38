import { processIo } from '../../pkg/cli/io.ts';
import { runPlugin } from '../../pkg/cli/program.ts';

process.exitCode = await runPlugin(
  { name: 'canary', binary: 'kubectl-canary', strategy: 'canary', description: 'Canary rollouts without a controller: weights step by step, health gates, promote, abort, undo.' },
  process.argv.slice(2),
  processIo(),
);
