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
  for (const index of decisions.keys()) {
    if (docs[index]?.index !== index) {
      throw new ManifestError('invalid-output', `a decision names document ${index + 1}, which the stream does not have`);
    }
  }
  const out: string[] = [];
  let resources = 0;
  for (const doc of docs) {
    const decision = decisions.get(doc.index) ?? { action: 'keep' };
    if (decision.action === 'keep') {
      out.push(withNewline(doc.prefix + doc.body));
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
  return out.join('');
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
