// Reads an ordinary block-style document into the object yaml would give, and a tree of
// where each node's text sits (text-edit.ts edits the document through it), in one pass
// over its lines and several times faster than yaml's parser.
//
// It reads a subset and answers undefined for anything else, so that the caller parses with
// yaml instead: block mappings and sequences (compact ones too), one-line plain and quoted
// scalars, `|`/`|-`/`|+` literal block scalars, `{}`, one-line flow sequences of scalars and
// comments. Folded (`>`) and multi-line flow scalars, anchors, aliases, tags, flow mappings,
// explicit and non-plain keys, `__proto__`, duplicate keys, tabs and CRs are left to yaml.
// Plain scalars are resolved by the very tags yaml's schema uses (YAML 1.1 as Kubernetes
// reads it, schema.ts), so a value is a number, boolean or null exactly when yaml says so.
// fast-parse.test.ts checks it against yaml on every document of the corpus.
import { Document, isScalar } from 'yaml';
import type { ScalarTag } from 'yaml';
import {
  decodeDoubleQuoted,
  decodeSingleQuoted,
  doubleQuotedEnd,
  flowSequenceEnd,
  isSeqItem,
  keyEnd,
  onlyCommentAfter,
  plainEnd,
  singleQuotedEnd,
} from './scan-scalar.ts';
import { PLAIN_FIRST } from './scan.ts';
import { KUBE_YAML } from './schema.ts';

/** A block mapping: its keys' column, and the offset just after its last line. */
export interface MapNode {
  readonly kind: 'map';
  readonly indent: number;
  end: number;
  /** Its text ends in a `|+` block scalar, whose value a line appended after it would change. */
  keepTail: boolean;
  readonly entries: Map<string, Node>;
  readonly value: Record<string, unknown>;
}

/** A block sequence: its dashes' column, and the offset just after its last line. */
export interface SeqNode {
  readonly kind: 'seq';
  readonly indent: number;
  end: number;
  readonly items: Node[];
  readonly value: unknown[];
}

/** A scalar, `{}` or one-line flow sequence: where its text starts and ends, and its value. */
export interface LeafNode {
  readonly kind: 'leaf';
  readonly start: number;
  readonly end: number;
  readonly value: unknown;
}

export type Node = MapNode | SeqNode | LeafNode;

/** A document read by {@link fastParse}. */
export interface FastDoc {
  readonly object: Record<string, unknown>;
  readonly root: MapNode;
}

const SPACE = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const DQ = 34;
const SQ = 39;
const PIPE = 124;
const PLUS = 43;
const LBRACKET = 91;
const LBRACE = 123;
const RBRACE = 125;
const COMMA = 44;

let tags: ScalarTag[] | undefined;

/** The scalar tags yaml tries on a plain scalar, in its order (null, bool, int, float, …). */
export function scalarTags(): ScalarTag[] {
  tags ??= (new Document(null, KUBE_YAML).schema.tags as ScalarTag[]).filter((t) => t.default === true && t.test !== undefined);
  return tags;
}

const RESOLVE_OPTIONS = { intAsBigInt: false } as never;

// The characters a plain scalar must start with for one of scalarTags()' tests to match it
// (null: `~`, `null`, the empty string; bools: y, n, true, on, off…; numbers: a sign, digit or
// `.`, and `e5`, which the EXP float accepts). fast-parse.test.ts pins those tests.
const MAY_RESOLVE = new Uint8Array(128);
for (const c of '~NnYyTtOoFfEe+-.0123456789') MAY_RESOLVE[c.charCodeAt(0)] = 1;

/** A plain scalar's value, as yaml resolves it. */
export function resolvePlain(source: string): unknown {
  if (source !== '' && MAY_RESOLVE[source.charCodeAt(0)] !== 1) return source;
  const all = scalarTags();
  for (let k = 0; k < all.length; k++) {
    const tag = all[k]!;
    if (!tag.test!.test(source)) continue;
    const out = tag.resolve(source, () => undefined, RESOLVE_OPTIONS);
    return isScalar(out) ? out.value : out;
  }
  return source;
}

