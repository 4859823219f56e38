import { Document as YamlDocument } from 'yaml';
import type { Document } from 'yaml';
import { assemble, parseDoc, printDoc, splitStream } from '../manifest/index.ts';
import type { Decision, Doc } from '../manifest/index.ts';
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
  body: string;
  /** The manifest layer's document, for parsing and assembling. */
  doc: Doc;
}

/** What happens to one input document: replaced by an object, and/or followed by new documents. */
export interface Edit {
  replace?: { document: Document; object: KubeObject };
  after: string[];
}
export type Edits = Map<number, Edit>;

/** Splits and validates the input stream (see pkg/manifest for the limits). */
export function splitInput(text: string): SourceDoc[] {
  return splitStream(text).map((doc) => ({
    index: doc.index,
    source: doc.source,
    apiVersion: doc.head?.apiVersion ?? '',
    kind: doc.head?.kind ?? '',
    name: doc.head?.name ?? '',
    hook: doc.head?.hook ?? false,
    body: doc.body,
    doc,
  }));
}

/** Parses a document the transform changes. */
export function parseObject(source: SourceDoc): { document: Document; object: KubeObject } {
  const document = parseDoc(source.doc);
  return { document, object: document.toJS({ maxAliasCount: 100 }) as KubeObject };
}

/**
 * Prints a new object as a YAML document body. New documents are printed as YAML 1.1, as
 * Kubernetes reads them, so strings such as `yes`, `on` or `1_000` are quoted.
 */
export function printObject(obj: KubeObject): string {
  return printDoc(new YamlDocument(obj, { version: '1.1' }));
}

/** Applies the edits and prints the stream: untouched documents byte for byte. */
export function edit(docs: SourceDoc[], edits: Edits): string {
  const decisions = new Map<number, Decision>();
  for (const [index, e] of edits) {
    if (e.replace !== undefined) {
      syncDocument(e.replace.document, e.replace.object);
      decisions.set(index, { action: 'replace', body: printDoc(e.replace.document), insertAfter: e.after });
    } else {
      decisions.set(index, { action: 'keep', insertAfter: e.after });
    }
  }
  return assemble(docs.map((d) => d.doc), decisions);
}
