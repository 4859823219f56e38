/** What went wrong while rendering. */
export type RenderErrorCode =
  | 'no-version'
  | 'bad-version'
  | 'bad-option'
  | 'router'
  | 'too-many-versions'
  | 'invalid-object'
  | 'unmanageable';

/** A transform error: one line, naming the object it is about. */
export class RenderError extends Error {
  readonly code: RenderErrorCode;

  constructor(code: RenderErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RenderError';
    this.code = code;
  }
}
