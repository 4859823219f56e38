import { writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { KubeTarget } from './kube.ts';

/** A TLS-terminating proxy in front of the API server that records every HTTP request. */
export interface CountingProxy {
  /** A kubeconfig that sends clients through the proxy. */
  kubeconfig: string;
  /** `METHOD path?query` of every request since the last {@link CountingProxy.reset}. */
  readonly requests: string[];
  reset(): void;
  close(): Promise<void>;
}

/**
 * Starts the proxy on 127.0.0.1. It serves TLS with the cluster's own certificate (the local
 * cluster's admin certificate is also the API server's serving certificate, valid for
 * 127.0.0.1 and signed by the CA the kubeconfig trusts), so a client accepts it unchanged,
 * and it forwards each request to the API server authenticated with the same client
 * certificate the kubeconfig uses. Counting HTTP requests, not TLS records or connections,
 * is what tells whether a command's API calls grow with the number of apps.
 */
export async function startCountingProxy(target: KubeTarget, dir: string): Promise<CountingProxy> {
  const upstream = new Agent({ ca: target.ca, cert: target.cert, key: target.key, keepAlive: true });
  const requests: string[] = [];
  const server = createServer({ cert: target.cert, key: target.key }, (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const headers = { ...req.headers, host: target.server.host };
    const out = request(new URL(req.url ?? '/', target.server), { method: req.method, headers, agent: upstream }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => res.destroy());
    res.on('close', () => {
      if (!res.writableFinished) out.destroy();
    });
    req.pipe(out);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  const kubeconfig = join(dir, 'kubeconfig-counting-proxy');
  writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
clusters:
- name: proxy
  cluster: {server: "https://127.0.0.1:${port}", certificate-authority: "${target.files.ca}"}
users:
- name: admin
  user: {client-certificate: "${target.files.cert}", client-key: "${target.files.key}"}
contexts:
- name: proxy
  context: {cluster: proxy, user: admin}
current-context: proxy
`);
  return {
    kubeconfig,
    requests,
    reset: () => void requests.splice(0),
    close: () => {
      upstream.destroy();
      server.closeAllConnections();
      return new Promise((done) => server.close(() => done()));
    },
  };
}

/** The six reads of pkg/rollout/world.ts readWorld, issued together (they may arrive in any order). */
const READ_WORLD = ['GET deployments', 'GET deployments/web', 'GET services', 'GET httproutes', 'GET ingresses', 'GET horizontalpodautoscalers'];

/**
 * Short forms of recorded requests for a report: `GET configmaps/switchyard.web` (API group,
 * version, namespace and query left out), with each run of readWorld's six reads, in any
 * order, shown as `readWorld(6)`.
 */
export function shortRequests(requests: readonly string[]): string[] {
  const short = requests.map((r) => r.replace(/\?.*/, '').replace(/\/namespaces\/[^/]+/, '').replace(/^(\w+) \/apis?\/(?:[^/]+\/)?v\d\w*\//, '$1 '));
  const out: string[] = [];
  for (let i = 0; i < short.length; i++) {
    const window = new Set(short.slice(i, i + READ_WORLD.length));
    if (window.size === READ_WORLD.length && READ_WORLD.every((r) => window.has(r))) {
      out.push('readWorld(6)');
      i += READ_WORLD.length - 1;
    } else out.push(short[i]!);
  }
  return out;
}
