import type { Document } from 'yaml';
import { ManifestError } from './errors.ts';
import { printDoc } from './print.ts';
import type { Doc } from './types.ts';

/** A new or changed document body: YAML text, or a yaml Document printed with {@link printDoc}. */
export type Body = string | Document;

/**
 * What becomes of one input document. `insertAfter` adds new documents right after it (after
 * its replacement, or where it was if dropped), each under `---` and the `# Source:` comment of
 * the input document, so that `helm template --show-only` still finds them.
 */
export type Decision =
  | { readonly action: 'keep'; readonly insertAfter?: readonly Body[] }
  | { readonly action: 'replace'; readonly body: Body; readonly insertAfter?: readonly Body[] }
  | { readonly action: 'drop'; readonly insertAfter?: readonly Body[] };

// A line that would start or end a document inside a body we print.
const MARKER_LINE = /^(?:---|\.\.\.)(?:[ \t\r]|$)/m;

/**
 * Writes the output stream: each input document in order, kept byte for byte unless a
 * decision replaces or drops it (documents without a decision are kept), followed by the
 * documents inserted after it. Every document but a first one without separator starts with a
 * `---` line, and the output ends with a newline: the only byte added to kept documents is
 * that final newline when the input had none.
 *
 * Throws a ManifestError ('invalid-output') for a decision about a document that does not
 * exist or a body that is empty or holds a document marker, and ('empty') when no resource
 * would be left.
 */
export function assemble(docs: readonly Doc[], decisions: ReadonlyMap<number, Decision>): string {
  return outputText(assembleOutput(docs, decisions));
}

/**
 * A piece of the output stream: a kept input document (its prefix and body, byte for byte)
 * or new text.
 */
export type Piece = Doc | string;

/** {@link assemble}'s output as pieces, so that kept documents can be written as the input's own bytes ({@link outputBytes}). */
export function assembleOutput(docs: readonly Doc[], decisions: ReadonlyMap<number, Decision>): Piece[] {
  for (const index of decisions.keys()) {
    if (docs[index]?.index !== index) {
      throw new ManifestError('invalid-output', `a decision names document ${index + 1}, which the stream does not have`);
    }
  }
  const out: Piece[] = [];
  let resources = 0;
  for (const doc of docs) {
    const decision = decisions.get(doc.index) ?? { action: 'keep' };
    if (decision.action === 'keep') {
      out.push(doc);
      if (!doc.endsLine) out.push('\n');
      if (doc.head) resources += 1;
    } else if (decision.action === 'replace') {
      out.push(withNewline(doc.prefix), bodyText(decision.body, doc));
      resources += 1;
    }
    for (const body of decision.insertAfter ?? []) {
      out.push(doc.source ? `---\n# Source: ${doc.source}\n` : '---\n', bodyText(body, doc));
      resources += 1;
    }
  }
  if (resources === 0) throw new ManifestError('empty', 'no Kubernetes resources left in the output');
  return out;
}

/** The output stream as text. */
export function outputText(pieces: readonly Piece[]): string {
  return pieces.map((p) => (typeof p === 'string' ? p : p.prefix + p.body)).join('');
}

/**
 * The output stream as UTF-8, for documents read from `input` as bytes (readStream): kept
 * documents are slices of `input` at their byte offsets, runs of consecutive ones one slice,
 * so an 8 MB stream of mostly kept documents is copied rather than joined and encoded again.
 */
export function outputBytes(pieces: readonly Piece[], input: Uint8Array): Buffer {
  return Buffer.concat(outputByteParts(pieces, input));
}

/** {@link outputBytes} as the parts it joins (views of `input`, and the new text encoded), for a writer that takes them as they are. */
export function outputByteParts(pieces: readonly Piece[], input: Uint8Array): Uint8Array[] {
  const parts: Uint8Array[] = [];
  let run = -1;
  let runEnd = -1;
  const flush = (): void => {
    if (run !== -1) parts.push(input.subarray(run, runEnd));
    run = -1;
  };
  for (const p of pieces) {
    if (typeof p === 'string') {
      flush();
      parts.push(Buffer.from(p, 'utf8'));
      continue;
    }
    if (p.offset !== runEnd) flush();
    if (run === -1) run = p.offset;
    runEnd = p.end;
  }
  flush();
  return parts;
}

function withNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}

function bodyText(body: Body, anchor: Doc): string {
  const text = typeof body === 'string' ? withNewline(body) : printDoc(body);
  const where = { docIndex: anchor.index, source: anchor.source };
  if (text.trim() === '') throw new ManifestError('invalid-output', 'a new document body is empty', where);
  if (MARKER_LINE.test(text)) {
    throw new ManifestError('invalid-output', "a new document body holds a '---' or '...' line", where);
  }
  return text;
}
