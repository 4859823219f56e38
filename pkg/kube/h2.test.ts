import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createSecureServer } from 'node:http2';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import type { Server as TlsServer } from 'node:tls';
import { HttpKube } from './client.ts';
import type { Connection } from './config.ts';
import { isKubeError } from './errors.ts';

// The client over TLS against servers of our own on loopback: HTTP/2 on one connection when
// the server offers it (as kube-apiserver does), HTTP/1.1 when it refuses h2 in the handshake
// or ignores ALPN, watches and timeouts over HTTP/2, and a process that exits by itself.

const pki = ((): { key: Buffer; cert: Buffer } => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-h2-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'),
      '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();

const CM = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'demo' } };

type Req = IncomingMessage | Http2ServerRequest;
/** What the handlers use of an HTTP/1.1 or HTTP/2 response. */
interface Res { writeHead(status: number, headers: Record<string, string>): unknown; write(chunk: string): unknown; end(chunk?: string): unknown }
type Handler = (req: Req, res: Res) => void;

interface Seen { requests: string[]; versions: string[]; tlsConnections: number }

function answer(req: Req, res: Res): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(/\/configmaps(\?|$)/.test(req.url ?? '') ? { kind: 'ConfigMapList', metadata: {}, items: [CM] } : CM));
}

async function serve(t: TestContext, kind: 'h2' | 'h1-alpn' | 'h1-no-alpn', handler: Handler = answer): Promise<{ url: string; seen: Seen }> {
  const seen: Seen = { requests: [], versions: [], tlsConnections: 0 };
  const onRequest = (req: Req, res: ServerResponse | Http2ServerResponse): void => {
    seen.requests.push(`${req.method} ${req.url}`);
    seen.versions.push(req.httpVersion);
    handler(req, res as Res);
  };
  let server: TlsServer;
  if (kind === 'h2') server = createSecureServer({ ...pki }, onRequest);
  else if (kind === 'h1-alpn') server = createHttpsServer({ ...pki }, onRequest);
  else {
    // TLS that ignores ALPN, with HTTP/1.1 inside: how some proxies and older servers answer.
    const http = createHttpServer(onRequest);
    server = createTlsServer({ ...pki }, (socket) => http.emit('connection', socket));
    t.after(() => http.closeAllConnections());
  }
  server.on('secureConnection', () => seen.tlsConnections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function connection(url: string, requestTimeoutMs = 2_000): Connection {
  const tls = { ca: pki.cert, headers: { Authorization: 'Bearer one' } };
  return { server: new URL(url), tls, namespace: 'demo', context: 'test', requestTimeoutMs, refresh: async () => tls };
}

for (const kind of ['h2', 'h1-alpn', 'h1-no-alpn'] as const) {
  test(`parallel reads against a ${kind} server all succeed, ${kind === 'h2' ? 'over HTTP/2 on one TLS connection' : 'over HTTP/1.1'}`, async (t) => {
    const api = await serve(t, kind);
    const kube = new HttpKube(connection(api.url));
    t.after(() => kube.close());
    const got = await Promise.all([
      ...Array.from({ length: 6 }, () => kube.get('v1', 'ConfigMap', 'demo', 'x')),
      kube.list('v1', 'ConfigMap', 'demo').then((l) => l.items[0]),
    ]);
    assert.deepEqual(got.map((o) => o?.metadata.name), Array(7).fill('x'));
    assert.equal(api.seen.requests.length, 7);
    if (kind === 'h2') {
      assert.deepEqual([...new Set(api.seen.versions)], ['2.0']);
      assert.equal(api.seen.tlsConnections, 1);
    } else {
      assert.deepEqual([...new Set(api.seen.versions)], ['1.1']);
    }
    // Later requests keep the transport that was found.
    assert.equal((await kube.get('v1', 'ConfigMap', 'demo', 'x'))?.metadata.name, 'x');
    assert.equal(api.seen.versions.at(-1), kind === 'h2' ? '2.0' : '1.1');
  });
}

test('a write over HTTP/2 sends its body and headers', async (t) => {
  let got: { method?: string; type?: string; auth?: string; body: string } = { body: '' };
  const api = await serve(t, 'h2', (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      got = { method: req.method, type: req.headers['content-type'], auth: req.headers.authorization, body };
      answer(req, res);
    });
  });
  const kube = new HttpKube(connection(api.url));
  t.after(() => kube.close());
  await kube.patch('v1', 'ConfigMap', 'demo', 'x', 'merge', { data: { a: '1' } });
  assert.equal(got.method, 'PATCH');
  assert.equal(got.type, 'application/merge-patch+json');
  assert.equal(got.auth, 'Bearer one');
  assert.deepEqual(JSON.parse(got.body), { data: { a: '1' } });
});

test('a watch over HTTP/2 delivers each event and ends when the server ends it', async (t) => {
  const api = await serve(t, 'h2', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(`${JSON.stringify({ type: 'ADDED', object: CM })}\n`);
    setTimeout(() => res.end(`${JSON.stringify({ type: 'MODIFIED', object: { ...CM, data: { a: '1' } } })}\n`), 20);
  });
  const kube = new HttpKube(connection(api.url));
  t.after(() => kube.close());
  const events: string[] = [];
  await kube.watch('v1', 'ConfigMap', 'demo', {}, (e) => events.push(`${e.type} ${e.object.metadata.name}`), new AbortController().signal);
  assert.deepEqual(events, ['ADDED x', 'MODIFIED x']);
});

test('an HTTP/2 request the server never answers fails as a timeout', async (t) => {
  const api = await serve(t, 'h2', () => undefined);
  const kube = new HttpKube(connection(api.url, 150), { retry: { attempts: 1 } });
  t.after(() => kube.close());
  await assert.rejects(kube.get('v1', 'ConfigMap', 'demo', 'x'), (err: unknown) => isKubeError(err) && err.code === 'timeout');
});

test('a process that used HTTP/2 and never closed the client exits by itself', async (t) => {
  const api = await serve(t, 'h2');
  const script = [
    `import { HttpKube } from ${JSON.stringify(new URL('./client.ts', import.meta.url).href)};`,
    `const tls = { ca: ${JSON.stringify(pki.cert.toString())} };`,
    `const kube = new HttpKube({ server: new URL(${JSON.stringify(api.url)}), tls, namespace: 'demo', context: 'test', requestTimeoutMs: 2000, refresh: async () => tls });`,
    "console.log((await kube.get('v1', 'ConfigMap', 'demo', 'x')).metadata.name);",
  ].join('\n');
  // Async: the server answers from this process's event loop.
  const child = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', script]);
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
  assert.equal(child.out.trim(), 'x');
  assert.equal(child.code, 0, 'exited by itself, not killed after 10 s');
});