class Bail extends Error {}
const BAIL = new Bail();

interface Frame {
  readonly node: MapNode | SeqNode;
}

/** A key or `-` whose value starts on a later line. */
interface Pending {
  readonly parent: MapNode | SeqNode;
  readonly key: string | undefined;
  /** Column of the key or dash. */
  readonly col: number;
  /** Just after the key's `:` or the dash: where a null value's text would go. */
  readonly at: number;
}

/** Reads `body` as described above, or answers undefined. */
export function fastParse(body: string): FastDoc | undefined {
  if (body.includes('\r') || body.includes('\t')) return undefined;
  try {
    return new Reader(body).run();
  } catch (err) {
    if (err === BAIL) return undefined;
    throw err;
  }
}

function bail(): never {
  throw BAIL;
}

class Reader {
  readonly text: string;
  readonly stack: Frame[] = [];
  pending: Pending | undefined;
  root: MapNode | undefined;
  pos = 0;

  constructor(text: string) {
    this.text = text;
  }

  run(): FastDoc | undefined {
    const text = this.text;
    const len = text.length;
    while (this.pos < len) {
      const start = this.pos;
      const nl = text.indexOf('\n', start);
      const end = nl === -1 ? len : nl;
      const next = nl === -1 ? len : nl + 1;
      this.pos = next;
      let i = start;
      while (i < end && text.charCodeAt(i) === SPACE) i++;
      if (i === end || text.charCodeAt(i) === HASH) continue;
      if (i === start && (text.startsWith('---', i) || text.startsWith('...', i) || text.charCodeAt(i) === 37)) bail();
      this.line(i, i - start, end);
      // (A block scalar read its own lines and extended the collections itself.)
      if (this.pos === next) this.extend(next);
    }
    if (this.pending !== undefined) this.attach(this.pending, nullAt(this.pending.at));
    if (this.root === undefined) return undefined;
    return { object: this.root.value, root: this.root };
  }

  /** Every open collection now ends at `offset`. */
  extend(offset: number, keep = false): void {
    const stack = this.stack;
    for (let k = 0; k < stack.length; k++) {
      const node = stack[k]!.node;
      node.end = offset;
      if (node.kind === 'map') node.keepTail = keep;
    }
  }

  line(i: number, indent: number, end: number): void {
    const seqItem = isSeqItem(this.text, i, end);
    const pending = this.pending;
    if (pending !== undefined) {
      this.pending = undefined;
      const sameColumnSeq = pending.key !== undefined && indent === pending.col && seqItem;
      if (indent > pending.col || sameColumnSeq) {
        if (seqItem) {
          const seq: SeqNode = { kind: 'seq', indent, end: 0, items: [], value: [] };
          this.attach(pending, seq);
          this.stack.push({ node: seq });
          this.item(i, indent, end, seq);
          return;
        }
        const colon = keyEnd(this.text, i, end);
        if (colon === -1) {
          // A scalar (often `{}` from Helm's toYaml | nindent) on the line after its key or dash.
          this.attach(pending, this.value(i, end, pending.col));
          return;
        }
        const map = newMap(indent);
        this.attach(pending, map);
        this.stack.push({ node: map });
        this.entry(i, end, map, colon);
        return;
      }
      this.attach(pending, nullAt(pending.at));
    }
    if (this.stack.length === 0) {
      if (this.root !== undefined || seqItem || indent !== 0) bail();
      const colon = keyEnd(this.text, i, end);
      if (colon === -1) bail();
      this.root = newMap(0);
      this.stack.push({ node: this.root });
      this.entry(i, end, this.root, colon);
      return;
    }
    const stack = this.stack;
    let top = stack[stack.length - 1]!.node;
    while (top.indent > indent) {
      stack.pop();
      if (stack.length === 0) bail();
      top = stack[stack.length - 1]!.node;
    }
    if (top.indent !== indent) bail();
    if (top.kind === 'seq') {
      if (seqItem) {
        this.item(i, indent, end, top);
        return;
      }
      // An indentless sequence ends where its mapping's next key starts.
      stack.pop();
      const parent = stack[stack.length - 1]?.node;
      if (parent === undefined || parent.kind !== 'map' || parent.indent !== indent) bail();
      top = parent;
    } else if (seqItem) bail();
    this.entry(i, end, top, keyEnd(this.text, i, end));
  }


