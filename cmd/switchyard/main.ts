// The multi-call executable of the standalone binaries: one file serves kubectl-canary,
// kubectl-bluegreen, switchyard-postrender and the completion shims by the name it is
// invoked as (process.argv[1] is that name, also inside a Node single-executable application).
// No top-level await: the single-executable bundle is CommonJS.
//
// The binary for the build machine's own platform starts from a V8 start-up snapshot
// (`useSnapshot` in the SEA config): the blob writer runs this script in snapshot-building
// mode, where it evaluates every module a command needs, lets the event loop drain, and
// registers `start` to run when the binary starts from the saved heap. It also renders a
// small chart, so that the transform's code is compiled in the snapshot too (the
// post-renderer's start on a typical chart: 150 -> 120 ms). No module reads the environment, the terminal or the clock while it is
// evaluated, so nothing of the build machine is frozen into the snapshot.
import { startupSnapshot } from 'node:v8';
import { nodeTooOld, processIo } from '../../pkg/cli/io.ts';
import { runAs } from '../../pkg/cli/entry.ts';

function start(): void {
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

/** Evaluates the modules commands load on demand (all but client-node, kept for the kubeconfigs that need it). */
async function preload(): Promise<void> {
  await Promise.all([
    import('../../pkg/cli/program.ts'),
    import('../../pkg/cli/postrender.ts'),
    import('../../pkg/cli/completion-run.ts'),
    import('../../pkg/kube/open.ts'),
  ]);
  const [{ FIRST_INSTALL, render }, { WARM_UP }] = await Promise.all([import('../../pkg/render/index.ts'), import('../../pkg/cli/warm-up.ts')]);
  render(WARM_UP, { version: '1.0.0' }, FIRST_INSTALL);
}

if (startupSnapshot.isBuildingSnapshot()) {
  preload().catch((err: unknown) => {
    process.stderr.write(`switchyard: error: building the start-up snapshot: ${(err as Error).message}\n`);
    process.exitCode = 1;
  });
  startupSnapshot.setDeserializeMainFunction(start);
} else {
  start();
}
