import {
  decodeDoubleQuoted,
  decodeSingleQuoted,
  doubleQuotedEnd,
  flowMappingEnd,
  flowSequenceEnd,
  flowSequenceLine,
  isLetter,
  isSeqItem,
  keyEnd,
  letterKeyIsString,
  OPEN,
  onlyCommentAfter,
  plainEnd,
  plainIsString,
  plainValue,
  singleQuotedEnd,
} from './scan-scalar.ts';
import type { FlowSequence } from './scan-scalar.ts';
import { FILENAME_ANNOTATION, HOOK_ANNOTATION } from './types.ts';

/** What the scanner read; fields are absent when the document does not set them. */
export interface ScannedHead {
  apiVersion?: string | undefined;
  kind?: string | undefined;
  name?: string | undefined;
  namespace?: string | undefined;
  hook: boolean;
  filename?: string | undefined;
  labels: Map<string, string>;
}

/** `'complex'`: the document uses YAML the scanner does not check; parse it for real. */
export type ScanResult = ScannedHead | 'empty' | 'complex';

const LF = 10;
const CR = 13;
const SPACE = 32;
const HASH = 35;
const DASH = 45;
const DOT = 46;
const DQ = 34;
const SQ = 39;
const PIPE = 124;
const GT = 62;
const LBRACKET = 91;
const LBRACE = 123;
const COLON = 58;

// Where a line stands relative to an open block scalar.
const IN = 1;
const OUT = 0;
const BAD = -1;

// What a mapping is, for the head: the root, metadata, its labels or its annotations.
const NONE = 0;
const ROOT = 1;
const META = 2;
const LABELS = 3;
const ANNOTATIONS = 4;

interface Frame {
  readonly indent: number;
  readonly seq: boolean;
  readonly role: number;
  keys: string[] | Set<string> | undefined;
  /** Plain keys remembered by where they stand (start, end pairs), until a key needs its text: see addKeyAt. */
  spans: number[] | undefined;
}

/**
 * Reads the head of a block-style document in one pass over its lines, and checks that it
 * is YAML that yaml parses without error and without duplicate keys: block mappings and
 * sequences (compact ones too), plain and quoted scalars (also over several lines), `|` and
 * `>` block scalars, flow sequences of one-line scalars (also over several lines), one-line
 * flow mappings of such scalars and flow sequences, and comments. Anything else (nested flow
 * mappings, flow style for the head's fields, anchors, aliases, tags, explicit keys,
 * non-string keys, tabs outside scalars, `...`, lone CRs) answers `'complex'`, and so does a
 * duplicate key, so that the real parser reports it with its position. scan.test.ts checks
 * the scanner against yaml.
 */
export function scanHead(body: string, noCR = false): ScanResult {
  // `noCR`: the caller knows the body has no CR (the whole stream has none), so no lone one.
  if (!noCR) {
    for (let cr = body.indexOf('\r'); cr !== -1; cr = body.indexOf('\r', cr + 1)) {
      if (body.charCodeAt(cr + 1) !== LF) return 'complex';
    }
  }
  return new Scanner(body).run();
}

class Scanner {
  readonly text: string;
  readonly stack: Frame[] = [];
  readonly head: ScannedHead = { hook: false, labels: new Map() };
  // A key or `-` waits for its value on the following lines (-2: nothing waits).
  pendingParent = -1;
  pendingSeqSame = false;
  pendingRole = ROOT;
  // Inside a block scalar whose parent node is at blockParent (-1: not in one).
  blockParent = -1;
  blockIndent = -1;
  blockLeadMax = 0;
  // After a plain scalar that may go on over lines indented past plainParent (-1: none).
  plainParent = -1;
  plainWanted = false;
  pendingWanted = false;
  // Inside a quoted scalar going on over lines indented past quoteParent (0: not in one).
  quote = 0;
  quoteParent = -1;
  // Inside a flow sequence going on over lines indented past flowParent (-1: not in one).
  flowParent = -1;
  flow: FlowSequence = { expectItem: true };

  constructor(text: string) {
    this.text = text;
  }

