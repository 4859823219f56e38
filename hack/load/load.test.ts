import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { checkLoopback, runLoad, share } from './load.ts';

/** A loopback server answering as version a for 3 requests in 4, as b otherwise. */
async function server(t: test.TestContext): Promise<string> {
  let n = 0;
  const s = createServer((_req, res) => {
    n += 1;
    res.writeHead(n % 4 === 0 ? 503 : 200, { 'x-switchyard-version': n % 4 === 0 ? 'b' : 'a' }).end('ok');
  });
  await new Promise<void>((done) => s.listen(0, '127.0.0.1', done));
  t.after(() => new Promise<void>((done) => { s.closeAllConnections(); s.close(() => done()); }));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}/`;
}

test('the count bounds a run, and answers are counted by version and status', async (t) => {
  const url = await server(t);
  const report = await runLoad({ url, count: 400, durationMs: 30_000, concurrency: 1 });
  assert.equal(report.sent, 400);
  assert.deepEqual(report.byVersion, { a: 300, b: 100 });
  assert.deepEqual(report.byStatus, { 200: 300, 503: 100 });
  assert.equal(share(report, 'b'), 0.25);
});

test('the duration bounds a run', async (t) => {
  const url = await server(t);
  const started = performance.now();
  const report = await runLoad({ url, count: 200_000, durationMs: 300, ratePerSecond: 100 });
  assert.ok(performance.now() - started < 1_500, `the run took ${performance.now() - started} ms`);
  assert.ok(report.sent > 0 && report.sent <= 40, `sent ${report.sent} requests in 300 ms at 100/s`);
});

test('a refused connection counts as status 0 without a version', async () => {
  const report = await runLoad({ url: 'http://127.0.0.1:1/', count: 3, durationMs: 5_000 });
  assert.deepEqual(report.byStatus, { 0: 3 });
  assert.deepEqual(report.byVersion, { none: 3 });
});

test('only loopback http targets and bounded runs are accepted', async () => {
  assert.throws(() => checkLoopback('http://10.244.0.1/'), /not http:\/\/ on a loopback address/);
  assert.throws(() => checkLoopback('https://127.0.0.1/'), /not http:\/\//);
  assert.equal(checkLoopback('http://127.0.0.1:80/').port, '');
  await assert.rejects(runLoad({ url: 'http://127.0.0.1:1/', count: 0, durationMs: 1 }), /count must be/);
  await assert.rejects(runLoad({ url: 'http://127.0.0.1:1/', count: 1, durationMs: 3_600_000 }), /duration must be/);
});
