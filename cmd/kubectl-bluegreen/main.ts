// kubectl bluegreen run from its TypeScript source (the bundle runs bundle.ts's `run` from a code cache).
import { run } from './bundle.ts';

process.exitCode = await run(process.argv.slice(2));