  /** A `-` item of `seq` at column `col`, its content starting on the same line or later. */
  item(i: number, col: number, end: number, seq: SeqNode): void {
    const text = this.text;
    let j = i + 1;
    while (j < end && text.charCodeAt(j) === SPACE) j++;
    if (j === end || text.charCodeAt(j) === HASH) {
      this.pending = { parent: seq, key: undefined, col, at: i + 1 };
      return;
    }
    if (isSeqItem(this.text, j, end)) bail();
    const colon = keyEnd(this.text, j, end);
    if (colon !== -1) {
      const map = newMap(col + (j - i));
      push(seq, map);
      this.stack.push({ node: map });
      this.entry(j, end, map, colon);
      return;
    }
    push(seq, this.value(j, end, col));
  }


  entry(i: number, end: number, map: MapNode, colon: number): void {
    const text = this.text;
    if (colon === -1) bail();
    const c = text.charCodeAt(i);
    const raw = text.slice(i, colon);
    let key: string;
    if (c === DQ) key = decodeDoubleQuoted(raw);
    else if (c === SQ) key = decodeSingleQuoted(raw);
    else {
      const resolved = resolvePlain(raw);
      // yaml's toJS turns a non-string key into a string; a null key into ''.
      key = resolved === null ? '' : String(resolved);
    }
    if (key === '__proto__' || map.entries.has(key)) bail();
    let j = colon + 1;
    while (j < end && text.charCodeAt(j) === SPACE) j++;
    if (j === end || text.charCodeAt(j) === HASH) {
      this.pending = { parent: map, key, col: map.indent, at: colon + 1 };
      return;
    }
    set(map, key, this.value(j, end, map.indent));
  }

  /** A value starting on the line of its key or dash (whose column is `parent`). */
  value(j: number, end: number, parent: number): LeafNode {
    const text = this.text;
    const c = text.charCodeAt(j);
    if (c === DQ || c === SQ) {
      const close = c === DQ ? doubleQuotedEnd(text, j + 1, end) : singleQuotedEnd(text, j + 1, end);
      if (close < 0 || !onlyCommentAfter(text, close + 1, end)) bail();
      const raw = text.slice(j, close + 1);
      return { kind: 'leaf', start: j, end: close + 1, value: c === DQ ? decodeDoubleQuoted(raw) : decodeSingleQuoted(raw) };
    }
    if (c === PIPE) return this.literal(j, end, parent);
    if (c === LBRACKET) {
      const after = flowSequenceEnd(text, j, end);
      if (after === -1 || !onlyCommentAfter(text, after, end)) bail();
      return { kind: 'leaf', start: j, end: after, value: flowItems(text, j, after) };
    }
    if (c === LBRACE) {
      if (text.charCodeAt(j + 1) !== RBRACE || !onlyCommentAfter(text, j + 2, end)) bail();
      return { kind: 'leaf', start: j, end: j + 2, value: {} };
    }
    if (c === DASH || c === COLON) {
      const n = text.charCodeAt(j + 1);
      if (j + 1 === end || n === SPACE) bail();
    } else if (!PLAIN_FIRST[c]) bail();
    const last = plainEnd(text, j, end);
    if (last === -1) bail();
    return { kind: 'leaf', start: j, end: last, value: resolvePlain(text.slice(j, last)) };
  }

