import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node, ParsedNode, YAMLMap } from 'yaml';
import { ManifestError, positionIn } from './errors.ts';
import type { ManifestLocation } from './errors.ts';
import type { ScannedHead } from './scan.ts';
import { KUBE_YAML } from './schema.ts';
import { FILENAME_ANNOTATION, HOOK_ANNOTATION } from './types.ts';

/** A parsed document, as yaml returns it for a single document. */
export type ParsedDocument = Document.Parsed<ParsedNode, true>;

// yaml's own uniqueKeys check compares every key with every earlier one, which a hostile
// mapping with 10^5 keys turns into minutes; checkDuplicateKeys does the same job in one pass.
// Values are read as Helm and the API server read them (see schema.ts).
const PARSE_OPTIONS = { ...KUBE_YAML, prettyErrors: false, keepSourceTokens: false } as const;

/** A repeated mapping key in a document: the API server keeps the last one. */
export interface DuplicateKey {
  readonly key: string;
  readonly line: number;
  readonly column: number;
}

const duplicates = new WeakMap<object, readonly DuplicateKey[]>();

/** The repeated keys {@link parseBody} found in a document (empty when none). */
export function duplicateKeysOf(doc: ParsedDocument): readonly DuplicateKey[] {
  return duplicates.get(doc) ?? [];
}

/** Where a document's body sits in the stream, for error messages. */
export interface BodyLocation {
  readonly docIndex: number;
  readonly source: string | undefined;
  /** 1-based line of the stream at which the body starts. */
  readonly line: number;
}

/**
 * Parses one document body fully and strictly: any yaml error, an alias to a missing anchor,
 * aliases re-used more than `maxAliasCount` times or more than ten times `maxAliasCount`
 * aliases in all throw a ManifestError. A repeated key is no error (the API server takes the
 * last one): {@link duplicateKeysOf} lists them.
 */
export function parseBody(body: string, where: BodyLocation, maxAliasCount: number): ParsedDocument {
  const at = (offset: number): ManifestLocation => {
    const pos = positionIn(body, offset);
    return { docIndex: where.docIndex, source: where.source, line: where.line + pos.line - 1, column: pos.column };
  };
  let doc: ParsedDocument;
  let aliases: number;
  try {
    doc = parseDocument(body, PARSE_OPTIONS);
    const error = doc.errors[0];
    if (error) throw new ManifestError('yaml', firstLine(error.message), at(error.pos[0]), { cause: error });
    const found: DuplicateKey[] = [];
    aliases = checkDuplicateKeys(doc, (key, offset) => {
      const { line, column } = at(offset);
      found.push({ key, line: line ?? 0, column: column ?? 0 });
    });
    if (found.length > 0) duplicates.set(doc, found.sort((a, b) => a.line - b.line || a.column - b.column));
  } catch (cause) {
    if (cause instanceof RangeError) {
      throw new ManifestError('yaml', 'the document is nested too deeply', at(0), { cause });
    }
    throw cause;
  }
  // yaml resolves each alias by a walk over the anchors before it: cap their number first.
  if (aliases > ALIAS_NODE_FACTOR * maxAliasCount) {
    const detail = `${aliases} aliases, over the limit of ${ALIAS_NODE_FACTOR * maxAliasCount} in one document`;
    throw new ManifestError('alias-limit', detail, at(0));
  }
  if (aliases > 0) {
    try {
      doc.toJS({ maxAliasCount });
    } catch (cause) {
      if (!(cause instanceof ReferenceError)) throw cause;
      const bomb = cause.message.startsWith('Excessive alias count');
      const detail = bomb
        ? `aliases expand the document more than the limit of ${maxAliasCount} allows (a YAML alias bomb?)`
        : firstLine(cause.message);
      throw new ManifestError(bomb ? 'alias-limit' : 'yaml', detail, at(0), { cause });
    }
  }
  return doc;
}

/** How many alias nodes one document may hold, per unit of `maxAliasCount`. */
const ALIAS_NODE_FACTOR = 10;

function firstLine(message: string): string {
  return message.split('\n', 1)[0]!;
}

/** Reports each repeated key in any mapping (keys compared as yaml's uniqueKeys does); returns the number of aliases. */
function checkDuplicateKeys(doc: ParsedDocument, report: (key: string, offset: number) => void): number {
  let aliases = 0;
  const work: unknown[] = [doc.contents];
  while (work.length > 0) {
    const node = work.pop();
    if (isAlias(node)) aliases += 1;
    else if (isPair(node)) work.push(node.key, node.value);
    else if (isCollection(node)) {
      work.push(...node.items);
      if (isMap(node)) checkMap(node, report);
    }
  }
  return aliases;
}

function checkMap(map: YAMLMap, report: (key: string, offset: number) => void): void {
  if (map.items.length < 2) return;
  const seen = new Set<unknown>();
  for (const { key } of map.items) {
    if (!isScalar(key) || Number.isNaN(key.value)) continue;
    if (seen.has(key.value)) report(String(key.value), key.range?.[0] ?? 0);
    seen.add(key.value);
  }
}

/** A scalar as a head value: null is absent, strings as they are, other scalars as written. */
function scalarText(doc: ParsedDocument, node: unknown): string | undefined {
  const target = isAlias(node) ? node.resolve(doc) : node;
  if (!isScalar(target) || target.value === null || target.value === undefined) return undefined;
  if (typeof target.value === 'string') return target.value;
  return target.source ?? String(target.value);
}

/** The value of `key` in a mapping; of its last occurrence when repeated, as the API server reads it. */
function valueOf(map: YAMLMap | undefined, key: string): unknown {
  if (map === undefined) return undefined;
  for (let i = map.items.length - 1; i >= 0; i--) {
    const pair = map.items[i]!;
    if (isScalar(pair.key) ? pair.key.value === key : pair.key === key) return pair.value;
  }
  return undefined;
}

function mapAt(doc: ParsedDocument, parent: unknown, key: string): YAMLMap | undefined {
  if (!isMap(parent)) return undefined;
  const node: unknown = valueOf(parent, key);
  const target = isAlias(node) ? node.resolve(doc) : node;
  return isMap(target) ? target : undefined;
}

/** The head of a parsed document; 'empty' without content, or the kind of node that is not a mapping. */
export function headOfDocument(doc: ParsedDocument): ScannedHead | 'empty' | 'a sequence' | 'a scalar' {
  const root: Node | null = doc.contents;
  if (root === null) return 'empty';
  if (!isMap(root)) return isSeq(root) ? 'a sequence' : 'a scalar';
  const meta = mapAt(doc, root, 'metadata');
  const labels = new Map<string, string>();
  for (const pair of mapAt(doc, meta, 'labels')?.items ?? []) {
    const key = scalarText(doc, pair.key);
    const value = scalarText(doc, pair.value);
    if (key !== undefined && value !== undefined) labels.set(key, value);
  }
  const annotations = mapAt(doc, meta, 'annotations');
  return {
    apiVersion: scalarText(doc, valueOf(root, 'apiVersion')),
    kind: scalarText(doc, valueOf(root, 'kind')),
    name: scalarText(doc, valueOf(meta, 'name')),
    namespace: scalarText(doc, valueOf(meta, 'namespace')),
    hook: annotations?.has(HOOK_ANNOTATION) ?? false,
    filename: scalarText(doc, valueOf(annotations, FILENAME_ANNOTATION)),
    labels,
  };
}
