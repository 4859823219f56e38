import { ManifestError, positionIn } from './errors.ts';
import type { ManifestLocation } from './errors.ts';

/** A document cut out of the stream, before its head is read. */
export interface RawDoc {
  readonly index: number;
  /** Offset of the document's first character (its prefix) in the stream. */
  readonly offset: number;
  readonly prefix: string;
  readonly body: string;
  /** From a `# Source:` comment in the prefix. */
  readonly source: string | undefined;
  /** 1-based line of the stream at which the body starts. */
  readonly line: number;
}

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const HASH = 35;

/** Whether a document separator (`---` then whitespace or the end) starts at `i`. */
function separatorAt(text: string, i: number): boolean {
  if (text.charCodeAt(i) !== 45 || !text.startsWith('---', i)) return false;
  const c = text.charCodeAt(i + 3);
  return Number.isNaN(c) || c === LF || c === CR || c === SPACE || c === TAB;
}

/** Start offsets of every document: 0, then each separator line after the first character. */
function documentStarts(text: string): number[] {
  const starts: number[] = text.length > 0 ? [0] : [];
  for (let i = text.indexOf('\n---'); i !== -1; i = text.indexOf('\n---', i + 1)) {
    if (separatorAt(text, i + 1)) starts.push(i + 1);
  }
  return starts;
}

function lineEnd(text: string, from: number, limit: number): number {
  const nl = text.indexOf('\n', from);
  return nl === -1 || nl >= limit ? limit : nl;
}

function countLines(text: string, from: number, to: number): number {
  let n = 0;
  for (let nl = text.indexOf('\n', from); nl !== -1 && nl < to; nl = text.indexOf('\n', nl + 1)) n += 1;
  return n;
}

/**
 * The 1-based line of an offset of `text`, counted when asked (line numbers are read only
 * for errors and warnings): from the offset asked before when it is not past this one.
 */
function lineCounter(text: string): (offset: number) => number {
  let at = 0;
  let line = 1;
  return (offset) => {
    if (offset < at) {
      at = 0;
      line = 1;
    }
    line += countLines(text, at, offset);
    at = offset;
    return line;
  };
}

/**
 * Cuts a stream into documents at `---` lines, without reading them. The prefix takes the
 * separator line and the blank and comment lines after it; the body is the rest.
 * Content on a separator line (`--- a: b`) is refused: Helm 4's reader refuses it in output.
 */
export function splitRaw(text: string): RawDoc[] {
  const starts = documentStarts(text);
  const docs: RawDoc[] = [];
  const lineAt = lineCounter(text);
  for (let d = 0; d < starts.length; d++) {
    const start = starts[d]!;
    const end = d + 1 < starts.length ? starts[d + 1]! : text.length;
    let p = start;
    if (separatorAt(text, start)) {
      const eol = lineEnd(text, start, end);
      const rest = text.slice(start + 3, eol).trim();
      if (rest !== '' && !rest.startsWith('#')) {
        throw new ManifestError('yaml', `content after the '---' separator is not supported; start it on the next line`, {
          docIndex: d,
          line: lineAt(start),
          column: 4,
        });
      }
      p = eol === end ? end : eol + 1;
    }
    let source: string | undefined;
    while (p < end) {
      const eol = lineEnd(text, p, end);
      let i = p;
      let c = text.charCodeAt(i);
      while (i < eol && (c === SPACE || c === TAB || c === CR)) c = text.charCodeAt(++i);
      if (i < eol && c !== HASH) break;
      if (source === undefined && i === p && text.startsWith('# Source: ', p)) {
        source = text.slice(p + 10, eol).trim() || undefined;
      }
      p = eol === end ? end : eol + 1;
    }
    const bodyStart = p;
    docs.push({
      index: d,
      offset: start,
      prefix: text.slice(start, p),
      body: text.slice(p, end),
      source,
      get line() {
        return lineAt(bodyStart);
      },
    });
  }
  return docs;
}

/** The document, source, line and column of an offset; for errors found before splitting. */
export function locateOffset(text: string, offset: number): ManifestLocation {
  const starts = documentStarts(text.slice(0, offset));
  const docIndex = Math.max(0, starts.length - 1);
  const docStart = starts[docIndex] ?? 0;
  const head = text.slice(docStart, offset);
  const source = /^# Source: (.*)$/m.exec(head)?.[1]?.trim() || undefined;
  return { docIndex, source, ...positionIn(text, offset) };
}
