// SHA-256 for the post-renderer's identities and name suffixes: a few texts per render, in a
// process that lives tens of milliseconds. The compression runs in WebAssembly
// (sha256-wasm.ts), compiled before its first call; where WebAssembly is not available
// (node --jitless), node:crypto hashes.
import { K_WORDS, MESSAGE, moduleBytes, STATE } from './sha256-wasm.ts';

const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/** What of WebAssembly this uses (the project's type libraries do not declare it). */
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}
interface Memory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface Hasher {
  readonly memory: Memory;
  readonly compress: (from: number, to: number) => void;
}

const encoder = new TextEncoder();
const PAGE = 65536;
/** Bytes compressed per call (16 blocks). */
const CHUNK = 1024;
let hasher: Hasher | null | undefined;

/** The WebAssembly hasher, made on first use; null where WebAssembly cannot run. */
function wasmHasher(): Hasher | null {
  if (hasher !== undefined) return hasher;
  const wasm = (globalThis as { WebAssembly?: Wasm }).WebAssembly;
  if (wasm === undefined) return (hasher = null);
  const { exports } = new wasm.Instance(new wasm.Module(moduleBytes()));
  const made: Hasher = { memory: exports.memory as Memory, compress: exports.compress as Hasher['compress'] };
  new Int32Array(made.memory.buffer, 0, 64).set(K_WORDS);
  hasher = made;
  return made;
}

/** The SHA-256 digest of `input` (a string is hashed as its UTF-8 bytes). */
export function sha256(input: string | Uint8Array): Uint8Array {
  const h = wasmHasher();
  if (h === null) return new Uint8Array(process.getBuiltinModule('node:crypto').createHash('sha256').update(input).digest());
  // Room for the message (a UTF-16 unit is at most 3 bytes of UTF-8), its padding and length.
  const room = MESSAGE + (typeof input === 'string' ? input.length * 3 : input.length) + 72;
  if (h.memory.buffer.byteLength < room) h.memory.grow(Math.ceil((room - h.memory.buffer.byteLength) / PAGE));
  const bytes = new Uint8Array(h.memory.buffer);
  let length: number;
  if (typeof input === 'string') length = encoder.encodeInto(input, bytes.subarray(MESSAGE)).written;
  else {
    bytes.set(input, MESSAGE);
    length = input.length;
  }
  // A 1 bit, zeros, and the length in bits as 64 bits, big-endian, in whole 64-byte blocks.
  const end = MESSAGE + Math.ceil((length + 9) / 64) * 64;
  bytes[MESSAGE + length] = 0x80;
  bytes.fill(0, MESSAGE + length + 1, end - 8);
  const view = new DataView(h.memory.buffer);
  view.setUint32(end - 8, Math.floor(length / 2 ** 29));
  view.setUint32(end - 4, (length * 8) >>> 0);
  new Int32Array(h.memory.buffer, STATE, 8).set(H0);
  // In calls of a few blocks each: V8 first runs WebAssembly from its baseline compiler and
  // moves a function to optimised code (about 5× faster here) only for its later calls.
  for (let from = MESSAGE; from < end; from += CHUNK) h.compress(from, Math.min(from + CHUNK, end));
  const out = new Uint8Array(32);
  const digest = new DataView(out.buffer);
  const state = new DataView(h.memory.buffer, STATE, 32);
  for (let n = 0; n < 8; n++) digest.setUint32(n * 4, state.getUint32(n * 4, true));
  return out;
}

/** {@link sha256} as lowercase hex. */
export function sha256Hex(input: string | Uint8Array): string {
  let out = '';
  for (const byte of sha256(input)) out += byte.toString(16).padStart(2, '0');
  return out;
}
