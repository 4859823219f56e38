/** What went wrong with a manifest stream; stable, so callers and tests can branch on it. */
export type ManifestErrorCode =
  | 'not-text'
  | 'too-large'
  | 'yaml'
  | 'duplicate-key'
  | 'alias-limit'
  | 'not-a-resource'
  | 'empty'
  | 'invalid-output';

/** Where in the stream a problem is; every field is optional. */
export interface ManifestLocation {
  /** 0-based index of the document in the stream (the message counts from 1). */
  readonly docIndex?: number | undefined;
  /** The document's `# Source:` path or `postrender-filename` annotation. */
  readonly source?: string | undefined;
  /** 1-based line in the whole stream. */
  readonly line?: number | undefined;
  /** 1-based column. */
  readonly column?: number | undefined;
}

/**
 * A manifest stream that cannot be read, or output that cannot be written.
 * The message is one line: `document 3 (chart/templates/svc.yaml) at line 12, column 5: …`.
 */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  readonly code: ManifestErrorCode;
  readonly docIndex: number | undefined;
  readonly source: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(code: ManifestErrorCode, detail: string, where: ManifestLocation = {}, options?: ErrorOptions) {
    super(formatMessage(detail, where), options);
    this.code = code;
    this.docIndex = where.docIndex;
    this.source = where.source;
    this.line = where.line;
    this.column = where.column;
  }
}

function formatMessage(detail: string, where: ManifestLocation): string {
  let place = '';
  if (where.docIndex !== undefined) {
    place = `document ${where.docIndex + 1}`;
    if (where.source) place += ` (${where.source})`;
  }
  if (where.line !== undefined) {
    place += `${place ? ' at ' : ''}line ${where.line}`;
    if (where.column !== undefined) place += `, column ${where.column}`;
  }
  const message = place ? `${place}: ${detail}` : detail;
  // One line, whatever the input put into keys or file names.
  return message.replace(/[\r\n]+/g, ' ');
}

/** Counts lines in `text` before `offset`, giving the 1-based line and column of that offset. */
export function positionIn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let nl = text.indexOf('\n'); nl !== -1 && nl < offset; nl = text.indexOf('\n', nl + 1)) {
    line += 1;
    lineStart = nl + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
