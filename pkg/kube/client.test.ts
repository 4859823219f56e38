import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { connect as netConnect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpKube } from './client.ts';
import type { HttpKubeOptions } from './client.ts';
import { connect } from './config.ts';
import type { Connection } from './config.ts';
import { isKubeError } from './errors.ts';

// The HTTP client against a small API server of our own on loopback: retries, back-off,
// Retry-After, credential refresh and proxy-url.

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

async function listen(t: TestContext, handler: Handler): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    handler(req, res, seen.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const CM = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'demo' } };

function reply(res: ServerResponse, status: number, body: unknown = CM, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(status < 300 ? body : { kind: 'Status', message: `status ${status}`, reason: status === 409 ? 'Conflict' : 'x' }));
}

function connection(url: string, token = 'one', refresh: () => Promise<{ headers: Record<string, string> }> = async () => ({ headers: { Authorization: `Bearer ${token}` } })): Connection {
  return { server: new URL(url), tls: { headers: { Authorization: `Bearer ${token}` } }, namespace: 'demo', context: 'test', requestTimeoutMs: 2_000, refresh };
}

function client(conn: Connection, extra: HttpKubeOptions = {}): { kube: HttpKube; waits: number[] } {
  const waits: number[] = [];
  const kube = new HttpKube(conn, { sleep: async (ms) => void waits.push(ms), random: () => 1, ...extra });
  return { kube, waits };
}

test('a read answered 503, 500 and then 200 is retried with doubling back-off and succeeds', async (t) => {
  const api = await listen(t, (_req, res, n) => reply(res, n === 1 ? 503 : n === 2 ? 500 : 200));
  const { kube, waits } = client(connection(api.url));
  assert.equal((await kube.get('v1', 'ConfigMap', 'demo', 'x'))?.metadata.name, 'x');
  assert.equal(api.seen.length, 3);
  assert.equal(kube.retries, 2);
  assert.deepEqual(waits, [250, 500]);
});

test('Retry-After is honoured, in seconds, and capped', async (t) => {
  const api = await listen(t, (_req, res, n) => reply(res, n === 1 ? 429 : n === 2 ? 503 : 200, { items: [] }, n === 1 ? { 'Retry-After': '3' } : n === 2 ? { 'Retry-After': '600' } : {}));
  const { kube, waits } = client(connection(api.url));
  await kube.list('v1', 'ConfigMap', 'demo');
  assert.deepEqual(waits, [3_000, 60_000]);
});

test('attempts are bounded and the bound is in the error', async (t) => {
  const api = await listen(t, (_req, res) => reply(res, 503));
  const { kube } = client(connection(api.url), { retry: { attempts: 4 } });
  await assert.rejects(kube.get('v1', 'ConfigMap', 'demo', 'x'), (err: unknown) => isKubeError(err, 'server') && /get ConfigMap demo\/x: status 503 \(gave up after 4 attempts\)/.test(err.message));
  assert.equal(api.seen.length, 4);
});

test('writes are retried only when repeating them is safe; 429 is retried for every verb', async (t) => {
  const cases: { name: string; call: (k: HttpKube) => Promise<unknown>; status: number; sent: number }[] = [
    { name: 'create on 503', call: (k) => k.create(CM), status: 503, sent: 1 },
    { name: 'create on 429', call: (k) => k.create(CM), status: 429, sent: 2 },
    { name: 'update without resourceVersion on 500', call: (k) => k.update(CM), status: 500, sent: 1 },
    { name: 'update with resourceVersion on 500', call: (k) => k.update({ ...CM, metadata: { ...CM.metadata, resourceVersion: '7' } }), status: 500, sent: 2 },
    { name: 'server-side apply on 503', call: (k) => k.apply(CM), status: 503, sent: 2 },
    { name: 'JSON patch on 503', call: (k) => k.patch('v1', 'ConfigMap', 'demo', 'x', 'json', []), status: 503, sent: 1 },
    { name: 'merge patch on 503', call: (k) => k.patch('v1', 'ConfigMap', 'demo', 'x', 'merge', {}), status: 503, sent: 2 },
    { name: 'conflict on a guarded update', call: (k) => k.update({ ...CM, metadata: { ...CM.metadata, resourceVersion: '7' } }), status: 409, sent: 1 },
  ];
  for (const c of cases) {
    const api = await listen(t, (_req, res, n) => reply(res, n === 1 ? c.status : 200));
    const { kube } = client(connection(api.url));
    await c.call(kube).catch(() => undefined);
    assert.equal(api.seen.length, c.sent, c.name);
  }
});

