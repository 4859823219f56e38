// The SHA-256 compression function (FIPS 180-4, 6.2.2) as a WebAssembly module, assembled
// here from its instructions (580 bytes). WebAssembly runs compiled from its first call: a
// post-renderer lives ~40 ms, and JavaScript hashing a 5 KB template in it ran interpreted,
// 2.5–5 ms against 1.3 ms here, module built and compiled; node:crypto instead costs ~5 ms
// of start-up to load its ~40 internal modules.
//
// Memory: the round constants K at 0 (64 words), the state H at 256 (8 words), the schedule
// W at 288 (64 words), the padded message from MESSAGE on. Words in memory are little-endian i32s; the message's big-endian
// words are swapped as they are loaded.

/** Offset of the message in the module's memory. */
export const MESSAGE = 1024;
/** Offset of the eight state words. */
export const STATE = 256;
const SCHEDULE = 288;

// Opcodes (WebAssembly core specification, 5.4).
const BLOCK = 0x02;
const LOOP = 0x03;
const VOID = 0x40;
const END = 0x0b;
const BR = 0x0c;
const BR_IF = 0x0d;
const GET = 0x20;
const SET = 0x21;
const TEE = 0x22;
const LOAD = 0x28;
const STORE = 0x36;
const CONST = 0x41;
const GE_U = 0x4f;
const LT_U = 0x49;
const ADD = 0x6a;
const AND = 0x71;
const OR = 0x72;
const XOR = 0x73;
const SHL = 0x74;
const SHR_U = 0x76;
const ROTL = 0x77;
const ROTR = 0x78;
const I32 = 0x7f;

// Locals: the parameters, then the working variables.
const P = 0; // the block being compressed
const LAST = 1; // the end of the message
const A = 2;
// a..h are 2..9
const I = 10;
const T1 = 11;
const X = 12;
const LOCALS = 11; // 2..12

function leb(n: number, signed: boolean): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n = signed ? n >> 7 : n >>> 7;
    const done = signed ? (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0) : n === 0;
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const get = (l: number): number[] => [GET, l];
const set = (l: number): number[] => [SET, l];
const c = (n: number): number[] => [CONST, ...leb(n | 0, true)];
/** Loads the word at the address on the stack plus `offset`. */
const load = (offset: number): number[] => [LOAD, 2, ...leb(offset, false)];
const store = (offset: number): number[] => [STORE, 2, ...leb(offset, false)];
/** i * 4, the byte offset of word i. */
const iWord = [...get(I), ...c(2), SHL];
/** x rotated right by each of `by`, xor-ed together, with x >>> shift when given. */
function sigma(x: number, by: number[], shift?: number): number[] {
  const out: number[] = [];
  by.forEach((r, k) => {
    out.push(...get(x), ...c(r), ROTR);
    if (k > 0) out.push(XOR);
  });
  if (shift !== undefined) out.push(...get(x), ...c(shift), SHR_U, XOR);
  return out;
}
/** Working variable n (0 = a … 7 = h). */
const v = (n: number): number => A + n;

