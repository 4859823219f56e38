import { Document as YamlDocument, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { RenderError } from './errors.ts';
import { syncDocument } from './sync-doc.ts';
import type { KubeObject } from './types.ts';

/** A document of the input stream as the transform sees it. */
export interface SourceDoc {
  index: number;
  source: string | undefined;
  apiVersion: string;
  kind: string;
  name: string;
  hook: boolean;
  prefix: string;
  body: string;
}

/** What happens to one input document: replaced by an object, and/or followed by new documents. */
export interface Edit {
  replace?: { document: Document; object: KubeObject };
  after: string[];
}
export type Edits = Map<number, Edit>;

/**
 * Printer options for every document switchyard writes. Documents are parsed and printed as
 * YAML 1.1, as Kubernetes reads them, so strings such as `yes`, `on` or `1_000` stay quoted.
 */
export const PRINT_OPTIONS = { lineWidth: 0, flowCollectionPadding: false } as const;

/** Interim splitter (replaced by pkg/manifest). */
export function splitInput(text: string): SourceDoc[] {
  const parts = text.split(/^(?=---[ \t]*(?:#.*)?\r?$)/m);
  const docs: SourceDoc[] = [];
  for (const part of parts) {
    const m = /^((?:---[^\n]*\n)?(?:[ \t]*#[^\n]*\n|[ \t]*\n)*)([\s\S]*)$/.exec(part)!;
    const prefix = m[1] ?? '';
    const body = m[2] ?? '';
    const source = /# Source: (.*)/.exec(prefix)?.[1];
    const head = body.trim() === '' ? undefined : (parseDocument(body).toJS() as KubeObject);
    docs.push({ index: docs.length, source, apiVersion: head?.apiVersion ?? '', kind: head?.kind ?? '', name: head?.metadata?.name ?? '', hook: head?.metadata?.annotations?.['helm.sh/hook'] !== undefined, prefix, body });
  }
  return docs;
}

/** Parses a document the transform changes. */
export function parseObject(doc: SourceDoc): { document: Document; object: KubeObject } {
  const document = parseDocument(doc.body, { uniqueKeys: true, version: '1.1' });
  if (document.errors.length > 0) throw new RenderError('invalid-object', `document ${doc.index}: ${document.errors[0]!.message}`);
  return { document, object: document.toJS({ maxAliasCount: 100 }) as KubeObject };
}

/** Prints a new object as a YAML document body. */
export function printObject(obj: KubeObject): string {
  return new YamlDocument(obj, { version: '1.1' }).toString(PRINT_OPTIONS);
}

/** Applies the edits and prints the stream. */
export function edit(docs: SourceDoc[], edits: Edits): string {
  let out = '';
  for (const doc of docs) {
    const e = edits.get(doc.index);
    if (e?.replace !== undefined) {
      syncDocument(e.replace.document, e.replace.object);
      out += ensureNewline(doc.prefix) + ensureNewline(e.replace.document.toString(PRINT_OPTIONS));
    } else {
      out += doc.prefix + doc.body;
    }
    for (const body of e?.after ?? []) out += `${out.endsWith('\n') || out === '' ? '' : '\n'}---\n${doc.source === undefined ? '' : `# Source: ${doc.source}\n`}${ensureNewline(body)}`;
  }
  return out;
}

function ensureNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}
