import { Agent, request } from 'node:https';
import type { RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import type { KubeObject } from '../render/types.ts';
import type { Connection } from './config.ts';
import { codeForStatus, KubeError } from './errors.ts';
import { knownResource, resourcePath, splitApiVersion } from './resources.ts';
import type { ResourceInfo } from './resources.ts';
import { FIELD_MANAGER } from './types.ts';
import type { Kube, ListOptions, ListResult, PatchType, WatchEvent } from './types.ts';

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
}

/** {@link Kube} over HTTPS to a real API server. */
export class HttpKube implements Kube {
  readonly namespace: string;
  /** Number of HTTP requests sent, for benchmarks and tests. */
  requests = 0;
  readonly #conn: Connection;
  readonly #agent: Agent;
  readonly #discovered = new Map<string, Promise<ResourceInfo>>();

  constructor(conn: Connection) {
    this.#conn = conn;
    this.namespace = conn.namespace;
    this.#agent = new Agent({ keepAlive: true, maxSockets: 16 });
  }

  /** Closes idle connections so the process can exit. */
  close(): void {
    this.#agent.destroy();
  }

  async get(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const info = await this.#resource(apiVersion, kind);
    try {
      return await this.#json<KubeObject>({ method: 'GET', path: resourcePath(info, namespace, name), what: `get ${kind} ${ref(namespace, name)}` });
    } catch (err) {
      if (err instanceof KubeError && err.code === 'not-found') return undefined;
      throw err;
    }
  }

