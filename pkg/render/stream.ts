import { Document as YamlDocument } from 'yaml';
import type { Document } from 'yaml';
import { assembleOutput, editText, fastParse, parseDoc, printBlock, printDoc, readStream, Unprintable } from '../manifest/index.ts';
import type { Decision, Doc, FastDoc, Piece } from '../manifest/index.ts';
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
  /** The manifest layer's document, for its text, parsing and assembling. */
  doc: Doc;
}

/**
 * How a parsed document was read: by the fast reader (edited as text when it changes), or by
 * yaml (synced and printed).
 */
export type Origin = { fast: FastDoc; document?: undefined } | { fast?: undefined; document: Document };

/** What happens to one input document: replaced by an object, and/or followed by new documents. */
export interface Edit {
  replace?: { origin: Origin; object: KubeObject };
  after: string[];
}
export type Edits = Map<number, Edit>;

/** Splits and validates the input stream (see pkg/manifest for the limits): text, or the UTF-8 bytes Helm wrote (checked strictly). */
export function splitInput(input: string | Uint8Array): SourceDoc[] {
  return readStream(input).docs.map((doc) => ({
    index: doc.index,
    source: doc.source,
    apiVersion: doc.head?.apiVersion ?? '',
    kind: doc.head?.kind ?? '',
    name: doc.head?.name ?? '',
    hook: doc.head?.hook ?? false,
    doc,
  }));
}

/**
 * Parses a document the transform may change: with the fast reader when it reads the
 * document (most block-style documents), else with yaml. Either gives the same object.
 */
export function parseObject(source: SourceDoc): { origin: Origin; object: KubeObject } {
  const fast = fastParse(source.doc.body);
  if (fast !== undefined) return { origin: { fast }, object: fast.object as unknown as KubeObject };
  const document = parseDoc(source.doc);
  return { origin: { document }, object: document.toJS({ maxAliasCount: 100 }) as KubeObject };
}

/**
 * Prints a new object as a YAML document body that Kubernetes reads (YAML 1.1) as the object,
 * so strings such as `yes`, `on` or `1_000` are quoted: by print-block.ts, or by yaml for
 * what that does not print.
 */
export function printObject(obj: KubeObject): string {
  try {
    return printBlock(obj as unknown as Record<string, unknown>);
  } catch (err) {
    if (!(err instanceof Unprintable)) throw err;
    return printDoc(new YamlDocument(obj, { version: '1.1' }));
  }
}

/**
 * The body of a changed document: its text edited where that suffices (text-edit.ts), else
 * the parsed document synced to the object and printed by yaml.
 */
function changedBody(source: SourceDoc, origin: Origin, object: KubeObject, printWithYaml: boolean): string {
  if (origin.fast !== undefined && !printWithYaml) {
    const edited = editText(source.doc.body, origin.fast, object);
    if (edited !== undefined) return edited;
  }
  const document = origin.document ?? parseDoc(source.doc);
  syncDocument(document, object);
  return printDoc(document);
}

/** Applies the edits and assembles the stream: untouched documents byte for byte. */
export function edit(docs: SourceDoc[], edits: Edits, printWithYaml = false): Piece[] {
  const decisions = new Map<number, Decision>();
  for (const [index, e] of edits) {
    if (e.replace !== undefined) {
      decisions.set(index, { action: 'replace', body: changedBody(docs[index]!, e.replace.origin, e.replace.object, printWithYaml), insertAfter: e.after });
    } else {
      decisions.set(index, { action: 'keep', insertAfter: e.after });
    }
  }
  return assembleOutput(docs.map((d) => d.doc), decisions);
}
