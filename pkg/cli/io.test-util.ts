import { PassThrough } from 'node:stream';
import type { Io } from './io.ts';

/** An {@link Io} for tests: empty stdin and env, the clock at 0, and what was written to stdout and stderr. */
export function capturedIo(): Io & { out(): string; err(): string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += String(c)));
  stderr.on('data', (c: Buffer) => (err += String(c)));
  return { stdin: new PassThrough(), stdout, stderr, env: {}, now: () => 0, out: () => out, err: () => err };
}
