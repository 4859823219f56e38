import { isAscii } from 'node:buffer';
import { ManifestError, positionIn } from './errors.ts';
import type { ManifestLocation } from './errors.ts';

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const HASH = 35;

/**
 * What a stream is split from: its decoded text, or its bytes (valid UTF-8), read alike.
 * Every character the split looks at is ASCII, which UTF-8 never uses inside a character,
 * so both find the same documents; offsets are in UTF-16 units for text and bytes for bytes.
 */
interface Source {
  readonly length: number;
  /** The character (text) or byte at `i`; NaN or undefined past the end. */
  code(i: number): number | undefined;
  indexOf(search: string, from: number): number;
  /** The text from `from` to `to`: a slice of the text, or the bytes decoded into a string of their own. */
  read(from: number, to: number): string;
  /** Whether `search` (ASCII) stands wholly between `from` and `to`. */
  holds(search: string, from: number, to: number): boolean;
  readonly bytes: boolean;
}

function textSource(text: string): Source {
  return {
    length: text.length,
    code: (i) => text.charCodeAt(i),
    indexOf: (s, from) => text.indexOf(s, from),
    read: (from, to) => text.slice(from, to),
    // In a slice (a view, not a copy): a search of the text from `from` would go on to its end.
    holds: (s, from, to) => text.slice(from, to).includes(s),
    bytes: false,
  };
}

/**
 * A string of its own per document read from bytes: the scanner and the fast reader go
 * character by character, about 1.5× slower through a slice of an 8 MB string, and an
 * ASCII document (most, also in a stream with a few non-ASCII characters) then takes one
 * byte per character.
 */
function bytesSource(bytes: Buffer): Source {
  return {
    length: bytes.length,
    code: (i) => bytes[i],
    indexOf: (s, from) => bytes.indexOf(s, from),
    read: (from, to) => {
      const part = bytes.subarray(from, to);
      return part.toString(isAscii(part) ? 'latin1' : 'utf8');
    },
    // On the document's own bytes: a search from `from` to the end of the stream would read
    // the rest of the stream for every document that lacks the text.
    holds: (s, from, to) => bytes.subarray(from, to).indexOf(s) !== -1,
    bytes: true,
  };
}

/**
 * A document cut out of the stream, before its head is read. A class: its methods and the
 * line getter live on the prototype, so a large stream's documents take fast properties,
 * not a property dictionary and closures each.
 */
export class RawDoc {
  readonly #src: Source;
  readonly #lineAt: (offset: number) => number;
  readonly index: number;
  /** Offset of the document's first character (its prefix) in the stream: in UTF-16 units when split from text, in bytes when split from bytes. */
  readonly offset: number;
  /** Offset just after the document's last character, in the same units. */
  readonly end: number;
  readonly prefix: string;
  /** Offset of the body's first character, in the units of `offset`. */
  readonly bodyStart: number;
  /** Whether the offsets are bytes of the input (split from bytes) rather than UTF-16 units. */
  readonly bytes: boolean;
  /** From a `# Source:` comment in the prefix. */
  readonly source: string | undefined;

  constructor(src: Source, lineAt: (offset: number) => number, index: number, offset: number, end: number, prefix: string, bodyStart: number, source: string | undefined) {
    this.#src = src;
    this.#lineAt = lineAt;
    this.index = index;
    this.offset = offset;
    this.end = end;
    this.prefix = prefix;
    this.bodyStart = bodyStart;
    this.bytes = src.bytes;
    this.source = source;
  }

  /** 1-based line of the stream at which the body starts. */
  get line(): number {
    return this.#lineAt(this.bodyStart);
  }

  /**
   * The body's text, decoded afresh at each call when split from bytes: a document's text is
   * kept only as long as its reader needs it (see readDoc), so the scanned bodies of a large
   * stream do not stay on the heap for the whole render.
   */
  readBody(): string {
    return this.#src.read(this.bodyStart, this.end);
  }

  /** Whether the body holds `search` (ASCII), looked for in the input without decoding it. */
  includes(search: string): boolean {
    return this.#src.holds(search, this.bodyStart, this.end);
  }
}

/** Whether a document separator (`---` then whitespace or the end) starts at `i`. */
function separatorAt(src: Source, i: number): boolean {
  if (src.code(i) !== 45 || src.code(i + 1) !== 45 || src.code(i + 2) !== 45) return false;
  const c = src.code(i + 3);
  return c === undefined || Number.isNaN(c) || c === LF || c === CR || c === SPACE || c === TAB;
}

