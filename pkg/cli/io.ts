import { fstatSync, readSync, writeSync, writevSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';

/** The streams, environment and clock a command runs with; tests pass their own. */
export interface Io {
  stdin: Readable;
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * The process's own descriptors behind stdin and stdout, for {@link readInput} and
   * {@link writeOutput}: whole reads and writes with no stream objects (set by {@link processIo} only).
   */
  fds?: { stdin: number; stdout: number; stderr?: number };
}

/**
 * The real process streams. Node builds process.stdin and process.stdout on first use (a
 * pipe's is a net.Socket, which loads the stream and net modules): the getters leave that
 * to the commands that use them.
 */
export function processIo(): Io {
  return {
    get stdin() {
      return process.stdin;
    },
    get stdout() {
      return process.stdout;
    },
    get stderr() {
      return process.stderr;
    },
    env: process.env,
    now: () => Date.now(),
    fds: { stdin: 0, stdout: 1, stderr: 2 },
  };
}

const wouldBlock = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'EAGAIN';
/** Windows answers a read at the end of a pipe with an EOF error, not with 0 bytes. */
const endOfPipe = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'EOF';

/**
 * All of stdin, failing once it exceeds `maxBytes`: read from the descriptor with blocking
 * reads when {@link Io.fds} has it (a descriptor its opener made non-blocking answers
 * EAGAIN: the rest is read through the stream), else from the stream. The reads go into one
 * buffer: of the file's size for `< file`, doubled as it fills for a pipe, so no chunk is
 * allocated per read and none is copied again at the end.
 */
export async function readInput(io: Io, maxBytes: number): Promise<Buffer> {
  if (io.fds === undefined) return readAll(io.stdin, maxBytes);
  const fd = io.fds.stdin;
  let buf = Buffer.allocUnsafe(firstBufferSize(fd, maxBytes));
  let size = 0;
  for (;;) {
    if (size === buf.length) {
      const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, maxBytes + 1));
      buf.copy(bigger, 0, 0, size);
      buf = bigger;
    }
    let n: number;
    try {
      n = readSync(fd, buf, size, buf.length - size, null);
    } catch (err) {
      if (endOfPipe(err)) break;
      if (!wouldBlock(err)) throw err;
      return readAll(io.stdin, maxBytes, [buf.subarray(0, size)]);
    }
    if (n === 0) break;
    size += n;
    if (size > maxBytes) throw tooLarge(maxBytes);
  }
  return buf.subarray(0, size);
}

/** A regular file's size and one byte more (so the read that finds its end needs no room), else 256 KiB; at most `maxBytes` + 1. */
function firstBufferSize(fd: number, maxBytes: number): number {
  let size = 256 * 1024;
  try {
    const stat = fstatSync(fd);
    if (stat.isFile()) size = stat.size + 1;
  } catch {
    // not a descriptor fstat answers for: read it as a pipe
  }
  return Math.min(size, maxBytes + 1);
}

/**
 * Writes all of `output` (text as UTF-8; parts one after the other) to stdout and returns
 * once the OS has it: to the descriptor when {@link Io.fds} has it, parts gathered into
 * writev calls (EAGAIN: the rest through the stream).
 */
export async function writeOutput(io: Io, output: string | Uint8Array | readonly Uint8Array[]): Promise<void> {
  const parts = typeof output === 'string' ? [Buffer.from(output, 'utf8')] : output instanceof Uint8Array ? [output] : output;
  if (io.fds === undefined) {
    for (const part of parts) await writeAll(io.stdout, part);
    return;
  }
  let next = 0;
  let head: Uint8Array | undefined = parts[0];
  while (head !== undefined) {
    const batch = [head, ...parts.slice(next + 1, next + IOV_MAX)];
    let written: number;
    try {
      written = writevSync(io.fds.stdout, batch);
    } catch (err) {
      if (!wouldBlock(err)) throw err;
      for (const part of [head, ...parts.slice(next + 1)]) await writeAll(io.stdout, part);
      return;
    }
    // Drop what was written: whole parts, then the start of a part written in part.
    while (head !== undefined && written >= head.length) {
      written -= head.length;
      next += 1;
      head = parts[next];
    }
    if (head !== undefined && written > 0) head = head.subarray(written);
  }
}

/** Whether a descriptor write to stderr was refused (EAGAIN): what follows goes through the stream, in order. */
let stderrThroughStream = false;

/**
 * Writes `text` to stderr: to the descriptor when {@link Io.fds} has it, as process.stderr
 * writes files and pipes anyway, but without making that stream (a pipe's, as under Helm, is
 * a net.Socket: about 3 ms of modules to load for a warning); through the stream otherwise,
 * and from the first write the descriptor refuses (EAGAIN) on. An error from the descriptor
 * (stderr closed) loses the text, as the stream would.
 */
export function writeError(io: Io, text: string): void {
  const fd = io.fds?.stderr;
  if (fd === undefined || stderrThroughStream) {
    io.stderr.write(text);
    return;
  }
  let bytes = Buffer.from(text, 'utf8');
  while (bytes.length > 0) {
    try {
      bytes = bytes.subarray(writeSync(fd, bytes));
    } catch (err) {
      if (!wouldBlock(err)) return;
      stderrThroughStream = true;
      io.stderr.write(bytes);
      return;
    }
  }
}

/** The most buffers one writev takes on Linux and macOS. */
const IOV_MAX = 1024;

const tooLarge = (maxBytes: number): Error => new Error(`input is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB`);

/** Reads a whole stream after the `read` chunks already taken from it, failing once all exceed `maxBytes`. */
export async function readAll(stream: Readable, maxBytes: number, read: Buffer[] = []): Promise<Buffer> {
  const chunks = [...read];
  let size = chunks.reduce((n, c) => n + c.length, 0);
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Writes text (or bytes) and resolves once it is handed to the OS, so exiting afterwards loses nothing. */
export function writeAll(stream: Writable, text: string | Uint8Array): Promise<void> {
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

/** An Io that reads `input` and discards what is written: nothing of a warm-up is printed. */
export function sinkIo(input = ''): Io {
  // node:stream is required here, not imported: every command's script holds this module, and a
  // top-level import would load the stream modules at every start (about 3 ms).
  const { Readable, Writable } = process.getBuiltinModule('node:stream');
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  return { stdin: Readable.from([Buffer.from(input)]), stdout: sink, stderr: sink, env: {}, now: () => 0 };
}