  run(): ScanResult {
    const text = this.text;
    const len = text.length;
    let pos = 0;
    while (pos < len) {
      const nl = text.indexOf('\n', pos);
      const next = nl === -1 ? len : nl + 1;
      let end = nl === -1 ? len : nl;
      if (end > pos && text.charCodeAt(end - 1) === CR) end -= 1;
      let i = pos;
      while (i < end && text.charCodeAt(i) === SPACE) i++;
      const indent = i - pos;
      pos = next;
      if (this.quote !== 0) {
        if (i === end) continue;
        if (indent <= this.quoteParent || !this.continueQuote(i, end)) return 'complex';
        continue;
      }
      if (this.flowParent !== -1) {
        if (i === end) continue;
        if (indent <= this.flowParent || !this.continueFlow(i, end)) return 'complex';
        continue;
      }
      if (this.blockParent !== -1) {
        const inside = this.inBlockScalar(indent, i === end);
        if (inside === BAD) return 'complex';
        if (inside === IN) continue;
      }
      if (i === end) continue;
      const c = text.charCodeAt(i);
      if (c === HASH) {
        this.plainParent = -1;
        continue;
      }
      if (this.plainParent !== -1) {
        if (indent > this.plainParent) {
          if (!this.continuePlain(i, end)) return 'complex';
          continue;
        }
        this.plainParent = -1;
      }
      if (indent === 0 && c === DOT && text.startsWith('...', i)) return 'complex';
      if (!this.line(i, indent, end)) return 'complex';
    }
    if (this.quote !== 0 || this.flowParent !== -1) return 'complex';
    if (this.stack.length === 0) return this.pendingParent === -1 ? 'empty' : 'complex';
    return this.head;
  }

  /**
   * Whether the line belongs to the current block scalar (ending the scalar when it does
   * not); BAD for more-indented leading blank lines, which yaml refuses without an indicator.
   */
  inBlockScalar(indent: number, blank: boolean): number {
    if (this.blockIndent === -1) {
      if (blank) {
        if (indent > this.blockLeadMax) this.blockLeadMax = indent;
        return IN;
      }
      if (indent > this.blockParent) {
        if (this.blockLeadMax > indent) return BAD;
        this.blockIndent = indent;
        return IN;
      }
    } else if (blank || indent >= this.blockIndent) return IN;
    this.blockParent = -1;
    return OUT;
  }

  /** A continuation line of a multi-line plain scalar. */
  continuePlain(i: number, end: number): boolean {
    // A head field folded over lines: leave the folding to the parser.
    if (this.plainWanted) return false;
    const last = plainEnd(this.text, i, end);
    if (last === -1) return false;
    // A comment ends the scalar: a further continuation line would be an error.
    if (this.hasComment(last, end)) this.plainParent = -1;
    return true;
  }

  /** A line inside a quoted scalar that opened on an earlier line. */
  continueQuote(i: number, end: number): boolean {
    const close = this.quote === DQ ? doubleQuotedEnd(this.text, i, end) : singleQuotedEnd(this.text, i, end);
    if (close === OPEN) return true;
    if (close === -1 || !onlyCommentAfter(this.text, close + 1, end)) return false;
    this.quote = 0;
    return true;
  }

  /** A line inside a flow sequence that opened on an earlier line. */
  continueFlow(i: number, end: number): boolean {
    const close = flowSequenceLine(this.text, i, end, this.flow);
    if (close === OPEN) return true;
    if (close === -1 || !onlyCommentAfter(this.text, close, end)) return false;
    this.flowParent = -1;
    return true;
  }

  /** Whether a comment follows the spaces after `from`. */
  hasComment(from: number, end: number): boolean {
    let k = from;
    while (k < end && this.text.charCodeAt(k) === SPACE) k++;
    return k < end;
  }

  /** A line with content at column `indent` (offset `i`). */
  line(i: number, indent: number, end: number): boolean {
    const seqItem = isSeqItem(this.text, i, end);
    if (this.pendingParent !== -2) {
      const parent = this.pendingParent;
      const role = this.pendingRole;
      this.pendingParent = -2;
      if (indent > parent || (indent === parent && this.pendingSeqSame && seqItem)) {
        if (seqItem) {
          if (role === ROOT) return false;
          this.stack.push({ indent, seq: true, role: NONE, keys: undefined, spans: undefined });
          return this.item(i, indent, end);
        }
        const colon = keyEnd(this.text, i, end);
        if (colon === -1) {
          // A scalar on the line after its key or '-'; its own column bounds what follows.
          if (role === ROOT || this.pendingWanted) return false;
          return this.value(i, end, indent - 1) !== false;
        }
        const frame: Frame = { indent, seq: false, role, keys: undefined, spans: undefined };
        this.stack.push(frame);
        return this.entry(i, end, frame, colon);
      }
    }
    const stack = this.stack;
    let top = stack[stack.length - 1];
    while (top !== undefined && top.indent > indent) {
      stack.pop();
      top = stack[stack.length - 1];
    }
    if (top === undefined || top.indent !== indent) return false;
    if (top.seq) {
      if (seqItem) return this.item(i, indent, end);
      stack.pop();
      top = stack[stack.length - 1];
      if (top === undefined || top.seq || top.indent !== indent) return false;
    } else if (seqItem) return false;
    return this.entry(i, end, top);
  }


