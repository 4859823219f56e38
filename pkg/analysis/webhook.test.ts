import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callWebhook } from './webhook.ts';
import type { WebhookCall, WebhookPayload, WebhookResult } from './webhook.ts';

// The client against small HTTP servers of our own on loopback. Retries wait through an
// injected sleep that records the delays, so no test waits for a back-off.

const SECRET = 's3cr3t-token-value';
const QUERY_SECRET = 'q-secret-42';

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;
interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

const servers: Server[] = [];
after(() => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

async function listen(handler: Handler): Promise<{ url: string; seen: Received[] }> {
  const seen: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({ headers: req.headers, body });
      handler(req, res, seen.length);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function reply(res: ServerResponse, status: number, body = '', headers: Record<string, string> = {}): void {
  res.writeHead(status, headers);
  res.end(body);
}

const PAYLOAD: WebhookPayload = {
  hook: 'step',
  app: 'web',
  namespace: 'demo',
  release: 'shop',
  from: 'v1',
  to: 'v2',
  step: 2,
  weight: 20,
  phase: 'Progressing',
};

function call(url: string, extra: Partial<WebhookCall> = {}): WebhookCall {
  return { url, timeoutMs: 2_000, retries: 2, backoffMs: 500, headers: { 'x-token': SECRET }, ...extra };
}

function recorder(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return { sleep: async (ms) => void waits.push(ms), waits };
}

/** No secret in the message: not the header value, not the query, not the userinfo. */
function assertClean(r: WebhookResult): void {
  for (const secret of [SECRET, QUERY_SECRET, 'alice', 'hunter22']) assert.ok(!r.message.includes(secret), `leaked ${secret}: ${r.message}`);
  assert.doesNotMatch(r.message, /[\r\n]/, 'one line');
}

test('a 2xx passes after one attempt; the server received the JSON payload and the headers', async () => {
  const hook = await listen((_req, res) => reply(res, 204));
  const r = await callWebhook(call(`${hook.url}/gate?token=${QUERY_SECRET}`), PAYLOAD);
  assert.deepEqual(r, { result: 'pass', status: 204, attempts: 1, message: 'HTTP 204' });
  assert.equal(hook.seen.length, 1);
  const [seen] = hook.seen;
  assert.deepEqual(JSON.parse(seen!.body), PAYLOAD);
  assert.equal(seen!.headers['content-type'], 'application/json');
  assert.equal(seen!.headers['x-token'], SECRET);
});

test('a 4xx other than 408 and 429 fails at once, quoting the start of the body without secrets', async () => {
  const hook = await listen((req, res) => reply(res, 403, `denied for ${String(req.headers['x-token'])}\nand ${'x'.repeat(500)}`));
  const { sleep, waits } = recorder();
  const r = await callWebhook(call(`${hook.url}/gate?token=${QUERY_SECRET}`), PAYLOAD, { sleep });
  assert.equal(r.result, 'fail');
  assert.equal(r.status, 403);
  assert.equal(r.attempts, 1);
  assert.equal(hook.seen.length, 1, 'not retried');
  assert.deepEqual(waits, []);
  assert.ok(r.message.startsWith('HTTP 403: denied for *** and xxx'), r.message);
  assert.equal(r.message.length, 'HTTP 403: '.length + 200);
  assertClean(r);
});

test('5xx twice and then 200 passes with 3 attempts after doubling back-off', async () => {
  const hook = await listen((_req, res, n) => reply(res, n === 1 ? 503 : n === 2 ? 500 : 200, 'ok'));
  const { sleep, waits } = recorder();
  const r = await callWebhook(call(hook.url), PAYLOAD, { sleep });
  assert.deepEqual(r, { result: 'pass', status: 200, attempts: 3, message: 'HTTP 200 (3 attempts)' });
  assert.deepEqual(waits, [500, 1000]);
});

test('408 and 429 are retried like 5xx', async () => {
  const hook = await listen((_req, res, n) => reply(res, n === 1 ? 408 : n === 2 ? 429 : 200));
  const { sleep, waits } = recorder();
  assert.equal((await callWebhook(call(hook.url), PAYLOAD, { sleep })).attempts, 3);
  assert.deepEqual(waits, [500, 1000]);
});

test('a hook that always answers 5xx is an error naming the last status', async () => {
  const hook = await listen((_req, res) => reply(res, 503, 'down'));
  const { sleep, waits } = recorder();
  const r = await callWebhook(call(`${hook.url}/?token=${QUERY_SECRET}`, { retries: 3, backoffMs: 4_000 }), PAYLOAD, { sleep });
  assert.deepEqual(r, { result: 'error', status: 503, attempts: 4, message: 'HTTP 503 after 4 attempts' });
  assert.deepEqual(waits, [4_000, 8_000, 10_000], 'doubling, capped at 10 s');
});

test('a hook that never answers times out each attempt and is an error after the retries', async () => {
  const hook = await listen(() => undefined);
  const { sleep, waits } = recorder();
  const r = await callWebhook(call(hook.url, { timeoutMs: 200, retries: 1 }), PAYLOAD, { sleep });
  assert.deepEqual(r, { result: 'error', attempts: 2, message: 'timed out after 200 ms (2 attempts)' });
  assert.equal(hook.seen.length, 2, 'retried');
  assert.deepEqual(waits, [500]);
});

test('a refused connection is a network error, retried', async () => {
  const closed = await listen(() => undefined);
  const server = servers.pop()!;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const { sleep } = recorder();
  const r = await callWebhook(call(closed.url, { retries: 1 }), PAYLOAD, { sleep });
  assert.equal(r.result, 'error');
  assert.equal(r.attempts, 2);
  assert.match(r.message, /^network error \(.*ECONNREFUSED.*\) \(2 attempts\)$/);
});

test('Retry-After in seconds on 429 and 503 replaces the back-off, capped at 10 s', async () => {
  const afters = ['3', '120', 'Wed, 21 Oct 2015 07:28:00 GMT'];
  const hook = await listen((_req, res, n) => (n <= 3 ? reply(res, n === 2 ? 503 : 429, '', { 'retry-after': afters[n - 1]! }) : reply(res, 200)));
  const { sleep, waits } = recorder();
  const r = await callWebhook(call(hook.url, { retries: 3, backoffMs: 100 }), PAYLOAD, { sleep });
  assert.equal(r.result, 'pass');
  assert.deepEqual(waits, [3_000, 10_000, 400], 'an HTTP date is not read: back-off applies');
});

test('Retry-After on a 500 is not honoured', async () => {
  const hook = await listen((_req, res, n) => reply(res, n === 1 ? 500 : 200, '', { 'retry-after': '7' }));
  const { sleep, waits } = recorder();
  await callWebhook(call(hook.url), PAYLOAD, { sleep });
  assert.deepEqual(waits, [500]);
});

test('a Slack hook gets text in one line, with the payload under switchyard', async () => {
  const hook = await listen((_req, res) => reply(res, 200, 'ok'));
  const r = await callWebhook(call(hook.url, { slack: true }), { ...PAYLOAD, message: 'p99 <250ms &\nfine' });
  assert.equal(r.result, 'pass');
  const body = JSON.parse(hook.seen[0]!.body) as { text: string; switchyard: WebhookPayload };
  assert.equal(body.text, 'Switchyard step: web in demo (release shop), v1 → v2 at 20%, step 2, Progressing: p99 &lt;250ms &amp; fine');
  assert.deepEqual(body.switchyard, { ...PAYLOAD, message: 'p99 <250ms &\nfine' });
});

test('userinfo in the URL is sent as Basic authorization and never printed', async () => {
  const hook = await listen((req, res) => reply(res, 401, `bad ${String(req.headers.authorization)} at ${String(req.url)}`));
  const r = await callWebhook(call(hook.url.replace('http://', 'http://alice:hunter22@') + `/x?token=${QUERY_SECRET}`), PAYLOAD);
  assert.equal(r.result, 'fail');
  assert.equal(hook.seen[0]!.headers.authorization, `Basic ${Buffer.from('alice:hunter22').toString('base64')}`);
  assert.equal(r.message, 'HTTP 401: bad *** at /x?***');
  assertClean(r);
});

test('a redirect is not followed: the headers stay with the host they were meant for', async () => {
  const elsewhere = await listen((_req, res) => reply(res, 200));
  const hook = await listen((_req, res) => reply(res, 307, '', { location: `${elsewhere.url}/steal` }));
  const r = await callWebhook(call(hook.url), PAYLOAD);
  assert.deepEqual(r, { result: 'fail', status: 307, attempts: 1, message: 'HTTP 307 (redirects are not followed)' });
  assert.equal(elsewhere.seen.length, 0);
});

test('a bad URL or header is an error before any attempt, without quoting it', async () => {
  const cases: [Partial<WebhookCall>, string][] = [
    [{ url: `not a url ${QUERY_SECRET}` }, 'the webhook URL is not a valid URL'],
    [{ url: `ftp://example.invalid/?${QUERY_SECRET}` }, 'the webhook URL must be http or https, not ftp'],
    [{ headers: { 'x-token': `${SECRET}\r\nx-evil: 1` } }, 'header x-token has a value that is not valid in HTTP'],
    [{ headers: { [`Bearer ${SECRET}`]: 'x' } }, 'a header name is not valid in HTTP'],
  ];
  for (const [extra, message] of cases) {
    const r = await callWebhook(call('http://127.0.0.1:9/', extra), PAYLOAD);
    assert.deepEqual(r, { result: 'error', attempts: 0, message });
    assertClean(r);
  }
});

test('an abort stops the retries with the signal reason', async () => {
  const hook = await listen((_req, res) => reply(res, 503));
  const controller = new AbortController();
  const sleep = async (): Promise<void> => controller.abort(new Error('rollout aborted'));
  await assert.rejects(callWebhook(call(hook.url), PAYLOAD, { sleep, signal: controller.signal }), /rollout aborted/);
  assert.equal(hook.seen.length, 1);
});

test('the default sleep is cut short by an abort', async () => {
  const hook = await listen((_req, res) => reply(res, 503));
  const controller = new AbortController();
  const running = callWebhook(call(hook.url, { backoffMs: 60_000 }), PAYLOAD, { signal: controller.signal });
  while (hook.seen.length === 0) await new Promise((resolve) => setImmediate(resolve));
  controller.abort(new Error('stop now'));
  await assert.rejects(running, /stop now/);
});
