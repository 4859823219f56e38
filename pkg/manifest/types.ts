import type { DuplicateKey } from './parse.ts';

/** Annotation Helm 4 puts on every document it hands a post-renderer. */
export const FILENAME_ANNOTATION = 'postrenderer.helm.sh/postrender-filename';

/** Annotation that makes a document a Helm hook. */
export const HOOK_ANNOTATION = 'helm.sh/hook';

/**
 * What every resource document says about itself, read without building a YAML tree
 * for ordinary block-style documents.
 */
export interface DocHead {
  readonly apiVersion: string;
  readonly kind: string;
  /** `metadata.name`. */
  readonly name: string;
  /** `metadata.namespace`, when set. */
  readonly namespace: string | undefined;
  /** Whether the document carries the `helm.sh/hook` annotation (any value). */
  readonly hook: boolean;
  /** The `postrenderer.helm.sh/postrender-filename` annotation (Helm 4 input). */
  readonly filename: string | undefined;
  /** `metadata.labels` whose values are scalars; plain numbers and booleans as written. */
  readonly labels: ReadonlyMap<string, string>;
}

/**
 * One document of a manifest stream. `prefix + body` is the document's exact text, and
 * concatenating that over every document of a stream gives the stream back byte for byte.
 */
export interface Doc {
  /** 0-based position in the stream. */
  readonly index: number;
  /** Offset of the document's first character (its prefix) in the input: in bytes when the stream came as bytes, else in UTF-16 units. */
  readonly offset: number;
  /** Offset just after the document's last character, in the same units. */
  readonly end: number;
  /**
   * The template the document came from: the `# Source:` comment (Helm 3 and `helm template`
   * output), else the `postrender-filename` annotation (Helm 4 input).
   */
  readonly source: string | undefined;
  /** The `---` separator line, if any, and the blank and comment lines after it. */
  readonly prefix: string;
  /**
   * The YAML text from the first content line to the next separator; '' for an empty document.
   * For a stream read from bytes, decoded when first asked (the stream's reader lets each
   * document's text go once it has read it).
   */
  readonly body: string;
  /** Whether the body holds `search` (ASCII), looked for in the input without decoding the body again. */
  includes(search: string): boolean;
  /** Whether the document's text is empty or ends with a line break. */
  readonly endsLine: boolean;
  /** `undefined` for an empty document (only comments and blank lines). */
  readonly head: DocHead | undefined;
  /** 1-based line of the stream at which `body` starts. */
  readonly line: number;
  /** Keys repeated in one mapping of the document, in order (the last one wins); empty when none. */
  readonly duplicateKeys: readonly DuplicateKey[];
}

/** Limits against hostile or broken input. */
export interface ManifestLimits {
  /**
   * Largest accepted stream, in bytes of UTF-8.
   *
   * Default: 268435456 (256 MiB)
   */
  readonly maxStreamBytes?: number;
  /**
   * Largest accepted document, in bytes of UTF-8.
   *
   * Default: 8388608 (8 MiB)
   */
  readonly maxDocumentBytes?: number;
  /**
   * How often anchored content may be re-used through aliases, as in yaml's `maxAliasCount`;
   * documents over it, or with more than ten times as many alias nodes, are rejected as alias
   * bombs.
   *
   * Default: 100
   */
  readonly maxAliasCount?: number;
}

/** {@link ManifestLimits} with every default filled in. */
export interface ResolvedLimits {
  readonly maxStreamBytes: number;
  readonly maxDocumentBytes: number;
  readonly maxAliasCount: number;
}

/** Fills in the defaults of {@link ManifestLimits}. */
export function resolveLimits(limits: ManifestLimits = {}): ResolvedLimits {
  return {
    maxStreamBytes: limits.maxStreamBytes ?? 256 * 1024 * 1024,
    maxDocumentBytes: limits.maxDocumentBytes ?? 8 * 1024 * 1024,
    maxAliasCount: limits.maxAliasCount ?? 100,
  };
}

/** A document's text: `prefix + body`. */
export function docText(doc: Doc): string {
  return doc.prefix + doc.body;
}
