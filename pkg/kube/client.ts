import type { RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Agent } from 'node:https';
import type { SecureContext } from 'node:tls';
import type { KubeObject } from '../render/types.ts';
import type { Connection } from './config.ts';
import { codeForStatus, KubeError } from './errors.ts';
import { H2Connection, NoHttp2 } from './h2.ts';
import type { H2Answer } from './h2.ts';
import { knownResource, resourcePath, splitApiVersion } from './resources.ts';
import type { ResourceInfo } from './resources.ts';
import { DEFAULT_RETRY, retryable, retryDelay } from './retry.ts';
import type { RetryPolicy } from './retry.ts';
import { FIELD_MANAGER } from './types.ts';
import type { Kube, ListOptions, ListResult, PatchType, WatchEvent } from './types.ts';

// Taken as CommonJS modules when first used: an ES import of node:http builds its module
// namespace, which reads the lazy `WebSocket`/`MessageEvent` getters and so loads undici
// (about 30 ms of every command's start-up, for a client that never uses it).
const https = (): typeof import('node:https') => process.getBuiltinModule('node:https');
const http = (): typeof import('node:http') => process.getBuiltinModule('node:http');
const tlsModule = (): typeof import('node:tls') => process.getBuiltinModule('node:tls');

const CONTENT_TYPES: Record<PatchType | 'apply', string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

interface Call {
  method: string;
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
  /** For messages: `get Deployment demo/web`. */
  what: string;
  timeoutMs?: number;
  /** Whether repeating the call cannot do harm (see {@link RetryPolicy}). */
  safe: boolean;
}

/** Options of {@link HttpKube}; tests shorten the waits. */
export interface HttpKubeOptions {
  /** Default: {@link DEFAULT_RETRY}. */
  retry?: Partial<RetryPolicy>;
  /** Credentials older than this are refreshed before a request (exec plugins and OIDC tokens expire). Default: 60 s. */
  credentialsMaxAgeMs?: number;
  /** Default: the real clock, timers and Math.random. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

const CREDENTIALS_MAX_AGE_MS = 60_000;

/** An answer's status, headers and body: over HTTP/1.1 or HTTP/2. */
type Answer = IncomingMessage | H2Answer;

/** {@link Kube} over HTTPS to a real API server (HTTP/2 when it speaks it, as it does). */
export class HttpKube implements Kube {
  readonly namespace: string;
  /** Number of HTTP requests sent, for benchmarks and tests. */
  requests = 0;
  /** Number of those that were retries of a failed attempt. */
  retries = 0;
  readonly #conn: Connection;
  readonly #agent: Agent;
  readonly #discovered = new Map<string, Promise<ResourceInfo>>();
  readonly #retry: RetryPolicy;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #random: () => number;
  #tls: RequestOptions;
  #tlsAt: number;
  /** The TLS context built from the credentials in use (PEM parsed once, not once per connection). */
  #secure: { from: RequestOptions; context: SecureContext } | undefined;
  /** The HTTP/2 session for that context; `false` once the server turned HTTP/2 down. */
  #h2: { context: SecureContext; conn: H2Connection } | false | undefined;
  #refreshing: Promise<RequestOptions> | undefined;

  constructor(conn: Connection, options: HttpKubeOptions = {}) {
    this.#conn = conn;
    this.namespace = conn.namespace;
    this.#agent = new (https().Agent)({ keepAlive: true, maxSockets: 16 });
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#maxAgeMs = options.credentialsMaxAgeMs ?? CREDENTIALS_MAX_AGE_MS;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? sleep;
    this.#random = options.random ?? Math.random;
    this.#tls = conn.tls;
    this.#tlsAt = this.#now();
  }

  /** Closes the connections once their requests are done; `now` ends them at once (their requests fail). */
  close(now = false): void {
    this.#agent.destroy();
    if (!this.#h2) return;
    if (now) this.#h2.conn.destroy();
    else this.#h2.conn.close();
  }

  async get(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const info = await this.#resource(apiVersion, kind);
    try {
      return await this.#json<KubeObject>({ method: 'GET', path: resourcePath(info, namespace, name), what: `get ${kind} ${ref(namespace, name)}`, safe: true });
    } catch (err) {
      if (err instanceof KubeError && err.code === 'not-found') return undefined;
      throw err;
    }
  }

  async getRaw(path: string, query: Record<string, string>, options: { timeoutMs?: number; what?: string } = {}): Promise<string> {
    const call: Call = { method: 'GET', path, query, what: options.what ?? `GET ${path}`, safe: true };
    if (options.timeoutMs !== undefined) call.timeoutMs = options.timeoutMs;
    return this.#attempts(call, async () => readBody(await this.#open(call), call.what));
  }

  async list(apiVersion: string, kind: string, namespace: string | undefined, options: ListOptions = {}): Promise<ListResult> {
    const info = await this.#resource(apiVersion, kind);
    const out = await this.#json<{ items: KubeObject[]; metadata?: { resourceVersion?: string } }>({
      method: 'GET',
      path: resourcePath(info, namespace),
      query: { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector },
      what: `list ${kind} in ${namespace ?? 'all namespaces'}`,
      safe: true,
    });
    for (const item of out.items) {
      item.apiVersion = apiVersion;
      item.kind = kind;
    }
    return { items: out.items, resourceVersion: out.metadata?.resourceVersion ?? '' };
  }

