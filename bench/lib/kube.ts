import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';

/** Where the API server is and the TLS material of the kubeconfig's current context. */
export interface KubeTarget {
  server: URL;
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
  /** Paths of the same, for writing another kubeconfig. */
  files: { ca: string; cert: string; key: string };
}

interface KubeconfigFile {
  'current-context': string;
  contexts: { name: string; context: { cluster: string; user: string } }[];
  clusters: { name: string; cluster: { server: string; 'certificate-authority': string } }[];
  users: { name: string; user: { 'client-certificate': string; 'client-key': string } }[];
}

/**
 * Reads a kubeconfig that authenticates with a client certificate given as files, like the
 * local cluster's (.cluster/kubeconfig). Paths are relative to the kubeconfig's directory.
 */
export function loadTarget(kubeconfig: string): KubeTarget {
  const cfg = parse(readFileSync(kubeconfig, 'utf8')) as KubeconfigFile;
  const context = cfg.contexts.find((c) => c.name === cfg['current-context'])?.context;
  const cluster = cfg.clusters.find((c) => c.name === context?.cluster)?.cluster;
  const user = cfg.users.find((u) => u.name === context?.user)?.user;
  if (cluster === undefined || user === undefined) throw new Error(`${kubeconfig}: no cluster or user for context ${cfg['current-context']}`);
  const at = (p: string): string => resolve(dirname(kubeconfig), p);
  const files = { ca: at(cluster['certificate-authority']), cert: at(user['client-certificate']), key: at(user['client-key']) };
  return { server: new URL(cluster.server), ca: readFileSync(files.ca), cert: readFileSync(files.cert), key: readFileSync(files.key), files };
}

/** A watch event with the moment it arrived (performance.now() and Date.now()). */
export interface WatchEvent<T> {
  type: string;
  object: T;
  at: number;
  epoch: number;
}

/** A minimal API client for the benchmarks' own set-up, observation and clean-up. */
export class Api {
  readonly target: KubeTarget;
  readonly #agent: Agent;

  constructor(target: KubeTarget) {
    this.target = target;
    this.#agent = new Agent({ ca: target.ca, cert: target.cert, key: target.key, keepAlive: true, maxSockets: 64 });
  }

  #open(method: string, path: string, body: string | undefined, contentType: string, signal?: AbortSignal, timeoutMs = 30_000): Promise<IncomingMessage> {
    return new Promise((done, fail) => {
      const req = request(new URL(path, this.target.server), {
        method,
        agent: this.#agent,
        headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': contentType }) },
        signal,
        ...(timeoutMs > 0 ? { timeout: timeoutMs } : {}),
      }, done);
      req.on('error', fail);
      if (timeoutMs > 0) req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.end(body);
    });
  }

  /** One request; resolves with the status and the parsed body (undefined if not JSON). */
  async call<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: T }> {
    const res = await this.#open(method, path, body === undefined ? undefined : JSON.stringify(body), contentType);
    let text = '';
    for await (const chunk of res) text += String(chunk);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.statusCode ?? 0, body: parsed as T };
  }

  /** Like {@link call} but throws unless the status is 2xx (or listed in `allow`). */
  async must<T>(method: string, path: string, body?: unknown, contentType?: string, allow: number[] = []): Promise<T> {
    const r = await this.call<T>(method, path, body, contentType);
    if ((r.status < 200 || r.status >= 300) && !allow.includes(r.status)) {
      throw new Error(`${method} ${path}: HTTP ${r.status}: ${JSON.stringify(r.body).slice(0, 500)}`);
    }
    return r.body;
  }

  /**
   * Watches `path` (a collection URL; `watch=1` is added) and calls `onEvent` for every
   * event as it arrives, until `signal` aborts. Resolves once the watch is established.
   */
  async watch<T>(path: string, onEvent: (e: WatchEvent<T>) => void, signal: AbortSignal): Promise<void> {
    const url = `${path}${path.includes('?') ? '&' : '?'}watch=1&allowWatchBookmarks=false`;
    const res = await this.#open('GET', url, undefined, 'application/json', signal, 0);
    if (res.statusCode !== 200) throw new Error(`watch ${url}: HTTP ${res.statusCode}`);
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      const at = performance.now();
      const epoch = Date.now();
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.trim() === '') continue;
        const event = JSON.parse(line) as { type: string; object: T };
        onEvent({ type: event.type, object: event.object, at, epoch });
      }
    });
    res.on('error', () => {});
  }

  /** Runs `tasks` with at most `concurrency` in flight. */
  static async pool<T>(tasks: (() => Promise<T>)[], concurrency: number): Promise<T[]> {
    const results: T[] = new Array<T>(tasks.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
    return results;
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.#agent.destroy();
  }
}
