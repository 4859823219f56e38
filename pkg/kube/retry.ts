import type { KubeError } from './errors.ts';

/**
 * How the HTTP client retries. A failed call is retried only when repeating it cannot do
 * harm: reads (get, list, discovery, the start of a watch), server-side apply, updates
 * guarded by a resourceVersion, merge patches (RFC 7386: applying one twice is applying
 * it once) and deletes (a repeat finds the object gone). Any call is retried on 429,
 * which the API server's rate limiting and priority-and-fairness answer before running
 * the request.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. Default: 5. */
  attempts: number;
  /** First back-off; doubled each retry, with jitter. Default: 250 ms. */
  baseMs: number;
  /** Longest back-off between two attempts. Default: 8 s. */
  maxMs: number;
  /** Longest `Retry-After` honoured; a longer one is cut to this. Default: 60 s. */
  maxRetryAfterMs: number;
}

/** The default {@link RetryPolicy}. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseMs: 250, maxMs: 8_000, maxRetryAfterMs: 60_000 };

/** Statuses worth another attempt: the server is overloaded, restarting or a proxy in front of it failed. */
const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504]);

/** Whether a failure may be retried: 429 always, other transient statuses and lost connections only when `safe`. */
export function retryable(err: KubeError, safe: boolean): boolean {
  if (err.status === 429) return true;
  if (!safe) return false;
  if (err.status !== undefined) return TRANSIENT_STATUS.has(err.status);
  return err.code === 'unreachable' || err.code === 'timeout';
}

/**
 * How long to wait before attempt `attempt + 1` (attempt counts from 1): the server's
 * `Retry-After` (seconds or an HTTP date) when it sent one, else exponential back-off with
 * full jitter between half and all of `baseMs·2^(attempt-1)`, capped at `maxMs`.
 */
export function retryDelay(attempt: number, retryAfter: string | undefined, policy: RetryPolicy, now: number, random: () => number): number {
  const after = parseRetryAfter(retryAfter, now);
  if (after !== undefined) return Math.min(after, policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** `Retry-After: 3` or `Retry-After: <HTTP date>` in milliseconds from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