  async create(obj: KubeObject): Promise<KubeObject> {
    const info = await this.#resource(obj.apiVersion, obj.kind);
    return this.#json({ method: 'POST', path: resourcePath(info, obj.metadata.namespace ?? this.namespace), body: obj, what: `create ${describe(obj)}`, safe: false });
  }

  async update(obj: KubeObject): Promise<KubeObject> {
    const info = await this.#resource(obj.apiVersion, obj.kind);
    return this.#json({ method: 'PUT', path: resourcePath(info, obj.metadata.namespace ?? this.namespace, obj.metadata.name), body: obj, what: `update ${describe(obj)}`, safe: obj.metadata.resourceVersion !== undefined && obj.metadata.resourceVersion !== '' });
  }

  async apply(obj: KubeObject, options: { force?: boolean; fieldManager?: string } = {}): Promise<KubeObject> {
    const info = await this.#resource(obj.apiVersion, obj.kind);
    const namespace = info.namespaced ? (obj.metadata.namespace ?? this.namespace) : undefined;
    const body = info.namespaced ? { ...obj, metadata: { ...obj.metadata, namespace } } : obj;
    return this.#json({
      method: 'PATCH',
      path: resourcePath(info, namespace, obj.metadata.name),
      query: { fieldManager: options.fieldManager ?? FIELD_MANAGER, force: options.force === false ? undefined : 'true' },
      body,
      contentType: CONTENT_TYPES.apply,
      what: `apply ${describe(obj)}`,
      safe: true,
    });
  }

  async patch(apiVersion: string, kind: string, namespace: string | undefined, name: string, type: PatchType, body: unknown, options: { fieldManager?: string } = {}): Promise<KubeObject> {
    const info = await this.#resource(apiVersion, kind);
    return this.#json({ method: 'PATCH', path: resourcePath(info, namespace, name), query: { fieldManager: options.fieldManager ?? FIELD_MANAGER }, body, contentType: CONTENT_TYPES[type], what: `patch ${kind} ${ref(namespace, name)}`, safe: type === 'merge' });
  }

  async delete(apiVersion: string, kind: string, namespace: string | undefined, name: string, options: { propagation?: 'Foreground' | 'Background' | 'Orphan' } = {}): Promise<boolean> {
    const info = await this.#resource(apiVersion, kind);
    try {
      await this.#json({ method: 'DELETE', path: resourcePath(info, namespace, name), body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: options.propagation ?? 'Background' }, what: `delete ${kind} ${ref(namespace, name)}`, safe: true });
      return true;
    } catch (err) {
      if (err instanceof KubeError && err.code === 'not-found') return false;
      throw err;
    }
  }

  async watch(apiVersion: string, kind: string, namespace: string | undefined, options: ListOptions & { resourceVersion?: string }, onEvent: (event: WatchEvent) => void, signal: AbortSignal): Promise<void> {
    const info = await this.#resource(apiVersion, kind);
    const call: Call = {
      method: 'GET',
      path: resourcePath(info, namespace),
      query: { watch: 'true', allowWatchBookmarks: 'true', labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, resourceVersion: options.resourceVersion },
      what: `watch ${kind} in ${namespace ?? 'all namespaces'}`,
      timeoutMs: 0,
      safe: true,
    };
    let res: Answer;
    try {
      res = await this.#attempts(call, () => this.#open(call, signal), signal);
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    let buffer = '';
    await new Promise<void>((resolve, reject) => {
      const stop = (): void => {
        res.destroy();
        resolve();
      };
      signal.addEventListener('abort', stop, { once: true });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.trim() === '') continue;
          const event = JSON.parse(line) as { type: string; object: KubeObject };
          if (event.type === 'ERROR') {
            res.destroy();
            reject(new KubeError('server', `watch ${kind}: ${(event.object as unknown as { message?: string }).message ?? 'error'}`));
            return;
          }
          event.object.apiVersion ??= apiVersion;
          event.object.kind ??= kind;
          onEvent(event as WatchEvent);
        }
      });
      res.on('end', () => {
        signal.removeEventListener('abort', stop);
        resolve();
      });
      res.on('error', (err: Error) => (signal.aborted ? resolve() : reject(new KubeError('unreachable', `watch ${kind}: ${err.message}`, { cause: err }))));
    });
  }

  async #resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const known = knownResource(apiVersion, kind);
    if (known !== undefined) return known;
    const key = `${apiVersion}/${kind}`;
    let found = this.#discovered.get(key);
    if (found === undefined) {
      found = this.#discover(apiVersion, kind);
      this.#discovered.set(key, found);
      found.catch(() => this.#discovered.delete(key));
    }
    return found;
  }

  async #discover(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const [group, version] = splitApiVersion(apiVersion);
    const path = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
    let list: { resources: { name: string; kind: string; namespaced: boolean }[] };
    try {
      list = await this.#json({ method: 'GET', path, what: `discover ${apiVersion}`, safe: true });
    } catch (err) {
      if (err instanceof KubeError && err.code === 'not-found') throw new KubeError('not-found', `the cluster does not serve ${apiVersion} (is its CRD installed?)`, { cause: err });
      throw err;
    }
    const resource = list.resources.find((r) => r.kind === kind && !r.name.includes('/'));
    if (resource === undefined) throw new KubeError('not-found', `the cluster does not serve kind ${kind} in ${apiVersion}`);
    return { group, version, plural: resource.name, namespaced: resource.namespaced };
  }

  async #json<T>(call: Call): Promise<T> {
    return this.#attempts(call, async () => {
      const res = await this.#open(call);
      const text = await readBody(res, call.what);
      try {
        return JSON.parse(text) as T;
      } catch (err) {
        throw new KubeError('unreachable', `${call.what}: the answer was cut off (${text.length} bytes of JSON)`, { cause: err });
      }
    });
  }

  /**
   * Runs `once` until it succeeds, a failure is not {@link retryable}, or the attempts run
   * out (the error then says how many were made). A 401 first refreshes the credentials
   * and tries again, once.
   */
  async #attempts<T>(call: Call, once: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      try {
        return await once();
      } catch (err) {
        if (!(err instanceof KubeError) || signal?.aborted === true) throw err;
        if (err.code === 'unauthorized' && !refreshed) {
          refreshed = true;
          await this.#credentials(true);
          attempt--;
          continue;
        }
        if (!retryable(err, call.safe)) throw err;
        if (attempt >= this.#retry.attempts) {
          throw new KubeError(err.code, `${err.message} (gave up after ${attempt} attempts)`, { cause: err, ...(err.status === undefined ? {} : { status: err.status }) });
        }
        this.retries++;
        await this.#sleep(retryDelay(attempt, err.retryAfter, this.#retry, this.#now(), this.#random), signal);
      }
    }
  }

  /** Sends one request and resolves with a successful response; an error status becomes a {@link KubeError}. */
  async #open(call: Call, signal?: AbortSignal): Promise<Answer> {
    const res = await this.#send(call, signal);
    const status = res.statusCode ?? 500;
    if (status < 300) return res;
    const header = res.headers['retry-after'];
    throw statusError(status, await readBody(res, call.what), call.what, Array.isArray(header) ? header[0] : header);
  }

  /** The credentials to send, refreshed when older than the maximum age or when `force`d (after a 401). */
  async #credentials(force: boolean): Promise<RequestOptions> {
    if (!force && this.#now() - this.#tlsAt < this.#maxAgeMs) return this.#tls;
    this.#refreshing ??= this.#conn.refresh().then(
      (tls) => {
        this.#tls = tls;
        this.#tlsAt = this.#now();
        return tls;
      },
    ).finally(() => (this.#refreshing = undefined));
    return this.#refreshing;
  }

  /** One TLS context per set of credentials: each new connection otherwise parses the CA, certificate and key again (about 3 ms each). */
  #secureContext(tls: RequestOptions): SecureContext {
    if (this.#secure?.from !== tls) this.#secure = { from: tls, context: tlsModule().createSecureContext(tls) };
    return this.#secure.context;
  }

  /** The HTTP/2 session for these credentials, or undefined when the server speaks only HTTP/1.1. */
  #http2(tls: RequestOptions): H2Connection | undefined {
    if (this.#h2 === false) return undefined;
    const context = this.#secureContext(tls);
    if (this.#h2?.context !== context) {
      this.#h2?.conn.close();
      const { rejectUnauthorized, servername, checkServerIdentity } = tls as RequestOptions & { checkServerIdentity?: unknown };
      this.#h2 = {
        context,
        conn: new H2Connection(this.#conn.server.origin, {
          secureContext: context,
          ...(rejectUnauthorized === undefined ? {} : { rejectUnauthorized }),
          ...(servername === undefined ? {} : { servername }),
          ...(checkServerIdentity === undefined ? {} : { checkServerIdentity: checkServerIdentity as never }),
        }),
      };
    }
    return this.#h2.conn;
  }

  async #send(call: Call, signal?: AbortSignal): Promise<Answer> {
    const tls = await this.#credentials(false);
    this.requests++;
    const url = new URL(call.path, this.#conn.server);
    for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, v);
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    const timeoutMs = call.timeoutMs ?? this.#conn.requestTimeoutMs;
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'switchyard', ...(tls.headers as Record<string, string> | undefined) };
    if (body !== undefined) {
      headers['Content-Type'] = call.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const timeout = (): KubeError => new KubeError('timeout', `${call.what}: no answer from ${this.#conn.server.host} within ${timeoutMs} ms`);
    const failed = (err: Error): KubeError => {
      if (err instanceof KubeError) return err;
      if (signal?.aborted === true) return new KubeError('timeout', `${call.what}: aborted`, { cause: err });
      const why = (err as NodeJS.ErrnoException).code ?? err.message;
      return new KubeError('unreachable', `${call.what}: cannot reach ${this.#conn.server.host} (context "${this.#conn.context}"): ${why}`, { cause: err });
    };
    // With a proxy-url, client-node's agent speaks to the proxy (HTTP/1.1).
    const viaProxy = this.#conn.proxyUrl !== undefined && tls.agent !== undefined;
    const h2 = !viaProxy && url.protocol === 'https:' ? this.#http2(tls) : undefined;
    if (h2 !== undefined) {
      try {
        return await h2.request({
          method: call.method,
          path: url.pathname + url.search,
          headers,
          ...(body === undefined ? {} : { body }),
          timeoutMs,
          timeout,
          ...(signal === undefined ? {} : { signal }),
        });
      } catch (err) {
        if (!(err instanceof NoHttp2)) throw failed(err as Error);
        this.#h2 = false;
      }
    }
    // HTTP/1.1: through the proxy, to a plain-HTTP server, or to one that does not speak HTTP/2.
    const agent = viaProxy ? tls.agent : url.protocol === 'https:' ? this.#agent : undefined;
    const options: RequestOptions = { ...tls, method: call.method, headers, agent };
    // (node:https passes secureContext on to tls.connect; its RequestOptions type does not list it.)
    if (!viaProxy && url.protocol === 'https:') (options as RequestOptions & { secureContext: SecureContext }).secureContext = this.#secureContext(tls);
    if (signal !== undefined) options.signal = signal;
    const send = url.protocol === 'https:' ? https().request : http().request;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, options, resolve);
      if (timeoutMs > 0) req.setTimeout(timeoutMs, () => req.destroy(timeout()));
      req.on('error', (err) => reject(failed(err)));
      req.end(body);
    });
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The whole body; a connection lost half-way is an `unreachable` {@link KubeError}. */
function readBody(res: Answer, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', (err: NodeJS.ErrnoException) => reject(err instanceof KubeError ? err : new KubeError('unreachable', `${what}: the connection was lost while reading the answer: ${err.code ?? err.message}`, { cause: err })));
    res.on('aborted', () => reject(new KubeError('unreachable', `${what}: the connection was lost while reading the answer`)));
  });
}

function statusError(status: number, text: string, what: string, retryAfter?: string): KubeError {
  let message = text.trim().split('\n')[0] ?? '';
  let reason: string | undefined;
  try {
    const parsed = JSON.parse(text) as { message?: string; reason?: string };
    message = parsed.message ?? message;
    reason = parsed.reason;
  } catch {
    // not a Status object; keep the first line of the body
  }
  return new KubeError(codeForStatus(status, reason), `${what}: ${message || `HTTP ${status}`}`, { status, ...(retryAfter === undefined ? {} : { retryAfter }) });
}

function ref(namespace: string | undefined, name: string): string {
  return namespace === undefined ? name : `${namespace}/${name}`;
}

function describe(obj: KubeObject): string {
  return `${obj.kind} ${ref(obj.metadata.namespace, obj.metadata.name)}`;
}