/** Start offsets of every document: 0, then each separator line after the first character. */
function documentStarts(src: Source): number[] {
  const starts: number[] = src.length > 0 ? [0] : [];
  for (let i = src.indexOf('\n---', 0); i !== -1; i = src.indexOf('\n---', i + 1)) {
    if (separatorAt(src, i + 1)) starts.push(i + 1);
  }
  return starts;
}

function lineEnd(src: Source, from: number, limit: number): number {
  const nl = src.indexOf('\n', from);
  return nl === -1 || nl >= limit ? limit : nl;
}

function countLines(src: Source, from: number, to: number): number {
  let n = 0;
  for (let nl = src.indexOf('\n', from); nl !== -1 && nl < to; nl = src.indexOf('\n', nl + 1)) n += 1;
  return n;
}

/**
 * The 1-based line of an offset, counted when asked (line numbers are read only for errors
 * and warnings): from the offset asked before when it is not past this one.
 */
function lineCounter(src: Source): (offset: number) => number {
  let at = 0;
  let line = 1;
  return (offset) => {
    if (offset < at) {
      at = 0;
      line = 1;
    }
    line += countLines(src, at, offset);
    at = offset;
    return line;
  };
}

const SOURCE_COMMENT = '# Source: ';

function startsWithAt(src: Source, search: string, at: number): boolean {
  for (let k = 0; k < search.length; k++) if (src.code(at + k) !== search.charCodeAt(k)) return false;
  return true;
}

/**
 * Cuts a stream into documents at `---` lines, without reading them. The prefix takes the
 * separator line and the blank and comment lines after it; the body is the rest.
 * Content on a separator line (`--- a: b`) is refused: Helm 4's reader refuses it in output.
 */
export function splitRaw(text: string): RawDoc[] {
  return split(textSource(text), (where) => {
    throw new ManifestError('yaml', `content after the '---' separator is not supported; start it on the next line`, where);
  })!;
}

/**
 * {@link splitRaw} on the bytes of a stream that are valid UTF-8, each prefix and body
 * decoded on its own; offsets are byte offsets. Undefined for content on a separator line:
 * the caller decodes the stream and lets splitRaw report it.
 */
export function splitRawBytes(bytes: Buffer): RawDoc[] | undefined {
  return split(bytesSource(bytes), () => undefined);
}

function split(src: Source, badSeparator: (where: ManifestLocation) => undefined): RawDoc[] | undefined {
  const starts = documentStarts(src);
  const docs: RawDoc[] = [];
  const lineAt = lineCounter(src);
  for (let d = 0; d < starts.length; d++) {
    const start = starts[d]!;
    const end = d + 1 < starts.length ? starts[d + 1]! : src.length;
    let p = start;
    if (separatorAt(src, start)) {
      const eol = lineEnd(src, start, end);
      const rest = src.read(start + 3, eol).trim();
      if (rest !== '' && !rest.startsWith('#')) return badSeparator({ docIndex: d, line: lineAt(start), column: 4 });
      p = eol === end ? end : eol + 1;
    }
    let source: string | undefined;
    while (p < end) {
      const eol = lineEnd(src, p, end);
      let i = p;
      let c = src.code(i);
      while (i < eol && (c === SPACE || c === TAB || c === CR)) c = src.code(++i);
      if (i < eol && c !== HASH) break;
      if (source === undefined && i === p && startsWithAt(src, SOURCE_COMMENT, p)) {
        source = src.read(p + SOURCE_COMMENT.length, eol).trim() || undefined;
      }
      p = eol === end ? end : eol + 1;
    }
    docs.push(new RawDoc(src, lineAt, d, start, end, src.read(start, p), p, source));
  }
  return docs;
}

/** The document, source, line and column of an offset; for errors found before splitting. */
export function locateOffset(text: string, offset: number): ManifestLocation {
  const starts = documentStarts(textSource(text.slice(0, offset)));
  const docIndex = Math.max(0, starts.length - 1);
  const docStart = starts[docIndex] ?? 0;
  const head = text.slice(docStart, offset);
  const source = /^# Source: (.*)$/m.exec(head)?.[1]?.trim() || undefined;
  return { docIndex, source, ...positionIn(text, offset) };
}
