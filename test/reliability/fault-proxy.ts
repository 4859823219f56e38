// A fault-injecting proxy of our own, on loopback, in front of the local API server.
// Clients speak plain HTTP to it (its kubeconfig has no credentials); it forwards to the
// API server over HTTPS as the cluster admin, unless a rule injects a fault: an error
// status (with Retry-After), a reset connection (before or after the server ran the
// request), a stall, or a watch cut after a while. Rules match by verb, path and the
// n-th matching request. It also counts the writes the server ran, and can call back
// after each one (the crash tests SIGKILL the command there).
import { writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import type { RequestOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { plainConnection } from '../../pkg/kube/kubeconfig.ts';

/** What a rule does to a request it matches. */
export type Fault =
  | { kind: 'status'; status: number; retryAfterSeconds?: number }
  /** Close the connection without forwarding: the server never sees the request. */
  | { kind: 'reset' }
  /** Forward, let the server run it, then close the connection instead of answering. */
  | { kind: 'reset-after' }
  /** Hold the request without answering for `ms`, then close the connection. */
  | { kind: 'stall'; ms: number }
  /** Forward a watch and cut it after `ms`. */
  | { kind: 'cut-watch'; ms: number };

/** Which requests a rule applies to. */
export interface FaultRule {
  /** `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, `read` (GET but not a watch), `write` (anything else) or `watch`. Default: any. */
  verb?: string;
  /** Matched against the path and query. Default: any. */
  path?: RegExp;
  /** The first matching request to hit, counted from 1. Default: 1. */
  nth?: number;
  /** How many matching requests from the `nth` on. Default: 1; Infinity for all. */
  times?: number;
  fault: Fault;
}

/** A running proxy. */
export interface FaultProxy {
  /** Kubeconfig that points at the proxy. */
  readonly kubeconfig: string;
  /** Faults injected so far, by kind (`status 429`, `reset`, …). */
  readonly injected: Map<string, number>;
  /** Writes the API server ran (answered below 300) through the proxy. */
  readonly writes: number;
  /** Every request seen: `METHOD path -> status|fault`. */
  readonly log: string[];
  /** Replaces the rules (counts of matches start again). */
  setRules(rules: FaultRule[]): void;
  /** Called after the API server answered write number `n`, before the answer is relayed. */
  onWrite: ((n: number, what: string) => void) | undefined;
  close(): Promise<void>;
}

const isWatch = (req: IncomingMessage): boolean => /[?&]watch=(true|1)/.test(req.url ?? '');

function verbMatches(verb: string | undefined, req: IncomingMessage): boolean {
  if (verb === undefined) return true;
  if (verb === 'watch') return req.method === 'GET' && isWatch(req);
  if (verb === 'read') return req.method === 'GET' && !isWatch(req);
  if (verb === 'write') return req.method !== 'GET';
  return req.method === verb;
}

/** Starts a proxy in front of the cluster of `upstreamKubeconfig`, writing its own kubeconfig into `dir`. */
export async function startFaultProxy(upstreamKubeconfig: string, dir: string, rules: FaultRule[] = []): Promise<FaultProxy> {
  const upstream = plainConnection({ kubeconfig: upstreamKubeconfig });
  if (upstream === undefined) throw new Error(`cannot read ${upstreamKubeconfig} as a plain kubeconfig`);
  let active = rules.map((rule) => ({ rule, seen: 0 }));
  const injected = new Map<string, number>();
  const log: string[] = [];
  let writes = 0;
  const sockets = new Set<import('node:net').Socket>();
  const agent = new Agent({ keepAlive: true });

  const pick = (req: IncomingMessage): Fault | undefined => {
    let hit: Fault | undefined;
    for (const entry of active) {
      if (!verbMatches(entry.rule.verb, req) || !(entry.rule.path?.test(req.url ?? '') ?? true)) continue;
      entry.seen++;
      const first = entry.rule.nth ?? 1;
      if (hit === undefined && entry.seen >= first && entry.seen < first + (entry.rule.times ?? 1)) hit = entry.rule.fault;
    }
    return hit;
  };
  const count = (name: string): void => void injected.set(name, (injected.get(name) ?? 0) + 1);

  const forward = (req: IncomingMessage, body: Buffer, onAnswer: (answer: IncomingMessage) => void, onError: () => void): void => {
    const url = new URL(req.url ?? '/', upstream.server);
    const headers = { ...req.headers, host: url.host };
    delete headers.authorization;
    const options: RequestOptions = { ...upstream.tls, agent, method: req.method, headers: { ...headers, ...(upstream.tls.headers as Record<string, string> | undefined) } };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const up = send(url, options, onAnswer);
    up.on('error', onError);
    up.end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const what = `${req.method} ${req.url}`;
    const fault = pick(req);
    if (fault?.kind === 'status') {
      count(`status ${fault.status}`);
      log.push(`${what} -> injected ${fault.status}`);
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = String(fault.retryAfterSeconds);
      const reason = fault.status === 409 ? 'Conflict' : fault.status === 429 ? 'TooManyRequests' : fault.status === 503 ? 'ServiceUnavailable' : 'InternalError';
      res.writeHead(fault.status, headers).end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: fault.status, reason, message: `injected by the fault proxy (${fault.status})` }));
      return;
    }
    if (fault?.kind === 'reset') {
      count('reset');
      log.push(`${what} -> injected reset`);
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'stall') {
      count('stall');
      log.push(`${what} -> injected stall`);
      setTimeout(() => req.socket.destroy(), fault.ms).unref();
      return;
    }
    forward(req, body, (answer) => {
      const status = answer.statusCode ?? 502;
      if (req.method !== 'GET' && status < 300) {
        writes++;
        onWriteHook?.(writes, what);
      }
      if (fault?.kind === 'reset-after') {
        count('reset-after');
        log.push(`${what} -> ${status}, then injected reset`);
        answer.resume();
        req.socket.destroy();
        return;
      }
      log.push(`${what} -> ${status}`);
      res.writeHead(status, answer.headers);
      answer.pipe(res);
      if (fault?.kind === 'cut-watch') {
        count('cut-watch');
        setTimeout(() => {
          answer.destroy();
          res.destroy();
        }, fault.ms).unref();
      }
    }, () => {
      log.push(`${what} -> upstream error`);
      res.destroy();
    });
  };

  let onWriteHook: FaultProxy['onWrite'];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  // One file per proxy: tests sharing `dir` run proxies side by side.
  const kubeconfig = join(dir, `fault-proxy-${port}.kubeconfig`);
  writeFileSync(kubeconfig, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'fault-proxy',
    clusters: [{ name: 'fault-proxy', cluster: { server: `http://127.0.0.1:${port}` } }],
    users: [{ name: 'fault-proxy', user: {} }],
    contexts: [{ name: 'fault-proxy', context: { cluster: 'fault-proxy', user: 'fault-proxy' } }],
  }));
  return {
    kubeconfig,
    injected,
    log,
    get writes() { return writes; },
    setRules(next) { active = next.map((rule) => ({ rule, seen: 0 })); },
    get onWrite() { return onWriteHook; },
    set onWrite(fn) { onWriteHook = fn; },
    close: () => new Promise<void>((resolve) => {
      agent.destroy();
      server.closeAllConnections();
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
