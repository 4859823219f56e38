import type { Readable, Writable } from 'node:stream';

/** The streams, environment and clock a command runs with; tests pass their own. */
export interface Io {
  stdin: Readable;
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The real process streams. */
export function processIo(): Io {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, now: () => Date.now() };
}

/** Reads a whole stream, failing once it exceeds `maxBytes`. */
export async function readAll(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > maxBytes) throw new Error(`input is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Writes text and resolves once it is handed to the OS, so exiting afterwards loses nothing. */
export function writeAll(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

/** The oldest Node.js switchyard runs on: client-node 2 needs undici 8, which needs 22.19. */
export const MIN_NODE = '22.19';

/** One-line reason when this Node.js is too old, else undefined. */
export function nodeTooOld(version: string = process.versions.node): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [minMajor = 0, minMinor = 0] = MIN_NODE.split('.').map(Number);
  const ok = major > minMajor || (major === minMajor && minor >= minMinor);
  return ok ? undefined : `switchyard needs Node.js ${MIN_NODE} or newer; this is Node.js ${version} (put a newer node first on PATH)`;
}
