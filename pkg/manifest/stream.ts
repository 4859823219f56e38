import { isUtf8 } from 'node:buffer';
import { ManifestError } from './errors.ts';
import { duplicateKeysOf, headOfDocument, parseBody } from './parse.ts';
import type { BodyLocation, DuplicateKey } from './parse.ts';
import { scanHead } from './scan.ts';
import type { ScannedHead } from './scan.ts';
import { splitRaw, splitRawBytes } from './split.ts';
import type { RawDoc } from './split.ts';
import { checkStreamSize, decodeInput, printable } from './text.ts';
import { docText, FILENAME_ANNOTATION, resolveLimits } from './types.ts';
import type { Doc, DocHead, ManifestLimits, ResolvedLimits } from './types.ts';

/**
 * Splits Helm's rendered manifest stream into documents and reads each document's head,
 * keeping every byte: `docs.map(docText).join('')` is the input.
 *
 * Every document is checked as strictly as {@link parseDoc} would: malformed YAML, alias
 * bombs and documents that are not Kubernetes resources throw a
 * {@link ManifestError}, as do non-text input, oversized input and a stream without any
 * resource. Ordinary block-style documents are checked by a line scanner; the others are
 * parsed with yaml. Repeated keys are no error, as for the API server: each document lists
 * its own in `duplicateKeys`.
 */
export function splitStream(input: string | Uint8Array, limits?: ManifestLimits): Doc[] {
  return readStream(input, limits).docs;
}

/** A split stream and its text. */
export interface Stream {
  /** The decoded stream (joined from the documents when asked, for a stream read from bytes). */
  readonly text: string;
  readonly docs: Doc[];
}

/**
 * {@link splitStream}, with the decoded text. A stream given as bytes is split on its
 * bytes and each document decoded on its own (split.ts, splitRawBytes): its documents'
 * offsets are byte offsets, and no string of the whole stream is made unless asked for.
 */
export function readStream(input: string | Uint8Array, limits?: ManifestLimits): Stream {
  const resolved = resolveLimits(limits);
  // One search of the whole stream spares the scanner a search of each document for a lone CR.
  const noCR = typeof input === 'string' ? !input.includes('\r') : input.indexOf(13) === -1;
  let text: string | undefined;
  let docs = typeof input === 'string' ? undefined : fromBytes(input, resolved, noCR);
  if (docs === undefined) {
    text = decodeInput(input, resolved);
    docs = splitRaw(text).map((raw) => readDoc(raw, raw.readBody(), resolved, noCR));
  }
  if (!docs.some((doc) => doc.head !== undefined)) {
    const detail =
      docs.length === 0 ? 'the input is empty' : `the input has only ${docs.length} empty document${docs.length === 1 ? '' : 's'}`;
    throw new ManifestError('empty', `no Kubernetes resources in the input: ${detail}`);
  }
  const all = docs;
  return {
    get text() {
      text ??= all.map(docText).join('');
      return text;
    },
    docs: all,
  };
}

/**
 * The documents of a byte stream split on its bytes and read one by one, each body decoded
 * for its reader and then let go (Doc.body decodes it again when asked); undefined when the
 * bytes are not text (not UTF-8, a control character) or a separator line holds content:
 * decodeInput and splitRaw, run on the decoded text, then say what and where, as for a string.
 */
function fromBytes(input: Uint8Array, limits: ResolvedLimits, noCR: boolean): Doc[] | undefined {
  checkStreamSize(input.byteLength, limits);
  if (!isUtf8(input)) return undefined;
  const raws = splitRawBytes(Buffer.from(input.buffer, input.byteOffset, input.byteLength));
  if (raws === undefined) return undefined;
  const docs: Doc[] = [];
  for (let d = 0; d < raws.length; d++) {
    const raw = raws[d]!;
    const body = raw.readBody();
    if (!printable(raw.prefix) || !printable(body)) return undefined;
    try {
      docs.push(readDoc(raw, body, limits, noCR));
    } catch (err) {
      // A control character further on is reported first, as for a string.
      if (err instanceof ManifestError && !raws.slice(d + 1).every((r) => printable(r.prefix) && printable(r.readBody()))) return undefined;
      throw err;
    }
  }
  return docs;
}

