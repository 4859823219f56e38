// Single-line scalars, keys and flow collections for the fast scanner (and a flow sequence
// line by line). Each function either recognises exactly what yaml would accept without an
// error, or answers -1 / undefined so that the caller falls back to a real parse. They read
// `text` between `i` and `end` (the end of the line, before any CR).

const SPACE = 32;
const TAB = 9;
const HASH = 35;
const COLON = 58;
const DQ = 34;
const SQ = 39;
const BACKSLASH = 92;

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0', a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
  N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029', ' ': ' ', '"': '"', '/': '/', '\\': '\\', '\t': '\t',
};
const HEX_LENGTH: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };
const HEX = /^[0-9a-fA-F]+$/;

/** Returned by the quoted-scalar scanners when the scalar goes on past the end of the line. */
export const OPEN = -2;

/**
 * Index of the closing quote of a double-quoted scalar whose content goes on at `from`;
 * OPEN if the line ends first (a final `\` escapes the line break), -1 for a bad escape.
 */
export function doubleQuotedEnd(text: string, from: number, end: number): number {
  for (let k = from; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c === DQ) return k;
    if (c !== BACKSLASH) continue;
    if (k + 1 === end) return OPEN;
    const e = text[k + 1]!;
    const hex = HEX_LENGTH[e];
    if (hex !== undefined) {
      const digits = text.slice(k + 2, k + 2 + hex);
      if (k + 2 + hex > end || !HEX.test(digits) || Number.parseInt(digits, 16) > 0x10ffff) return -1;
      k += 1 + hex;
    } else if (SIMPLE_ESCAPES[e] !== undefined) k += 1;
    else return -1;
  }
  return OPEN;
}

/** The value of a double-quoted scalar checked by {@link doubleQuotedEnd}, quotes included in `raw`. */
export function decodeDoubleQuoted(raw: string): string {
  if (!raw.includes('\\')) return raw.slice(1, -1);
  let out = '';
  for (let k = 1; k < raw.length - 1; k++) {
    const ch = raw[k]!;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const e = raw[++k]!;
    const hex = HEX_LENGTH[e];
    if (hex === undefined) out += SIMPLE_ESCAPES[e]!;
    else {
      out += String.fromCodePoint(Number.parseInt(raw.slice(k + 1, k + 1 + hex), 16));
      k += hex;
    }
  }
  return out;
}

/** Index of the closing quote of a single-quoted scalar whose content goes on at `from`, or OPEN. */
export function singleQuotedEnd(text: string, from: number, end: number): number {
  for (let k = from; k < end; k++) {
    if (text.charCodeAt(k) !== SQ) continue;
    if (text.charCodeAt(k + 1) === SQ && k + 1 < end) k += 1;
    else return k;
  }
  return OPEN;
}

/** The value of a single-quoted scalar, quotes included in `raw`. */
export function decodeSingleQuoted(raw: string): string {
  return raw.slice(1, -1).replaceAll("''", "'");
}

/** Whether only spaces, then the end of the line or a space-separated comment, follow `k`. */
export function onlyCommentAfter(text: string, k: number, end: number): boolean {
  const from = k;
  while (k < end && text.charCodeAt(k) === SPACE) k++;
  return k === end || (k > from && text.charCodeAt(k) === HASH);
}

/**
 * End (exclusive, trailing spaces dropped) of a one-line plain scalar starting at `i` whose
 * first character the caller has checked, or -1 if it holds `: `, ends in `:` or has a tab.
 */
export function plainEnd(text: string, i: number, end: number): number {
  let last = i;
  for (let k = i; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c === SPACE) continue;
    if (c === COLON) {
      const next = text.charCodeAt(k + 1);
      if (k + 1 === end || next === SPACE) return -1;
    } else if (c === HASH) {
      if (text.charCodeAt(k - 1) === SPACE) return last;
    } else if (c === TAB) return -1;
    last = k + 1;
  }
  return last;
}

