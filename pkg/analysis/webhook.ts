/**
 * The webhook client of webhook gates and notifications: one JSON POST, retried while the
 * failure may be passing, with a one-line result that never shows a secret.
 */

/** What a webhook is told: the hook that runs and where the rollout stands. */
export interface WebhookPayload {
  hook: string;
  app: string;
  namespace: string;
  release?: string;
  /** The stable version. */
  from: string;
  /** The canary version. */
  to: string;
  step?: number;
  /** The canary's traffic weight, in percent. */
  weight: number;
  phase: string;
  message?: string;
}

/** How to call a webhook. */
export interface WebhookCall {
  /** http or https. Userinfo (`https://user:pass@host/`) is sent as Basic authorization, unless `headers` has one. */
  url: string;
  /** Longest one attempt may take, the response body included. */
  timeoutMs: number;
  /** Extra attempts after the first. */
  retries: number;
  /** Delay before the first retry, doubled each time, capped at 10 s. */
  backoffMs: number;
  /** Resolved header values, which may be secret: they never appear in a result. */
  headers: Record<string, string>;
  /** Send a Slack-compatible body: `{ text, switchyard: payload }`. Default: false. */
  slack?: boolean;
}

/** `pass`: 2xx. `fail`: the hook said no (3xx, or 4xx other than 408/429). `error`: no answer, even after the retries. */
export type WebhookResult = { result: 'pass' | 'fail' | 'error'; status?: number; attempts: number; message: string };

/** Longest wait between two attempts, whether from back-off or `Retry-After`. */
const MAX_DELAY_MS = 10_000;
/** Most of a response body that is read. */
const BODY_LIMIT = 64 * 1024;
/** Most of a response body that a message quotes. */
const QUOTE_LIMIT = 200;

/** One attempt's outcome. */
type Attempt =
  | { kind: 'done'; result: 'pass' | 'fail'; status: number; text: string }
  | { kind: 'retry'; status?: number; what: string; retryAfterMs?: number };

/**
 * POSTs `payload` as JSON to `call.url` and tells whether the hook passed. 408, 429, 5xx,
 * timeouts and network errors are retried `call.retries` times, after `backoffMs`, doubling
 * (a `Retry-After` in seconds on 429 or 503 is honoured instead), up to 10 s. Redirects are
 * not followed (they would carry the headers elsewhere): a 3xx fails. Messages name the status
 * or the error, never a header value, the URL's query or its userinfo; the caller names the
 * URL. Never throws, except with `deps.signal`'s reason when that aborts.
 */
export async function callWebhook(
  call: WebhookCall,
  payload: WebhookPayload,
  deps: { sleep?: (ms: number, signal?: AbortSignal) => Promise<void>; signal?: AbortSignal } = {},
): Promise<WebhookResult> {
  const sleep = deps.sleep ?? sleepFor;
  const request = prepare(call, payload);
  if (typeof request === 'string') return { result: 'error', attempts: 0, message: request };
  const hide = (text: string): string => redact(oneLine(text), request.secrets);
  const allowed = Number.isInteger(call.retries) && call.retries > 0 ? call.retries + 1 : 1;
  for (let attempt = 1; ; attempt++) {
    deps.signal?.throwIfAborted();
    const outcome = await once(request.url, request.headers, request.body, call.timeoutMs, deps.signal);
    if (outcome.kind === 'done') {
      const quote = outcome.text === '' ? '' : `: ${hide(outcome.text).slice(0, QUOTE_LIMIT)}`;
      const tried = attempt > 1 ? ` (${attempt} attempts)` : '';
      const head = `HTTP ${outcome.status}${tried}`;
      const message = outcome.result === 'pass' ? head : `${head}${redirect(outcome.status)}${quote}`;
      return { result: outcome.result, status: outcome.status, attempts: attempt, message };
    }
    if (attempt >= allowed) {
      const result: WebhookResult = { result: 'error', attempts: attempt, message: hide(`${outcome.what} ${tries(outcome, attempt)}`) };
      if (outcome.status !== undefined) result.status = outcome.status;
      return result;
    }
    const backoff = Math.min(MAX_DELAY_MS, Math.max(0, call.backoffMs) * 2 ** (attempt - 1));
    await sleep(outcome.retryAfterMs ?? backoff, deps.signal);
  }
}