/** Compresses each 64-byte block from P to LAST into the state; K is read from memory at 0. */
function compressBody(): number[] {
  const schedule16 = [
    ...c(0), ...set(I),
    LOOP, VOID,
    ...iWord,
    ...get(P), ...iWord, ADD, ...load(0), TEE, X,
    // Byte swap: rotl 8 keeps bytes 0 and 2 in place, rotr 8 bytes 1 and 3.
    ...c(8), ROTL, ...c(0x00ff00ff), AND,
    ...get(X), ...c(8), ROTR, ...c(0xff00ff00), AND, OR,
    ...store(SCHEDULE),
    ...get(I), ...c(1), ADD, TEE, I, ...c(16), LT_U, BR_IF, 0,
    END,
  ];
  const schedule64 = [
    LOOP, VOID,
    ...iWord,
    ...iWord, ...load(SCHEDULE - 64), // W[i-16]
    ...iWord, ...load(SCHEDULE - 60), ...set(X), ...sigma(X, [7, 18], 3), ADD, // σ0(W[i-15])
    ...iWord, ...load(SCHEDULE - 28), ADD, // W[i-7]
    ...iWord, ...load(SCHEDULE - 8), ...set(X), ...sigma(X, [17, 19], 10), ADD, // σ1(W[i-2])
    ...store(SCHEDULE),
    ...get(I), ...c(1), ADD, TEE, I, ...c(64), LT_U, BR_IF, 0,
    END,
  ];
  const loadState: number[] = [];
  const addState: number[] = [];
  for (let n = 0; n < 8; n++) {
    loadState.push(...c(0), ...load(STATE + 4 * n), ...set(v(n)));
    addState.push(...c(0), ...c(0), ...load(STATE + 4 * n), ...get(v(n)), ADD, ...store(STATE + 4 * n));
  }
  const e = v(4);
  const rounds = [
    ...c(0), ...set(I),
    LOOP, VOID,
    // T1 = h + Σ1(e) + Ch(e, f, g) + K[i] + W[i]
    ...get(v(7)), ...sigma(e, [6, 11, 25]), ADD,
    ...get(e), ...get(v(5)), AND, ...get(e), ...c(-1), XOR, ...get(v(6)), AND, XOR, ADD,
    ...iWord, ...load(0), ADD,
    ...iWord, ...load(SCHEDULE), ADD,
    ...set(T1),
    // h = g, g = f, f = e, e = d + T1
    ...get(v(6)), ...set(v(7)),
    ...get(v(5)), ...set(v(6)),
    ...get(e), ...set(v(5)),
    ...get(v(3)), ...get(T1), ADD, ...set(e),
    // T1 + Σ0(a) + Maj(a, b, c), with b and c not yet moved; then d = c, c = b, b = a, a = that
    ...get(T1), ...sigma(v(0), [2, 13, 22]), ADD,
    ...get(v(0)), ...get(v(1)), AND, ...get(v(0)), ...get(v(2)), AND, XOR, ...get(v(1)), ...get(v(2)), AND, XOR, ADD,
    ...set(X),
    ...get(v(2)), ...set(v(3)),
    ...get(v(1)), ...set(v(2)),
    ...get(v(0)), ...set(v(1)),
    ...get(X), ...set(v(0)),
    ...get(I), ...c(1), ADD, TEE, I, ...c(64), LT_U, BR_IF, 0,
    END,
  ];
  return [
    BLOCK, VOID,
    LOOP, VOID,
    ...get(P), ...get(LAST), GE_U, BR_IF, 1,
    ...schedule16,
    ...schedule64,
    ...loadState,
    ...rounds,
    ...addState,
    ...get(P), ...c(64), ADD, ...set(P),
    BR, 0,
    END,
    END,
  ];
}

/** The round constants (FIPS 180-4, 4.2.2); the module reads them from memory at 0, where sha256.ts writes them. */
export const K_WORDS = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

const utf8 = (s: string): number[] => [...leb(s.length, false), ...Array.from(s, (ch) => ch.charCodeAt(0))];
const section = (id: number, content: number[]): number[] => [id, ...leb(content.length, false), ...content];

/** The module: memory "memory" (one page to start), and compress(from, to) over whole 64-byte blocks. */
export function moduleBytes(): Uint8Array {
  const body = [...leb(1, false), ...leb(LOCALS, false), I32, ...compressBody(), END];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 2, I32, I32, 0]), // type 0: (i32, i32) -> ()
    ...section(3, [1, 0]), // function 0 has type 0
    ...section(5, [1, 0x00, 1]), // one memory, at least one page
    ...section(7, [2, ...utf8('memory'), 0x02, 0, ...utf8('compress'), 0x00, 0]),
    ...section(10, [1, ...leb(body.length, false), ...body]),
  ]);
}