  /**
   * A `|`, `|-` or `|+` block scalar whose header is at `j` (its node's column `parent`):
   * reads its lines, leaving `pos` at the first line after it.
   */
  literal(j: number, end: number, parent: number): LeafNode {
    const text = this.text;
    let k = j + 1;
    const chomp = text.charCodeAt(k);
    const keep = chomp === PLUS;
    const strip = chomp === DASH;
    if (keep || strip) k++;
    if (!onlyCommentAfter(text, k, end)) bail();
    const len = text.length;
    let indent = -1;
    let leadMax = 0;
    const lines: string[] = [];
    let trailing = 0;
    let lastEnd = -1;
    let pos = this.pos;
    while (pos < len) {
      const nl = text.indexOf('\n', pos);
      const e = nl === -1 ? len : nl;
      let i = pos;
      while (i < e && text.charCodeAt(i) === SPACE) i++;
      const blank = i === e;
      if (indent === -1) {
        if (blank) {
          leadMax = Math.max(leadMax, i - pos);
          lines.push('');
          pos = nl === -1 ? len : nl + 1;
          continue;
        }
        if (i - pos <= parent || leadMax > i - pos) break;
        indent = i - pos;
      } else if (!blank && i - pos < indent) break;
      // A line of spaces only, no longer than the indentation, is an empty line.
      const content = e - pos <= indent ? '' : text.slice(pos + indent, e);
      if (blank && content === '') trailing++;
      else {
        trailing = 0;
        lastEnd = e;
        if (nl === -1) bail(); // the scalar's last line has no line break
      }
      lines.push(content);
      pos = nl === -1 ? len : nl + 1;
    }
    if (lastEnd === -1) bail(); // no content: leave the empty cases to yaml
    // Up to the last content line; what follows is trailing empty lines.
    const body = lines.slice(0, lines.length - trailing).join('\n');
    const value = strip ? body : keep ? `${body}\n${'\n'.repeat(trailing)}` : `${body}\n`;
    // `pos` stops after the trailing empty lines, which are no line of anything else.
    this.pos = pos;
    this.extend(lastEnd + 1, keep && trailing > 0);
    return { kind: 'leaf', start: j, end: lastEnd, value };
  }

  attach(pending: Pending, node: Node): void {
    if (pending.key === undefined) push(pending.parent as SeqNode, node);
    else set(pending.parent as MapNode, pending.key, node);
  }
}

function nullAt(at: number): LeafNode {
  return { kind: 'leaf', start: at, end: at, value: null };
}

function newMap(indent: number): MapNode {
  return { kind: 'map', indent, end: 0, keepTail: false, entries: new Map(), value: {} };
}

function set(map: MapNode, key: string, node: Node): void {
  map.entries.set(key, node);
  map.value[key] = ownValue(node);
}

function push(seq: SeqNode, node: Node): void {
  seq.items.push(node);
  seq.value.push(ownValue(node));
}

/**
 * The object's own copy of a leaf's `[]`/`{}` value: a caller that changes the object in
 * place must not change the value the leaf remembers (text-edit.ts compares against it).
 */
function ownValue(node: Node): unknown {
  if (node.kind !== 'leaf') return node.value;
  if (Array.isArray(node.value)) return [...node.value];
  return typeof node.value === 'object' && node.value !== null ? {} : node.value;
}

/** The items of a flow sequence checked by flowSequenceEnd, from `[` at `i` to after `]`. */
function flowItems(text: string, i: number, after: number): unknown[] {
  const out: unknown[] = [];
  let k = i + 1;
  const end = after - 1;
  for (;;) {
    while (k < end && text.charCodeAt(k) === SPACE) k++;
    if (k >= end) return out;
    const c = text.charCodeAt(k);
    if (c === DQ || c === SQ) {
      const close = c === DQ ? doubleQuotedEnd(text, k + 1, end) : singleQuotedEnd(text, k + 1, end);
      const raw = text.slice(k, close + 1);
      out.push(c === DQ ? decodeDoubleQuoted(raw) : decodeSingleQuoted(raw));
      k = close + 1;
    } else {
      let e = k;
      while (e < end && text.charCodeAt(e) !== COMMA) e++;
      let last = e;
      while (last > k && text.charCodeAt(last - 1) === SPACE) last--;
      out.push(resolvePlain(text.slice(k, last)));
      k = e;
    }
    while (k < end && text.charCodeAt(k) === SPACE) k++;
    if (text.charCodeAt(k) === COMMA) k++;
  }
}