// Characters of a plain key the scanner accepts: letters, digits and _ . / - $ @ + ~ =
const KEY_CHAR = new Uint8Array(128);
for (const c of 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-$@+~=') KEY_CHAR[c.charCodeAt(0)] = 1;
const KEY_FIRST = new Uint8Array(KEY_CHAR);
for (const c of '-@~') KEY_FIRST[c.charCodeAt(0)] = 0;

/** Longest implicit key yaml accepts is 1024 characters; stay clear of it. */
const MAX_KEY = 1000;

/**
 * Index of the `:` ending a plain key that starts at `i` and is followed by a space or the end
 * of the line, or -1 when the line does not start with such a key.
 */
export function plainKeyEnd(text: string, i: number, end: number): number {
  if (KEY_FIRST[text.charCodeAt(i)] !== 1) return -1;
  const limit = Math.min(end, i + MAX_KEY);
  for (let k = i + 1; k < limit; k++) {
    const c = text.charCodeAt(k);
    if (c === COLON) return k + 1 === end || text.charCodeAt(k + 1) === SPACE ? k : -1;
    if (c >= 128 || KEY_CHAR[c] !== 1) return -1;
  }
  return -1;
}

/** Whether the content at `i` is a `-` sequence item indicator (a dash, then a space or the end of the line). */
export function isSeqItem(text: string, i: number, end: number): boolean {
  return text.charCodeAt(i) === DASH && (i + 1 === end || text.charCodeAt(i + 1) === SPACE);
}

/** Offset of the `:` after a one-line plain or quoted key at `i`, or -1 when the line does not start with a key. */
export function keyEnd(text: string, i: number, end: number): number {
  const c = text.charCodeAt(i);
  if (c !== DQ && c !== SQ) return plainKeyEnd(text, i, end);
  const close = c === DQ ? doubleQuotedEnd(text, i + 1, end) : singleQuotedEnd(text, i + 1, end);
  if (close < 0 || text.charCodeAt(close + 1) !== COLON) return -1;
  return close + 2 === end || text.charCodeAt(close + 2) === SPACE ? close + 1 : -1;
}

const NON_STRING_WORDS = ['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE'];
const NON_STRING_WORD = new Set(NON_STRING_WORDS);
const NUMBERISH =
  /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;

/** Whether a plain scalar is a string under the YAML 1.2 core schema (not null, bool or number). */
export function plainIsString(s: string): boolean {
  const c = s.charCodeAt(0);
  // Only '~', digits, signs, dots and the words above can resolve to anything but a string.
  if (isLetter(c)) return !NON_STRING_WORD.has(s);
  return s !== '~' && !NUMBERISH.test(s);
}

export const isLetter = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);

/** {@link plainIsString} for a plain key from `i` to `end` that starts with a letter, without slicing it. */
export function letterKeyIsString(text: string, i: number, end: number): boolean {
  const length = end - i;
  if (length !== 4 && length !== 5) return true;
  for (let w = 0; w < NON_STRING_WORDS.length; w++) {
    const word = NON_STRING_WORDS[w]!;
    if (word.length === length && text.startsWith(word, i)) return false;
  }
  return true;
}

/** The plain scalar as a head value: null-like scalars count as absent. */
export function plainValue(s: string): string | undefined {
  return s === '~' || s === 'null' || s === 'Null' || s === 'NULL' ? undefined : s;
}

const COMMA = 44;
const RBRACKET = 93;

/**
 * Index just after the `]` of a one-line flow sequence of scalars opening at `i` (`[]`,
 * `["a", 'b', c d]`), or -1 for anything else: nested collections, pairs, comments, colons or
 * `#` in plain items, a trailing comma, or a sequence that goes on past the line.
 */
export function flowSequenceEnd(text: string, i: number, end: number): number {
  let k = i + 1;
  let items = 0;
  for (;;) {
    while (k < end && text.charCodeAt(k) === SPACE) k++;
    if (k >= end) return -1;
    const c = text.charCodeAt(k);
    if (c === RBRACKET && items === 0) return k + 1;
    k = flowScalarEnd(text, k, end, RBRACKET);
    if (k === -1) return -1;
    items += 1;
    while (k < end && text.charCodeAt(k) === SPACE) k++;
    const sep = text.charCodeAt(k);
    if (sep === RBRACKET) return k + 1;
    if (sep !== COMMA) return -1;
    k++;
    while (k < end && text.charCodeAt(k) === SPACE) k++;
    if (text.charCodeAt(k) === RBRACKET) return -1;
  }
}

const DASH = 45;
// Plain scalars inside a flow sequence: printable, without flow indicators, ':' or '#'.
const FLOW_PLAIN_CHAR = new Uint8Array(65536);
FLOW_PLAIN_CHAR.fill(1, 32);
for (const c of ',[]{}:#\uFEFF') FLOW_PLAIN_CHAR[c.charCodeAt(0)] = 0;
FLOW_PLAIN_CHAR[0x7f] = 0;
const FLOW_PLAIN_FIRST = new Uint8Array(FLOW_PLAIN_CHAR);
for (const c of ' ?&*!|>\'"%@`') FLOW_PLAIN_FIRST[c.charCodeAt(0)] = 0;

const LBRACKET = 91;
const LBRACE = 123;
const RBRACE = 125;

/** Where a flow sequence that goes on over lines stands at the end of a line: an item may come next, or a comma or `]`. */
export interface FlowSequence {
  expectItem: boolean;
}