  async list(apiVersion: string, kind: string, namespace: string | undefined, options: ListOptions = {}): Promise<ListResult> {
    const info = await this.#resource(apiVersion, kind);
    const out = await this.#json<{ items: KubeObject[]; metadata?: { resourceVersion?: string } }>({
      method: 'GET',
      path: resourcePath(info, namespace),
      query: { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector },
      what: `list ${kind} in ${namespace ?? 'all namespaces'}`,
    });
    for (const item of out.items) {
      item.apiVersion = apiVersion;
      item.kind = kind;
    }
    return { items: out.items, resourceVersion: out.metadata?.resourceVersion ?? '' };
  }

  async create(obj: KubeObject): Promise<KubeObject> {
    const info = await this.#resource(obj.apiVersion, obj.kind);
    return this.#json({ method: 'POST', path: resourcePath(info, obj.metadata.namespace ?? this.namespace), body: obj, what: `create ${describe(obj)}` });
  }

  async update(obj: KubeObject): Promise<KubeObject> {
    const info = await this.#resource(obj.apiVersion, obj.kind);
    return this.#json({ method: 'PUT', path: resourcePath(info, obj.metadata.namespace ?? this.namespace, obj.metadata.name), body: obj, what: `update ${describe(obj)}` });
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
    });
  }

  async patch(apiVersion: string, kind: string, namespace: string | undefined, name: string, type: PatchType, body: unknown, options: { fieldManager?: string } = {}): Promise<KubeObject> {
    const info = await this.#resource(apiVersion, kind);
    return this.#json({ method: 'PATCH', path: resourcePath(info, namespace, name), query: { fieldManager: options.fieldManager ?? FIELD_MANAGER }, body, contentType: CONTENT_TYPES[type], what: `patch ${kind} ${ref(namespace, name)}` });
  }

  async delete(apiVersion: string, kind: string, namespace: string | undefined, name: string, options: { propagation?: 'Foreground' | 'Background' | 'Orphan' } = {}): Promise<boolean> {
    const info = await this.#resource(apiVersion, kind);
    try {
      await this.#json({ method: 'DELETE', path: resourcePath(info, namespace, name), body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: options.propagation ?? 'Background' }, what: `delete ${kind} ${ref(namespace, name)}` });
      return true;
    } catch (err) {
      if (err instanceof KubeError && err.code === 'not-found') return false;
      throw err;
    }
  }

  async watch(apiVersion: string, kind: string, namespace: string | undefined, options: ListOptions & { resourceVersion?: string }, onEvent: (event: WatchEvent) => void, signal: AbortSignal): Promise<void> {
    const info = await this.#resource(apiVersion, kind);
    const res = await this.#send({
      method: 'GET',
      path: resourcePath(info, namespace),
      query: { watch: 'true', allowWatchBookmarks: 'true', labelSelector: options.labelSelector, fieldSelector: options.fieldSelector, resourceVersion: options.resourceVersion },
      what: `watch ${kind} in ${namespace ?? 'all namespaces'}`,
      timeoutMs: 0,
    }, signal);
    if ((res.statusCode ?? 500) >= 300) throw await failure(res, `watch ${kind}`);
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
      list = await this.#json({ method: 'GET', path, what: `discover ${apiVersion}` });
    } catch (err) {
      if (err instanceof KubeError && err.code === 'not-found') throw new KubeError('not-found', `the cluster does not serve ${apiVersion} (is its CRD installed?)`, { cause: err });
      throw err;
    }
    const resource = list.resources.find((r) => r.kind === kind && !r.name.includes('/'));
    if (resource === undefined) throw new KubeError('not-found', `the cluster does not serve kind ${kind} in ${apiVersion}`);
    return { group, version, plural: resource.name, namespaced: resource.namespaced };
  }

  async #json<T>(call: Call): Promise<T> {
    const res = await this.#send(call);
    const text = await readBody(res);
    if ((res.statusCode ?? 500) >= 300) throw statusError(res.statusCode ?? 500, text, call.what);
    return JSON.parse(text) as T;
  }

  async #send(call: Call, signal?: AbortSignal): Promise<IncomingMessage> {
    this.requests++;
    const url = new URL(call.path, this.#conn.server);
    for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, v);
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    const timeoutMs = call.timeoutMs ?? this.#conn.requestTimeoutMs;
    const tls = this.#conn.tls;
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'switchyard', ...(tls.headers as Record<string, string> | undefined) };
    if (body !== undefined) {
      headers['Content-Type'] = call.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const options: RequestOptions = { ...tls, method: call.method, headers, agent: url.protocol === 'https:' ? this.#agent : undefined };
    if (signal !== undefined) options.signal = signal;
    const send = url.protocol === 'https:' ? request : httpRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, options, resolve);
      if (timeoutMs > 0) {
        req.setTimeout(timeoutMs, () => req.destroy(new KubeError('timeout', `${call.what}: no answer from ${this.#conn.server.host} within ${timeoutMs} ms`)));
      }
      req.on('error', (err) => {
        if (err instanceof KubeError) reject(err);
        else if (signal?.aborted === true) reject(new KubeError('timeout', `${call.what}: aborted`, { cause: err }));
        else reject(new KubeError('unreachable', `${call.what}: cannot reach ${this.#conn.server.host} (context "${this.#conn.context}"): ${(err as NodeJS.ErrnoException).code ?? err.message}`, { cause: err }));
      });
      req.end(body);
    });
  }
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

async function failure(res: IncomingMessage, what: string): Promise<KubeError> {
  return statusError(res.statusCode ?? 500, await readBody(res), what);
}

function statusError(status: number, text: string, what: string): KubeError {
  let message = text.trim().split('\n')[0] ?? '';
  let reason: string | undefined;
  try {
    const parsed = JSON.parse(text) as { message?: string; reason?: string };
    message = parsed.message ?? message;
    reason = parsed.reason;
  } catch {
    // not a Status object; keep the first line of the body
  }
  return new KubeError(codeForStatus(status, reason), `${what}: ${message || `HTTP ${status}`}`, { status });
}

function ref(namespace: string | undefined, name: string): string {
  return namespace === undefined ? name : `${namespace}/${name}`;
}

function describe(obj: KubeObject): string {
  return `${obj.kind} ${ref(obj.metadata.namespace, obj.metadata.name)}`;
}
