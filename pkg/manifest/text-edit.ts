// Makes a document read by fast-parse.ts say what a changed object says by editing its text
// where the reader recorded each node: a changed scalar is replaced where it stands, a new
// key is appended as lines after its mapping's last line. Everything else stays byte for
// byte, comments and all. What it does not edit (a removed key, a sequence of another
// length, a collection that changes kind, a key new to a `{}`) answers undefined, and the
// caller prints the document with yaml instead. text-edit.test.ts reads every edit back
// with yaml.
import type { FastDoc, MapNode, Node } from './fast-parse.ts';
import { blockEntry, flowSequence, scalar, Unprintable } from './print-block.ts';

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

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function diff(body: string, node: Node, value: unknown, out: Splice[]): void {
  if (node.kind === 'map') {
    if (!isObject(value)) decline();
    diffMap(body, node, value, out);
  } else if (node.kind === 'seq') {
    if (!Array.isArray(value) || value.length !== node.items.length) decline();
    node.items.forEach((item, i) => diff(body, item, value[i], out));
  } else if (!same(node.value, value)) {
    if (isObject(value) || (Array.isArray(value) && !Array.isArray(node.value))) decline();
    const text = Array.isArray(value) ? flowSequence(value) : scalar(value, true);
    // A null written as nothing after `key:` gets a space before its new value.
    const lead = node.start === node.end && body[node.start - 1] === ':' ? ' ' : '';
    out.push({ at: node.start, remove: node.end - node.start, text: lead + text });
  }
}

function diffMap(body: string, node: MapNode, value: Record<string, unknown>, out: Splice[]): void {
  for (const key of node.entries.keys()) if (!Object.hasOwn(value, key)) decline();
  let added = '';
  for (const [key, v] of Object.entries(value)) {
    const child = node.entries.get(key);
    if (child === undefined) added += blockEntry(key, v, node.indent);
    else diff(body, child, v, out);
  }
  if (added === '') return;
  if (node.keepTail) decline();
  const at = node.end;
  const lead = at > 0 && body[at - 1] !== '\n' ? '\n' : '';
  out.push({ at, remove: 0, text: lead + added });
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