/**
 * Reads one line of a flow sequence of scalars that may go on over lines, from `k` (just
 * after the `[`, or the first character of a continuation line) to `end`: items (one-line
 * quoted or plain scalars), commas, a comma before the `]`, and comments after a space or on
 * lines of their own. Returns the index just after the `]` when the sequence closes on this
 * line, OPEN when it goes on, or -1 for anything else (nested collections, pairs, a plain
 * scalar over lines, `,,`, `[,`).
 */
export function flowSequenceLine(text: string, k: number, end: number, state: FlowSequence): number {
  for (;;) {
    while (k < end && text.charCodeAt(k) === SPACE) k++;
    if (k >= end) return OPEN;
    const c = text.charCodeAt(k);
    if (c === HASH) {
      // A comment: after a space, or alone on its line.
      const before = text.charCodeAt(k - 1);
      return k === 0 || before === SPACE || before === 10 ? OPEN : -1;
    }
    // `]` after `[`, an item, or a comma after the last item (`[a, b, ]` is [a, b] for Go's YAML reader and for yaml).
    if (c === RBRACKET) return k + 1;
    if (c === COMMA) {
      if (state.expectItem) return -1;
      state.expectItem = true;
      k++;
      continue;
    }
    if (!state.expectItem) return -1;
    const after = flowScalarEnd(text, k, end, RBRACKET);
    if (after === -1) return -1;
    k = after;
    state.expectItem = false;
  }
}

/**
 * End of a one-line scalar inside a flow collection that `close` ends: a quoted scalar, or a
 * plain one without flow indicators, `:` or `#` (its trailing spaces left out); -1 otherwise.
 */
function flowScalarEnd(text: string, k: number, end: number, close: number): number {
  const c = text.charCodeAt(k);
  if (c === DQ || c === SQ) {
    const quote = c === DQ ? doubleQuotedEnd(text, k + 1, end) : singleQuotedEnd(text, k + 1, end);
    return quote < 0 ? -1 : quote + 1;
  }
  if (!FLOW_PLAIN_FIRST[c]) return -1;
  if (c === DASH) {
    const n = text.charCodeAt(k + 1);
    if (k + 1 >= end || n === SPACE || n === COMMA || n === close) return -1;
  }
  let last = k;
  while (k < end) {
    const p = text.charCodeAt(k);
    if (p === COMMA || p === close) break;
    if (!FLOW_PLAIN_CHAR[p]) return -1;
    k++;
    if (p !== SPACE) last = k;
  }
  return last;
}

/**
 * Index just after the `}` of a one-line flow mapping opening at `i` whose keys are plain
 * or quoted strings, each once, followed by `: `, and whose values are one-line scalars or
 * one-line flow sequences of scalars (`{key: app, operator: In, values: [a, "b"]}`); -1 for
 * anything else (nested mappings, empty values, a trailing comma, a repeated key).
 */
export function flowMappingEnd(text: string, i: number, end: number): number {
  let k = i + 1;
  while (k < end && text.charCodeAt(k) === SPACE) k++;
  if (text.charCodeAt(k) === RBRACE && k < end) return k + 1;
  const keys: string[] = [];
  for (;;) {
    while (k < end && text.charCodeAt(k) === SPACE) k++;
    const c = text.charCodeAt(k);
    let key: string;
    let colon: number;
    if (c === DQ || c === SQ) {
      const close = c === DQ ? doubleQuotedEnd(text, k + 1, end) : singleQuotedEnd(text, k + 1, end);
      if (close < 0) return -1;
      const raw = text.slice(k, close + 1);
      key = c === DQ ? decodeDoubleQuoted(raw) : decodeSingleQuoted(raw);
      colon = close + 1;
    } else {
      if (KEY_FIRST[c] !== 1) return -1;
      colon = k + 1;
      while (colon < end && text.charCodeAt(colon) < 128 && KEY_CHAR[text.charCodeAt(colon)] === 1) colon++;
      key = text.slice(k, colon);
      if (!plainIsString(key)) return -1;
    }
    if (text.charCodeAt(colon) !== COLON || text.charCodeAt(colon + 1) !== SPACE || keys.includes(key)) return -1;
    keys.push(key);
    k = colon + 2;
    while (k < end && text.charCodeAt(k) === SPACE) k++;
    if (k >= end) return -1;
    const v = text.charCodeAt(k);
    let after: number;
    if (v === LBRACKET) after = flowSequenceEnd(text, k, end);
    else if (v === LBRACE) return -1;
    else after = flowScalarEnd(text, k, end, RBRACE);
    if (after === -1) return -1;
    k = after;
    while (k < end && text.charCodeAt(k) === SPACE) k++;
    const sep = text.charCodeAt(k);
    if (sep === RBRACE && k < end) return k + 1;
    if (sep !== COMMA) return -1;
    k++;
  }
}
