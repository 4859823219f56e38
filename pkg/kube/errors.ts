/** Why a call to the API server failed. */
export type KubeErrorCode =
  | 'not-found'
  | 'conflict'
  | 'already-exists'
  | 'forbidden'
  | 'unauthorized'
  | 'invalid'
  | 'unreachable'
  | 'timeout'
  | 'config'
  | 'server';

/** A failed API call: one line naming the verb and the object. */
export class KubeError extends Error {
  readonly code: KubeErrorCode;
  readonly status: number | undefined;
  /** The server's `Retry-After` header, when it sent one. */
  readonly retryAfter: string | undefined;

  constructor(code: KubeErrorCode, message: string, options?: { cause?: unknown; status?: number; retryAfter?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KubeError';
    this.code = code;
    this.status = options?.status;
    this.retryAfter = options?.retryAfter;
  }

  /** Whether the cluster could not be reached or refused who we are (exit code 4). */
  get isAccess(): boolean {
    return this.code === 'unreachable' || this.code === 'unauthorized' || this.code === 'forbidden' || this.code === 'config' || this.code === 'timeout';
  }
}

/** Maps an HTTP status to an error code. */
export function codeForStatus(status: number, reason?: string): KubeErrorCode {
  if (status === 404) return 'not-found';
  if (status === 409) return reason === 'AlreadyExists' ? 'already-exists' : 'conflict';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 422 || status === 400) return 'invalid';
  if (status === 504) return 'timeout';
  return 'server';
}

/** Whether `err` is a {@link KubeError} with `code`. */
export function isKubeError(err: unknown, code?: KubeErrorCode): err is KubeError {
  return err instanceof KubeError && (code === undefined || err.code === code);
}