  /** A `-` sequence item at column `col`; its content may continue on the same line. */
  item(i: number, col: number, end: number): boolean {
    const text = this.text;
    let j = i + 1;
    while (j < end && text.charCodeAt(j) === SPACE) j++;
    if (j === end || text.charCodeAt(j) === HASH) {
      this.pend(col, false, NONE, false);
      return true;
    }
    const inner = col + (j - i);
    if (isSeqItem(this.text, j, end)) {
      this.stack.push({ indent: inner, seq: true, role: NONE, keys: undefined, spans: undefined });
      return this.item(j, inner, end);
    }
    const colon = keyEnd(this.text, j, end);
    if (colon !== -1) {
      const frame: Frame = { indent: inner, seq: false, role: NONE, keys: undefined, spans: undefined };
      this.stack.push(frame);
      return this.entry(j, end, frame, colon);
    }
    return this.value(j, end, col) !== false;
  }


  /** A `key: value` entry of `frame`, the key starting at `i`. */
  entry(i: number, end: number, frame: Frame, colon = keyEnd(this.text, i, end)): boolean {
    const text = this.text;
    if (colon === -1) return false;
    const c = text.charCodeAt(i);
    if (frame.role === NONE && c !== DQ && c !== SQ && isLetter(c)) {
      // Most keys: inside the spec, plain, starting with a letter. Checked where they stand.
      if (!letterKeyIsString(text, i, colon) || !addKeyAt(frame, text, i, colon)) return false;
      return this.afterKey(frame, colon, end, NONE, false);
    }
    let key = text.slice(i, colon);
    if (c === DQ) key = decodeDoubleQuoted(key);
    else if (c === SQ) key = decodeSingleQuoted(key);
    else if (!plainIsString(key)) return false;
    if (!addKey(frame, text, key)) return false;
    const role = frame.role;
    let childRole = NONE;
    let wanted = false;
    if (role === ROOT) {
      if (key === 'metadata') childRole = META;
      else wanted = key === 'apiVersion' || key === 'kind';
    } else if (role === META) {
      if (key === 'labels') childRole = LABELS;
      else if (key === 'annotations') childRole = ANNOTATIONS;
      else wanted = key === 'name' || key === 'namespace';
    } else if (role === LABELS) wanted = true;
    else if (role === ANNOTATIONS) {
      if (key === HOOK_ANNOTATION) this.head.hook = true;
      wanted = key === FILENAME_ANNOTATION;
    }
    return this.afterKey(frame, colon, end, childRole, wanted, key);
  }

  /** What follows the `:` of a key of `frame`: a value on this line, or one on the lines below. */
  afterKey(frame: Frame, colon: number, end: number, childRole: number, wanted: boolean, key?: string): boolean {
    const text = this.text;
    let j = colon + 1;
    while (j < end && text.charCodeAt(j) === SPACE) j++;
    if (j === end || text.charCodeAt(j) === HASH) {
      this.pend(frame.indent, true, childRole, wanted);
      return true;
    }
    const value = this.value(j, end, frame.indent, wanted, childRole !== NONE);
    if (value === false) return false;
    if (wanted) {
      // A head field folded over lines: leave the folding rules to the parser.
      if (this.blockParent !== -1 || this.quote !== 0) return false;
      this.plainWanted = true;
      if (value !== undefined) this.record(frame.role, key!, value);
    }
    return true;
  }

  record(role: number, key: string, value: string): void {
    const head = this.head;
    // Copies: a slice of the body would keep the whole body alive as long as the head.
    key = detached(key);
    value = detached(value);
    if (role === LABELS) head.labels.set(key, value);
    else if (role === ANNOTATIONS) head.filename = value;
    else if (key === 'apiVersion') head.apiVersion = value;
    else if (key === 'kind') head.kind = value;
    else if (key === 'name') head.name = value;
    else head.namespace = value;
  }

  pend(parent: number, seqSame: boolean, role: number, wanted: boolean): void {
    this.pendingParent = parent;
    this.pendingSeqSame = seqSame;
    this.pendingRole = role;
    this.pendingWanted = wanted;
  }

