import { test } from 'node:test';
import assert from 'node:assert/strict';

test('sha256 hashes with node:crypto where WebAssembly is not available (node --jitless)', async () => {
  const g = globalThis as { WebAssembly?: unknown };
  const saved = g.WebAssembly;
  // Before sha256.ts makes its hasher: it looks WebAssembly up on first use (and would throw without it).
  delete g.WebAssembly;
  try {
    const { sha256Hex } = await import('./sha256.ts');
    assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(sha256Hex(new Uint8Array(0)), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  } finally {
    g.WebAssembly = saved;
  }
});
