import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { sha256, sha256Hex } from './sha256.ts';

const reference = (input: string | Uint8Array): string => createHash('sha256').update(input).digest('hex');

test('sha256 gives the FIPS 180-4 example digests', () => {
  assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  assert.equal(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
});

test('sha256 equals node:crypto on every length across the padding boundaries, and on UTF-8 text', () => {
  let seed = 7;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let length = 0; length <= 200; length++) {
    const bytes = Uint8Array.from({ length }, () => next() % 256);
    assert.equal(sha256Hex(bytes), reference(bytes), `length ${length}`);
  }
  // Past one page of the module's memory (it grows), and over many calls of 16 blocks each.
  for (const text of ['é', 'naïve – 日本語 🚀', '{"template":{"metadata":{"labels":{"app":"web"}}}}'.repeat(40), 'x'.repeat(32 * 1024 - 1), 'ü'.repeat(32 * 1024), '日'.repeat(400_000)]) {
    assert.equal(sha256Hex(text), reference(text));
  }
  assert.deepEqual(Buffer.from(sha256('abc')), createHash('sha256').update('abc').digest());
});