  /**
   * A value that starts on the line of its key or `-` (whose node sits at column `parent`).
   * Returns the scalar's text for the head when `wanted`, undefined for null, collections,
   * block scalars and values not wanted, and false for anything the scanner does not check;
   * `head`: the value is metadata, labels or annotations, which must not be in flow style.
   */
  value(j: number, end: number, parent: number, wanted = false, head = false): string | undefined | false {
    const text = this.text;
    const c = text.charCodeAt(j);
    if (c === DQ || c === SQ) {
      const close = c === DQ ? doubleQuotedEnd(text, j + 1, end) : singleQuotedEnd(text, j + 1, end);
      if (close === OPEN) {
        this.quote = c;
        this.quoteParent = parent;
        return undefined;
      }
      if (close === -1 || !onlyCommentAfter(text, close + 1, end)) return false;
      if (!wanted) return undefined;
      const raw = text.slice(j, close + 1);
      return c === DQ ? decodeDoubleQuoted(raw) : decodeSingleQuoted(raw);
    }
    if (c === PIPE || c === GT) {
      let k = j + 1;
      const chomp = text.charCodeAt(k);
      if (chomp === DASH || chomp === 43) k++;
      if (!onlyCommentAfter(text, k, end)) return false;
      this.blockParent = parent;
      this.blockIndent = -1;
      this.blockLeadMax = 0;
      return undefined;
    }
    if (c === LBRACKET) {
      const after = flowSequenceEnd(text, j, end);
      if (after !== -1) return onlyCommentAfter(text, after, end) ? undefined : false;
      // A head field (or metadata, labels, annotations) in flow style: left to the parser.
      if (wanted || head) return false;
      this.flow = { expectItem: true };
      const close = flowSequenceLine(text, j + 1, end, this.flow);
      if (close === -1) return false;
      if (close === OPEN) this.flowParent = parent;
      else if (!onlyCommentAfter(text, close, end)) return false;
      return undefined;
    }
    if (c === LBRACE) {
      if (text.charCodeAt(j + 1) === 125 && onlyCommentAfter(text, j + 2, end)) return undefined;
      if (wanted || head) return false;
      const after = flowMappingEnd(text, j, end);
      return after !== -1 && onlyCommentAfter(text, after, end) ? undefined : false;
    }
    if (c === DASH || c === COLON) {
      const n = text.charCodeAt(j + 1);
      if (j + 1 === end || n === SPACE) return false;
    } else if (!PLAIN_FIRST[c]) return false;
    const last = plainEnd(text, j, end);
    if (last === -1) return false;
    if (!this.hasComment(last, end)) {
      this.plainParent = parent;
      this.plainWanted = false;
    }
    return wanted ? plainValue(text.slice(j, last)) : undefined;
  }
}

/**
 * `s` in a string of its own. A slice of 13 characters or more is a view of its parent in V8,
 * so a head field sliced from a document's body would keep the body alive with the head; the
 * concatenation is flattened into a new string, of which the slice is then a view.
 */
function detached(s: string): string {
  return (s + ' ').slice(0, -1);
}

// Characters that may start a plain scalar the scanner accepts; '-' is handled by the caller.
// Excluded: space, controls, the indicators ? : , [ ] { } # & * ! | > ' " % @ ` and a
// byte-order mark; any other printable character may start a plain scalar.
export const PLAIN_FIRST = new Uint8Array(65536);
PLAIN_FIRST.fill(1, 33);
for (const c of '?:,[]{}#&*!|>\'"%@`\uFEFF') PLAIN_FIRST[c.charCodeAt(0)] = 0;

/** Up to this many keys a mapping's keys are compared one by one; past it they go in a Set. */
const FEW_KEYS = 16;

/**
 * Remembers the plain key from `i` to `end` of `frame` by its position, answering false if
 * the mapping has it already. A mapping whose keys are already remembered as text (a quoted
 * key or a head mapping came first, or it has many keys) takes this one as text too.
 */
function addKeyAt(frame: Frame, text: string, i: number, end: number): boolean {
  const spans = frame.spans;
  if (frame.keys !== undefined || (spans !== undefined && spans.length >= 2 * FEW_KEYS)) return addKey(frame, text, text.slice(i, end));
  if (spans === undefined) {
    frame.spans = [i, end];
    return true;
  }
  const length = end - i;
  for (let s = 0; s < spans.length; s += 2) {
    const from = spans[s]!;
    if (spans[s + 1]! - from === length && sameText(text, from, i, length)) return false;
  }
  spans.push(i, end);
  return true;
}

function sameText(text: string, a: number, b: number, length: number): boolean {
  for (let k = 0; k < length; k++) if (text.charCodeAt(a + k) !== text.charCodeAt(b + k)) return false;
  return true;
}

function addKey(frame: Frame, text: string, key: string): boolean {
  if (frame.spans !== undefined) {
    const spans = frame.spans;
    frame.spans = undefined;
    const known: string[] = [];
    for (let s = 0; s < spans.length; s += 2) known.push(text.slice(spans[s]!, spans[s + 1]!));
    frame.keys = known.length > FEW_KEYS ? new Set(known) : known;
  }
  const keys = frame.keys;
  if (keys === undefined) frame.keys = [key];
  else if (Array.isArray(keys)) {
    if (keys.includes(key)) return false;
    keys.push(key);
    if (keys.length > FEW_KEYS) frame.keys = new Set(keys);
  } else {
    if (keys.has(key)) return false;
    keys.add(key);
  }
  return true;
}