/** Reads the document `raw`, whose body's text is `body`. */
function readDoc(raw: RawDoc, body: string, limits: ResolvedLimits, noCR: boolean): Doc {
  checkDocumentSize(raw, body, limits);
  let scanned = scanHead(body, noCR);
  let duplicateKeys: readonly DuplicateKey[] = NONE;
  if (scanned === 'complex') {
    const where = new Location(raw);
    const doc = parseBody(body, where, limits.maxAliasCount);
    duplicateKeys = duplicateKeysOf(doc);
    const parsed = headOfDocument(doc);
    if (parsed === 'a sequence' || parsed === 'a scalar') {
      throw new ManifestError('not-a-resource', `the document is ${parsed}, not a Kubernetes resource`, where);
    }
    scanned = parsed;
  }
  const head = scanned === 'empty' ? undefined : toDocHead(scanned, raw);
  const endsLine = body === '' ? raw.prefix === '' || raw.prefix.endsWith('\n') : body.endsWith('\n');
  // Kept only when it costs nothing to keep (a slice of the decoded stream); else decoded again when asked.
  return new StreamDoc(raw, head, duplicateKeys, endsLine, raw.bytes ? undefined : body);
}

/** Where a document stands, for errors: made only when one is reported (its source may need the body read again). */
class Location implements BodyLocation {
  readonly #raw: RawDoc;
  readonly docIndex: number;

  constructor(raw: RawDoc) {
    this.#raw = raw;
    this.docIndex = raw.index;
  }

  get line(): number {
    return this.#raw.line;
  }

  get source(): string | undefined {
    return this.#raw.source ?? sourceHint(this.#raw.readBody());
  }
}

/** A Doc as a class: fast properties and prototype getters for each of a large stream's documents. */
class StreamDoc implements Doc {
  readonly #raw: RawDoc;
  #body: string | undefined;
  readonly index: number;
  readonly offset: number;
  readonly end: number;
  readonly source: string | undefined;
  readonly prefix: string;
  readonly head: DocHead | undefined;
  readonly duplicateKeys: readonly DuplicateKey[];
  readonly endsLine: boolean;

  constructor(raw: RawDoc, head: DocHead | undefined, duplicateKeys: readonly DuplicateKey[], endsLine: boolean, body: string | undefined) {
    this.#raw = raw;
    this.#body = body;
    this.index = raw.index;
    this.offset = raw.offset;
    this.end = raw.end;
    this.source = raw.source ?? head?.filename;
    this.prefix = raw.prefix;
    this.head = head;
    this.duplicateKeys = duplicateKeys;
    this.endsLine = endsLine;
  }

  get body(): string {
    this.#body ??= this.#raw.readBody();
    return this.#body;
  }

  get line(): number {
    return this.#raw.line;
  }

  includes(search: string): boolean {
    return this.#raw.includes(search);
  }
}

const NONE: readonly DuplicateKey[] = Object.freeze([]);

function checkDocumentSize(raw: RawDoc, body: string, limits: ResolvedLimits): void {
  const max = limits.maxDocumentBytes;
  if (raw.bytes) {
    const bytes = raw.end - raw.offset;
    if (bytes > max) throw new ManifestError('too-large', `the document is ${bytes} bytes, over the limit of ${max} bytes`, new Location(raw));
    return;
  }
  // A UTF-16 unit is at most 3 bytes of UTF-8: count bytes only when that could matter.
  const chars = raw.prefix.length + body.length;
  if (chars * 3 <= max) return;
  if (chars > max) throw new ManifestError('too-large', `the document is larger than the limit of ${max} bytes`, new Location(raw));
  const bytes = Buffer.byteLength(raw.prefix) + Buffer.byteLength(body);
  if (bytes > max) throw new ManifestError('too-large', `the document is ${bytes} bytes, over the limit of ${max} bytes`, new Location(raw));
}

function toDocHead(scanned: ScannedHead, raw: RawDoc): DocHead {
  const { apiVersion, kind, name } = scanned;
  if (!apiVersion || !kind || !name) {
    const missing = [!apiVersion && 'apiVersion', !kind && 'kind', !name && 'metadata.name'].filter(Boolean).join(', ');
    const what = kind ? ` (kind ${kind})` : '';
    throw new ManifestError('not-a-resource', `not a Kubernetes resource${what}: missing ${missing}`, new Location(raw));
  }
  return {
    apiVersion,
    kind,
    name,
    namespace: scanned.namespace || undefined,
    hook: scanned.hook,
    filename: scanned.filename,
    labels: scanned.labels,
  };
}

const FILENAME_LINE = new RegExp(`^\\s*["']?${FILENAME_ANNOTATION.replaceAll('.', '\\.')}["']?:\\s*["']?([^"'\\s]+)`, 'm');

/** Best-effort source for error messages about a Helm 4 document whose head cannot be read. */
function sourceHint(body: string): string | undefined {
  if (!body.includes(FILENAME_ANNOTATION)) return undefined;
  return FILENAME_LINE.exec(body)?.[1];
}