test('a reset connection and a stalled answer are retried for reads', async (t) => {
  const api = await listen(t, (req, res, n) => {
    if (n === 1) req.socket.destroy();
    else if (n === 2) return; // stall: never answer
    else reply(res, 200);
  });
  const { kube } = client({ ...connection(api.url), requestTimeoutMs: 200 });
  assert.equal((await kube.get('v1', 'ConfigMap', 'demo', 'x'))?.metadata.name, 'x');
  assert.equal(api.seen.length, 3);
});

test('a 401 refreshes the credentials and tries again; old credentials are refreshed before use', async (t) => {
  let current = 'one';
  const api = await listen(t, (req, res) => reply(res, req.headers.authorization === `Bearer ${current}` ? 200 : 401));
  let refreshes = 0;
  const conn = connection(api.url, 'one', async () => {
    refreshes++;
    return { headers: { Authorization: `Bearer ${current}` } };
  });
  let clock = 0;
  const { kube } = client(conn, { now: () => clock });
  await kube.get('v1', 'ConfigMap', 'demo', 'x');
  current = 'two'; // the exec plugin's token expired and a new one is issued
  await kube.create(CM);
  assert.equal(refreshes, 1, 'the 401 refreshed the token once');
  current = 'three';
  clock += 61_000;
  await kube.get('v1', 'ConfigMap', 'demo', 'x');
  assert.equal(refreshes, 2, 'a token older than a minute is refreshed before the request');
  assert.deepEqual(api.seen.map((r) => r.split(' ')[0]), ['GET', 'POST', 'POST', 'GET'], 'the create refused with 401 was sent again');
});

test('a kubeconfig proxy-url is used', async (t) => {
  const api = await listen(t, (_req, res) => reply(res, 200));
  // An HTTP CONNECT proxy on loopback that records which tunnels it opened.
  const proxied: string[] = [];
  const proxyServer = createServer((_req, res) => res.writeHead(405).end());
  proxyServer.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    proxied.push(`${req.method} ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = netConnect(Number(port), host!, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxyServer.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    proxyServer.closeAllConnections();
    proxyServer.close();
  });
  const proxy = { url: `http://127.0.0.1:${(proxyServer.address() as AddressInfo).port}` };
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-proxy-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'config');
  writeFileSync(path, JSON.stringify({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'p',
    clusters: [{ name: 'c', cluster: { server: api.url, 'proxy-url': proxy.url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'u', user: { token: 'proxy-test' } }],
    contexts: [{ name: 'p', context: { cluster: 'c', user: 'u', namespace: 'demo' } }],
  }));
  const kube = new HttpKube(await connect({ kubeconfig: path }));
  t.after(() => kube.close());
  assert.equal((await kube.get('v1', 'ConfigMap', 'demo', 'x'))?.metadata.name, 'x');
  assert.deepEqual(proxied, [`CONNECT ${new URL(api.url).host}`]);
});

test('--token, --as and two --as-group reach the API server as kubectl sends them, with --server and no kubeconfig', async (t) => {
  let got: IncomingMessage | undefined;
  const { url } = await listen(t, (req, res) => {
    got = req;
    reply(res, 200);
  });
  const d = mkdtempSync(join(tmpdir(), 'switchyard-client-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  writeFileSync(join(d, 'empty'), '');
  const conn = await connect({ kubeconfig: join(d, 'empty'), server: url, token: 'flag-token', as: 'bob', asGroups: ['ci', 'ops'], asUid: '7' });
  const { kube } = client(conn);
  t.after(() => kube.close());
  await kube.get('v1', 'ConfigMap', 'demo', 'x');
  assert.equal(got?.headers.authorization, 'Bearer flag-token');
  assert.equal(got?.headers['impersonate-user'], 'bob');
  assert.equal(got?.headers['impersonate-uid'], '7');
  const groups = got!.rawHeaders.filter((_, i, all) => i % 2 === 1 && all[i - 1]!.toLowerCase() === 'impersonate-group');
  assert.deepEqual(groups, ['ci', 'ops'], 'one Impersonate-Group line per group');
});
