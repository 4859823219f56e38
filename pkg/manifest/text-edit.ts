// Makes a document read by fast-parse.ts say what a changed object says by editing its text
// where the reader recorded each node: a changed scalar is replaced where it stands, a new
// key is appended as lines after its mapping's last line, and an empty value (`key:`, `{}`,
// `[]`) that now holds a collection gets its lines under its key. Everything else stays
// byte for byte, comments and all. What it does not edit (a removed key, a sequence of
// another length, a collection that changes kind) answers undefined, and the
// caller prints the document with yaml instead. text-edit.test.ts reads every edit back
// with yaml.
import type { FastDoc, MapNode, Node } from './fast-parse.ts';
import { blockEntry, blockItem, flowSequence, isObject, scalar, Unprintable } from './print-block.ts';
import type { LeafNode } from './fast-parse.ts';

interface Splice {
  readonly at: number;
  readonly remove: number;
  readonly text: string;
}

class Decline extends Error {}
const DECLINE = new Decline();

function decline(): never {
  throw DECLINE;
}

/** What print-block.ts cannot print is declined too. */
function declined(err: unknown): boolean {
  return err === DECLINE || err instanceof Unprintable;
}

/** `body` edited to read as `target`, or undefined when an edit is beyond this module. */
export function editText(body: string, doc: FastDoc, target: unknown): string | undefined {
  const splices: Splice[] = [];
  try {
    diff(body, doc.root, target, splices);
  } catch (err) {
    if (declined(err)) return undefined;
    throw err;
  }
  if (splices.length === 0) return body;
  // Stable by offset: several insertions at one offset keep the order they were made in.
  const ordered = splices.map((s, i) => ({ s, i })).sort((a, b) => a.s.at - b.s.at || a.i - b.i).map((x) => x.s);
  let out = '';
  let from = 0;
  for (const s of ordered) {
    if (s.at < from) return undefined; // overlapping edits: not expected, never guessed at
    out += body.slice(from, s.at) + s.text;
    from = s.at + s.remove;
  }
  return out + body.slice(from);
}

function diff(body: string, node: Node, value: unknown, out: Splice[]): void {
  if (node.kind === 'map') {
    if (!isObject(value)) decline();
    diffMap(body, node, value, out);
  } else if (node.kind === 'seq') {
    if (!Array.isArray(value) || value.length !== node.items.length) decline();
    for (let i = 0; i < node.items.length; i++) diff(body, node.items[i]!, value[i], out);
  } else if (!same(node.value, value)) {
    if (isObject(value) || (Array.isArray(value) && !Array.isArray(node.value))) decline();
    const text = Array.isArray(value) ? flowSequence(value) : scalar(value, true);
    // A null written as nothing after `key:` gets a space before its new value.
    const lead = node.start === node.end && body[node.start - 1] === ':' ? ' ' : '';
    out.push({ at: node.start, remove: node.end - node.start, text: lead + text });
  }
}

function diffMap(body: string, node: MapNode, value: Record<string, unknown>, out: Splice[]): void {
  let added = '';
  let kept = 0;
  const keys = Object.keys(value);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const v = value[key];
    const child = node.entries.get(key);
    if (child !== undefined) kept += 1;
    if (child === undefined) added += blockEntry(key, v, node.indent);
    else if (child.kind === 'leaf' && opens(child, v)) openLeaf(body, child, v as Record<string, unknown> | unknown[], node.indent, out);
    else diff(body, child, v, out);
  }
  // A key of the text that the object no longer has: removing it is beyond this module.
  if (kept !== node.entries.size) decline();
  if (added === '') return;
  if (node.keepTail) decline();
  const at = node.end;
  const lead = at > 0 && body[at - 1] !== '\n' ? '\n' : '';
  out.push({ at, remove: 0, text: lead + added });
}

/** A `key:` with nothing, `{}` or `[]` after it that now holds a non-empty mapping or sequence. */
function opens(leaf: LeafNode, value: unknown): boolean {
  const was = leaf.value;
  const empty = was === null || (Array.isArray(was) && was.length === 0) || (isObject(was) && Object.keys(was).length === 0);
  return empty && (Array.isArray(value) ? value.length > 0 : isObject(value) && Object.keys(value).length > 0);
}

/**
 * Writes `value` as block lines under the key of `leaf` (whose mapping's keys are at column
 * `indent`): the leaf's text goes, the lines come after the key's line (and its comment).
 */
function openLeaf(body: string, leaf: LeafNode, value: Record<string, unknown> | unknown[], indent: number, out: Splice[]): void {
  let k = leaf.start;
  while (k > 0 && body[k - 1] === ' ') k--;
  const eol = body.indexOf('\n', leaf.end);
  if (eol === -1) decline();
  const lines = Array.isArray(value)
    ? value.map((v) => blockItem(v, indent + 2)).join('')
    : Object.keys(value).map((c) => blockEntry(c, value[c], indent + 2)).join('');
  if (body[k - 1] === ':') {
    // `key: {}` (or `key:`, with or without a comment): the value goes, its lines follow the line.
    out.push({ at: k, remove: leaf.end - k, text: '' });
    out.push({ at: eol, remove: 0, text: `\n${lines.slice(0, -1)}` });
  } else if (k === 0 || body[k - 1] === '\n') {
    // `key:` then `{}` alone on the next line (Helm's toYaml | nindent): the lines replace it.
    if (body.slice(leaf.end, eol).trim() !== '') decline();
    out.push({ at: k, remove: eol - k, text: lines.slice(0, -1) });
  } else decline();
}

function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
  }
  return false;
}

