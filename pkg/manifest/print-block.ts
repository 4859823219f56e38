// Prints plain data (objects, arrays, strings, numbers, booleans, null) as block YAML that
// reads back, under YAML 1.1 as Kubernetes reads it, as the same data: plain scalars only
// where nothing could read them otherwise, literal block scalars for multi-line text, and
// double quotes with escapes for the rest. Used for the documents the post-renderer adds
// (printObject) and the keys text-edit.ts appends; several times faster than yaml's printer.
import { resolvePlain } from './fast-parse.ts';

/** A value this printer does not print (a sequence in a sequence, a bigint, a function, …). */
export class Unprintable extends Error {}

function unprintable(what: string): never {
  throw new Unprintable(`cannot print ${what} as block YAML`);
}

/** A plain object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A document body: `value`'s keys at column 0. */
export function printBlock(value: Record<string, unknown>): string {
  return Object.keys(value).map((k) => blockEntry(k, value[k], 0)).join('');
}

/** A key and its value as block YAML lines at column `indent`. */
export function blockEntry(key: string, value: unknown, indent: number): string {
  const pad = ' '.repeat(indent);
  const k = scalar(key, true);
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return `${pad}${k}: {}\n`;
    return `${pad}${k}:\n${keys.map((c) => blockEntry(c, value[c], indent + 2)).join('')}`;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return `${pad}${k}: []\n`;
    return `${pad}${k}:\n${value.map((v) => blockItem(v, indent + 2)).join('')}`;
  }
  return `${pad}${k}: ${blockScalar(value, indent)}\n`;
}

/** A sequence item at column `indent`. */
export function blockItem(value: unknown, indent: number): string {
  const pad = ' '.repeat(indent);
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return `${pad}- {}\n`;
    // The first key on the dash's line, the others under it.
    const [first, ...rest] = keys.map((c) => blockEntry(c, value[c], indent + 2));
    return `${pad}- ${first!.slice(indent + 2)}${rest.join('')}`;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return `${pad}- []\n`;
    unprintable('a sequence in a sequence');
  }
  return `${pad}- ${blockScalar(value, indent)}\n`;
}

/** A one-line flow sequence of scalars. */
export function flowSequence(values: unknown[]): string {
  return `[${values.map((v) => {
    if (isObject(v) || Array.isArray(v)) unprintable('a collection in a flow sequence');
    return scalar(v);
  }).join(', ')}]`;
}

// Text a literal block scalar holds as it is: no control characters but the line feed and
// tab, and none of YAML 1.1's other line breaks (NEL, LS, PS).
const LITERAL_SAFE = /^[^\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029\ufeff]*$/;

/** A scalar value after `key: ` or `- ` whose node is at column `indent`: multi-line text as a literal block. */
function blockScalar(value: unknown, indent: number): string {
  if (typeof value === 'string' && value.includes('\n')) {
    // `|` keeps one final line break, `|-` none; other shapes (leading spaces, blank last
    // lines) are written double-quoted, which always reads back exactly.
    const body = value.endsWith('\n') ? value.slice(0, -1) : value;
    if (!body.endsWith('\n') && !body.startsWith(' ') && !body.startsWith('\n') && LITERAL_SAFE.test(body)) {
      const pad = ' '.repeat(indent + 2);
      const lines = body.split('\n').map((l) => (l === '' ? '' : pad + l));
      return `${value.endsWith('\n') ? '|' : '|-'}\n${lines.join('\n')}`;
    }
  }
  return scalar(value, true);
}

// Plain in a flow sequence only with these characters; in block context also spaces and
// most punctuation, but never a start or sequence that YAML reads as structure.
const FLOW_PLAIN = /^[A-Za-z0-9_/][A-Za-z0-9_./-]*$/;
const BLOCK_PLAIN = /^[A-Za-z0-9_/.(][\x20-\x7e]*$/;

/** A scalar as one line of YAML that reads back as the same value under YAML 1.1. */
export function scalar(value: unknown, block = false): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '.nan';
    if (!Number.isFinite(value)) return value > 0 ? '.inf' : '-.inf';
    const text = String(value);
    // A number whose text reads back as another value (e.g. -0) is not printed here.
    if (!Object.is(resolvePlain(text), value)) unprintable(`the number ${text}`);
    return text;
  }
  if (typeof value !== 'string') unprintable(typeof value);
  const plain = block
    ? BLOCK_PLAIN.test(value) && !value.endsWith(' ') && !value.endsWith(':') && !value.includes(': ') && !value.includes(' #')
    : FLOW_PLAIN.test(value);
  if (plain && resolvePlain(value) === value) return value;
  return quoted(value);
}

/** Single-quoted when that needs no escapes (JSON in an annotation), else double-quoted with every character outside printable ASCII escaped. */
function quoted(s: string): string {
  if (s.includes('"') && /^[\x20-\x7e]*$/.test(s)) return `'${s.replaceAll("'", "''")}'`;
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (c <= 0xffff) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += `\\U${c.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}
