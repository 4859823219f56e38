// The multi-call executable of the standalone binaries: one file serves kubectl-canary,
// kubectl-bluegreen, switchyard-postrender and the completion shims by the name it is
// invoked as (process.argv[1] is that name, also inside a Node single-executable application).
// No top-level await: the single-executable bundle is CommonJS.
import { nodeTooOld, processIo } from '../../pkg/cli/io.ts';
import { runAs } from '../../pkg/cli/entry.ts';

const tooOld = nodeTooOld();
if (tooOld !== undefined) {
  process.stderr.write(`switchyard: error: ${tooOld}\n`);
  process.exitCode = 1;
} else {
  runAs(process.argv[1] ?? 'switchyard', process.argv.slice(2), processIo()).then((code) => {
    process.exitCode = code;
  }, (err: unknown) => {
    process.stderr.write(`switchyard: error: ${(err as Error).message}\n`);
    process.exitCode = 1;
  });
}