/** The request to send, or why there is none. */
function prepare(call: WebhookCall, payload: WebhookPayload): { url: URL; headers: Headers; body: string; secrets: string[] } | string {
  if (!(call.timeoutMs > 0 && Number.isFinite(call.timeoutMs))) {
    return `the timeout must be a positive number of milliseconds, not ${call.timeoutMs}`;
  }
  let url: URL;
  try {
    url = new URL(call.url);
  } catch {
    return 'the webhook URL is not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `the webhook URL must be http or https, not ${url.protocol.replace(/:$/, '')}`;
  }
  const secrets = [call.url, url.search.slice(1), url.username, url.password, decode(url.username), decode(url.password)];
  for (const value of url.searchParams.values()) secrets.push(value, encodeURIComponent(value));
  const headers = new Headers();
  for (const [name, value] of Object.entries(call.headers)) {
    secrets.push(value);
    try {
      headers.set(name, value);
    } catch {
      // The error of Headers quotes the value; a name that is no HTTP token may be a pasted secret too.
      const token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name);
      return token ? `header ${name} has a value that is not valid in HTTP` : 'a header name is not valid in HTTP';
    }
  }
  if (url.username !== '' || url.password !== '') {
    const basic = `Basic ${Buffer.from(`${decode(url.username)}:${decode(url.password)}`).toString('base64')}`;
    secrets.push(basic, basic.slice(6));
    if (!headers.has('authorization')) headers.set('authorization', basic);
    url.username = '';
    url.password = '';
  }
  headers.set('content-type', 'application/json');
  const body = JSON.stringify(call.slack === true ? { text: slackText(payload), switchyard: payload } : payload);
  return { url, headers, body, secrets: secrets.filter((s) => s.length >= 3).sort((a, b) => b.length - a.length) };
}

/** One POST under its own timeout. Throws only when `outer` aborted. */
async function once(url: URL, headers: Headers, body: string, timeoutMs: number, outer: AbortSignal | undefined): Promise<Attempt> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = outer === undefined ? timeout : AbortSignal.any([outer, timeout]);
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers, body, signal, redirect: 'manual' });
  } catch (err) {
    if (outer?.aborted === true) throw outer.reason;
    if (timeout.aborted) return { kind: 'retry', what: `timed out after ${timeoutMs} ms` };
    return { kind: 'retry', what: `network error (${networkError(err)})` };
  }
  const text = await readBounded(res);
  if (outer?.aborted === true) throw outer.reason;
  const status = res.status;
  if (status >= 200 && status < 300) return { kind: 'done', result: 'pass', status, text };
  if (status === 408 || status === 429 || status >= 500) {
    const after = status === 429 || status === 503 ? retryAfterMs(res.headers.get('retry-after')) : undefined;
    const retry: Extract<Attempt, { kind: 'retry' }> = { kind: 'retry', status, what: `HTTP ${status}` };
    if (after !== undefined) retry.retryAfterMs = after;
    return retry;
  }
  return { kind: 'done', result: 'fail', status, text };
}

/** At most {@link BODY_LIMIT} bytes of the body as text; what arrived before an error or the timeout. */
async function readBounded(res: Response): Promise<string> {
  if (res.body === null) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < BODY_LIMIT) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short still tells what the hook said.
  } finally {
    reader.cancel().catch(() => undefined);
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, BODY_LIMIT));
}

/** `Retry-After` in whole seconds, capped at {@link MAX_DELAY_MS}; an HTTP date is not read (back-off applies). */
function retryAfterMs(value: string | null): number | undefined {
  if (value === null || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Math.min(MAX_DELAY_MS, Number(value.trim()) * 1000);
}

/** What fetch says went wrong below HTTP: `connect ECONNREFUSED 127.0.0.1:8080`, `other side closed`. */
function networkError(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause ?? err;
  const c = cause as { message?: unknown; code?: unknown; errors?: { message?: unknown }[] };
  const text = [c.message, c.errors?.[0]?.message, c.code, (err as Error).message].find((t) => typeof t === 'string' && t !== '');
  return typeof text === 'string' ? text : 'unknown error';
}

function tries(outcome: Extract<Attempt, { kind: 'retry' }>, attempts: number): string {
  const n = `${attempts} attempt${attempts === 1 ? '' : 's'}`;
  return outcome.status === undefined ? `(${n})` : `after ${n}`;
}

function redirect(status: number): string {
  return status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
}

/** One line, in Slack's markup (`&`, `<`, `>` escaped), for a human in a channel. */
function slackText(p: WebhookPayload): string {
  const release = p.release === undefined ? '' : ` (release ${p.release})`;
  const step = p.step === undefined ? '' : `, step ${p.step}`;
  const message = p.message === undefined ? '' : `: ${p.message}`;
  const where = `${p.app} in ${p.namespace}${release}, ${p.from} → ${p.to} at ${p.weight}%${step}`;
  const line = oneLine(`Switchyard ${p.hook}: ${where}, ${p.phase}${message}`);
  return line.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Replaces every occurrence of a secret (longest first) with `***`. */
function redact(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The default sleep: a timer that an abort cuts short with the signal's reason. */
function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
