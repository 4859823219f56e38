import { isAscii } from 'node:buffer';
import { ManifestError } from './errors.ts';
import { duplicateKeysOf, headOfDocument, parseBody } from './parse.ts';
import type { BodyLocation, DuplicateKey } from './parse.ts';
import { scanHead } from './scan.ts';
import type { ScannedHead } from './scan.ts';
import { splitRaw } from './split.ts';
import type { RawDoc } from './split.ts';
import { decodeInput } from './text.ts';
import { FILENAME_ANNOTATION, resolveLimits } from './types.ts';
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

/** A split stream with the text its documents' offsets refer to. */
export interface Stream {
  readonly text: string;
  readonly docs: Doc[];
}

/** {@link splitStream}, with the decoded text. */
export function readStream(input: string | Uint8Array, limits?: ManifestLimits): Stream {
  const resolved = resolveLimits(limits);
  const text = decodeInput(input, resolved);
  const raws = splitRaw(text);
  const docs = (typeof input === 'string' ? raws : withOwnBodies(raws, input)).map((raw) => readDoc(raw, resolved));
  if (!docs.some((doc) => doc.head !== undefined)) {
    const detail =
      docs.length === 0 ? 'the input is empty' : `the input has only ${docs.length} empty document${docs.length === 1 ? '' : 's'}`;
    throw new ManifestError('empty', `no Kubernetes resources in the input: ${detail}`);
  }
  return { text, docs };
}

/**
 * The documents with each body decoded from its own bytes instead of sliced from the whole
 * text: the scanner and the fast reader go character by character, which is about 1.5×
 * slower through a slice of an 8 MB string than in a string of its own, and an ASCII body
 * (most of them, also in a stream with a few non-ASCII characters) then takes one byte per
 * character. Documents start at the same `---` lines in the bytes as in the text (the
 * separator is ASCII, which UTF-8 never uses inside a character), so each body is the same
 * text; where the two splits disagree anyway the slices are kept.
 */
function withOwnBodies(raws: RawDoc[], input: Uint8Array): RawDoc[] {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const starts = byteDocumentStarts(bytes);
  if (starts.length !== raws.length) return raws;
  return raws.map((raw, d) => {
    const from = starts[d]! + (raw.prefix.length === 0 ? 0 : Buffer.byteLength(raw.prefix));
    const to = d + 1 < starts.length ? starts[d + 1]! : bytes.length;
    if (to - from < raw.body.length) return raw;
    const slice = bytes.subarray(from, to);
    const body = slice.toString(isAscii(slice) ? 'latin1' : 'utf8');
    return { index: raw.index, offset: raw.offset, prefix: raw.prefix, body, source: raw.source, get line() { return raw.line; } };
  });
}

/** split.ts's document starts, found in the bytes: 0, then each `---` line followed by a line end, space, tab or the end. */
function byteDocumentStarts(bytes: Buffer): number[] {
  const starts: number[] = bytes.length > 0 ? [0] : [];
  for (let i = bytes.indexOf('\n---'); i !== -1; i = bytes.indexOf('\n---', i + 1)) {
    const c = bytes[i + 4];
    if (c === undefined || c === 10 || c === 13 || c === 32 || c === 9) starts.push(i + 1);
  }
  return starts;
}

function readDoc(raw: RawDoc, limits: ResolvedLimits): Doc {
  const where: BodyLocation = {
    docIndex: raw.index,
    get line(): number {
      return raw.line;
    },
    // Read only when an error is reported.
    get source(): string | undefined {
      return raw.source ?? sourceHint(raw.body);
    },
  };
  checkDocumentSize(raw, where, limits);
  let scanned = scanHead(raw.body);
  let duplicateKeys: readonly DuplicateKey[] = NONE;
  if (scanned === 'complex') {
    const doc = parseBody(raw.body, where, limits.maxAliasCount);
    duplicateKeys = duplicateKeysOf(doc);
    const parsed = headOfDocument(doc);
    if (parsed === 'a sequence' || parsed === 'a scalar') {
      throw new ManifestError('not-a-resource', `the document is ${parsed}, not a Kubernetes resource`, where);
    }
    scanned = parsed;
  }
  const head = scanned === 'empty' ? undefined : toDocHead(scanned, where);
  return {
    index: raw.index,
    offset: raw.offset,
    source: raw.source ?? head?.filename,
    prefix: raw.prefix,
    body: raw.body,
    head,
    get line() {
      return raw.line;
    },
    duplicateKeys,
  };
}

const NONE: readonly DuplicateKey[] = Object.freeze([]);

function checkDocumentSize(raw: RawDoc, where: BodyLocation, limits: ResolvedLimits): void {
  // A UTF-16 unit is at most 3 bytes of UTF-8: count bytes only when that could matter.
  const chars = raw.prefix.length + raw.body.length;
  if (chars * 3 <= limits.maxDocumentBytes) return;
  const max = limits.maxDocumentBytes;
  if (chars > max) throw new ManifestError('too-large', `the document is larger than the limit of ${max} bytes`, where);
  const bytes = Buffer.byteLength(raw.prefix) + Buffer.byteLength(raw.body);
  if (bytes > max) throw new ManifestError('too-large', `the document is ${bytes} bytes, over the limit of ${max} bytes`, where);
}

function toDocHead(scanned: ScannedHead, where: BodyLocation): DocHead {
  const { apiVersion, kind, name } = scanned;
  if (!apiVersion || !kind || !name) {
    const missing = [!apiVersion && 'apiVersion', !kind && 'kind', !name && 'metadata.name'].filter(Boolean).join(', ');
    const what = kind ? ` (kind ${kind})` : '';
    throw new ManifestError('not-a-resource', `not a Kubernetes resource${what}: missing ${missing}`, where);
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
