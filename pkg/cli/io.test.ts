import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { test } from 'node:test';
import { nodeTooOld, processIo, readInput, writeError, writeOutput } from './io.ts';

test('Node.js 22.19 and newer run the bundles; older ones get one line naming both versions', () => {
  for (const ok of ['22.19.0', '22.20.1', '23.0.0', '24.21.0', '26.1.0']) assert.equal(nodeTooOld(ok), undefined, ok);
  for (const old of ['20.20.2', '22.18.9', '18.0.0']) assert.match(nodeTooOld(old) ?? '', new RegExp(`needs Node\\.js 22\\.19 or newer; this is Node\\.js ${old.replaceAll('.', '\\.')}`), old);
});

test('readInput and writeOutput move whole inputs through descriptors, and refuse an input over the limit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-io-'));
  try {
    const text = `${'naïve – 日本語\n'.repeat(60_000)}end`; // 1.2 MiB: several reads
    writeFileSync(join(dir, 'in'), text);
    const fd = openSync(join(dir, 'in'), 'r');
    const outFd = openSync(join(dir, 'out'), 'w');
    const io = { ...processIo(), fds: { stdin: fd, stdout: outFd } };
    try {
      assert.equal((await readInput(io, 10 * 1024 * 1024)).toString('utf8'), text);
      await writeOutput(io, text);
    } finally {
      closeSync(fd);
      closeSync(outFd);
    }
    assert.equal(readFileSync(join(dir, 'out'), 'utf8'), text);
    const again = openSync(join(dir, 'in'), 'r');
    try {
      await assert.rejects(readInput({ ...io, fds: { stdin: again, stdout: 1 } }, 1024 * 1024), /^Error: input is larger than 1 MiB$/);
    } finally {
      closeSync(again);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeOutput writes parts in order through the descriptor, more of them than one writev takes, empty ones too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-io-'));
  try {
    const parts = Array.from({ length: 2500 }, (_, i) => Buffer.from(i % 7 === 0 ? '' : `part ${i} – ü\n`));
    const outFd = openSync(join(dir, 'out'), 'w');
    try {
      await writeOutput({ ...processIo(), fds: { stdin: 0, stdout: outFd } }, parts);
    } finally {
      closeSync(outFd);
    }
    assert.equal(readFileSync(join(dir, 'out'), 'utf8'), Buffer.concat(parts).toString('utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeError writes to the stderr descriptor without the stream, and to the stream without a descriptor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-io-'));
  try {
    const errFd = openSync(join(dir, 'err'), 'w');
    const written: string[] = [];
    const stream = new Writable({ write: (chunk, _enc, done) => { written.push(String(chunk)); done(); } });
    try {
      const io = { ...processIo(), stderr: stream, fds: { stdin: 0, stdout: 1, stderr: errFd } };
      writeError(io, 'first – ü\n');
      writeError(io, 'second\n');
      writeError({ ...io, fds: { stdin: 0, stdout: 1 } }, 'to the stream\n');
    } finally {
      closeSync(errFd);
    }
    assert.equal(readFileSync(join(dir, 'err'), 'utf8'), 'first – ü\nsecond\n');
    assert.deepEqual(written, ['to the stream\n']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readInput reads a pipe whole through its descriptor, and refuses one over the limit', async () => {
  const text = `${'naïve – 日本語\n'.repeat(60_000)}end`; // 1.2 MiB: the buffer doubles several times
  const reader = `import { processIo, readInput } from ${JSON.stringify(new URL('./io.ts', import.meta.url).href)};
    readInput(processIo(), Number(process.argv[1])).then((b) => process.stdout.write(b), (e) => { process.stdout.write(String(e)); });`;
  const through = (limit: number): Promise<string> => new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', reader, String(limit)], { stdio: ['pipe', 'pipe', 'inherit'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.on('error', reject);
    child.on('close', () => resolve(Buffer.concat(out).toString('utf8')));
    child.stdin.on('error', () => {});
    child.stdin.end(text);
  });
  assert.equal(await through(10 * 1024 * 1024), text);
  assert.equal(await through(1024 * 1024), 'Error: input is larger than 1 MiB');
});

test('without descriptors (a test\'s own streams) readInput and writeOutput use the streams', async () => {
  const chunks: Buffer[] = [];
  const stdout = new Writable({ write(chunk: Buffer, _e, done) { chunks.push(chunk); done(); } });
  const io = { stdin: Readable.from([Buffer.from('a: 1\n'), Buffer.from('b: 2\n')]), stdout, stderr: stdout, env: {}, now: () => 0 };
  assert.equal((await readInput(io, 100)).toString(), 'a: 1\nb: 2\n');
  await writeOutput(io, 'out\n');
  assert.equal(Buffer.concat(chunks).toString(), 'out\n');
});
