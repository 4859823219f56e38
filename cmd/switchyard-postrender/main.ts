import { runPostRenderer } from '../../pkg/cli/postrender.ts';
import { processIo } from '../../pkg/cli/io.ts';

process.exitCode = await runPostRenderer(process.argv.slice(2), processIo());
