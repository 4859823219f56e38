// Concurrency and signals (issue 14): five drivers of one app at once, a forced take-over,
// two apps of one namespace driven together, and SIGINT/SIGTERM during run --wait.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import { getJson, repoRoot, spawnChild, storedState, waitFor } from '../e2e/harness.ts';
import type { Child, RunResult } from '../e2e/harness.ts';
import { cliFor } from './crash-scenarios.ts';
import type { Cli } from './crash-scenarios.ts';

interface State { phase: string; stable: string; weight: number }
interface Lease { spec: { holderIdentity?: string } }

const dir = mkdtempSync(join(tmpdir(), 'switchyard-concurrency-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const PAUSED = ['--steps', '10,pause,100', '--scale-down-delay', '0'];

function driver(cli: Cli, args: string[]): Child {
  return spawnChild(join(repoRoot, 'dist', 'kubectl-canary'), [...args, '-n', cli.ns]);
}

async function twoVersions(cli: Cli, fileFor = cli.fileFor): Promise<void> {
  for (const version of ['1.0.0', '2.0.0']) {
    const r = await cli('canary', ['apply', '-f', fileFor(version), '--version', version]);
    assert.equal(r.code, 0, r.stderr);
  }
}

const holder = async (ns: string, app = 'web'): Promise<string> => (await getJson<Lease>(ns, 'lease', `switchyard.${app}`)).spec.holderIdentity ?? '';

suite('concurrency and signals', { concurrency: true }, () => {
  test('five drivers of one app at once: exactly one proceeds, the others refuse naming it', async (t) => {
    const cli = await cliFor(t, dir);
    await twoVersions(cli);
    const drivers = Array.from({ length: 5 }, () => driver(cli, ['run', 'web', '--wait', ...PAUSED]));
    t.after(() => drivers.forEach((d) => d.kill('SIGKILL')));
    const ended = new Map<Child, RunResult>();
    for (const d of drivers) void d.exited.then((r) => ended.set(d, r));
    await waitFor(() => ended.size >= 4, { timeoutMs: 60_000 });
    await waitFor(async () => (await storedState<State>(cli.ns)).phase === 'Paused', { timeoutMs: 60_000 });
    assert.equal(ended.size, 4, 'four drivers refused and exited; one is still driving');
    const exited = [...ended.values()];
    const running = drivers.find((d) => !ended.has(d))!;
    for (const r of exited) {
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`web is being driven by \\S+/${running.pid} since`), 'the refusal names the holder');
    }
    assert.match(await holder(cli.ns), new RegExp(`/${running.pid}$`));
    const promote = await cli('canary', ['promote', 'web']);
    assert.equal(promote.code, 0, promote.stderr);
    assert.equal((await running.exited).code, 0);
    assert.equal((await storedState<State>(cli.ns)).stable, '2.0.0');
  });

  test('a forced take-over stops the old driver within one renewal period, with LeaseLost and how to resume', async (t) => {
    const cli = await cliFor(t, dir);
    await twoVersions(cli);
    const old = driver(cli, ['run', 'web', '--wait', ...PAUSED]);
    t.after(() => old.kill('SIGKILL'));
    await waitFor(async () => (await storedState<State>(cli.ns)).phase === 'Paused', { timeoutMs: 60_000 });
    const taker = driver(cli, ['run', 'web', '--wait', '--force', ...PAUSED]);
    t.after(() => taker.kill('SIGKILL'));
    await waitFor(async () => (await holder(cli.ns)).endsWith(`/${taker.pid}`), { timeoutMs: 30_000, intervalMs: 50 });
    const takenAt = performance.now();
    const stopped = await old.exited;
    const afterMs = Math.round(performance.now() - takenAt);
    t.diagnostic(`the old driver stopped ${afterMs} ms after the take-over (renewal period 5000 ms)`);
    assert.ok(afterMs < 5_000 + 2_000, `stopped ${afterMs} ms after the take-over`);
    assert.equal(stopped.code, 1, stopped.stderr);
    assert.match(stopped.stderr, new RegExp(`lost the lease of web in namespace ${cli.ns}: \\S+/${taker.pid} took it over; stopped before the next write`));
    assert.match(stopped.stderr, new RegExp(`to resume after it stops: kubectl canary run web -n ${cli.ns}`));
    assert.equal((await storedState<State>(cli.ns)).phase, 'Paused', 'the old driver left the state where it was');
    const promote = await cli('canary', ['promote', 'web']);
    assert.equal(promote.code, 0, promote.stderr);
    assert.equal((await taker.exited).code, 0, 'the new holder finishes the rollout');
    assert.equal((await storedState<State>(cli.ns)).stable, '2.0.0');
  });

  test('two apps in one namespace driven at once both succeed', async (t) => {
    const cli = await cliFor(t, dir);
    const apiFile = (version: string): string => {
      const file = join(dir, `api-${cli.ns}-${version}.yaml`);
      writeFileSync(file, readFileSync(cli.fileFor(version), 'utf8').replace(/\bweb\b/g, 'api'));
      return file;
    };
    await twoVersions(cli);
    await twoVersions(cli, apiFile);
    const [web, api] = [driver(cli, ['run', 'web', '--wait', '--steps', '10,50,100', '--scale-down-delay', '0']), driver(cli, ['run', 'api', '--wait', '--steps', '10,50,100', '--scale-down-delay', '0'])];
    t.after(() => [web, api].forEach((d) => d.kill('SIGKILL')));
    const [a, b] = await Promise.all([web.exited, api.exited]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.equal((await storedState<State>(cli.ns, 'web')).stable, '2.0.0');
    assert.equal((await storedState<State>(cli.ns, 'api')).stable, '2.0.0');
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    test(`${signal} during run --wait stops, releases the lease, exits 3 and prints the command that resumes`, async (t) => {
      const cli = await cliFor(t, dir);
      await twoVersions(cli);
      const run = driver(cli, ['run', 'web', '--wait', ...PAUSED]);
      t.after(() => run.kill('SIGKILL'));
      await waitFor(async () => (await storedState<State>(cli.ns)).phase === 'Paused', { timeoutMs: 60_000 });
      run.kill(signal);
      const ended = await run.exited;
      assert.equal(ended.code, 3, ended.stderr);
      assert.match(ended.stderr, new RegExp(`web: interrupted while paused; the lease is released; resume with: kubectl canary run web -n ${cli.ns}`));
      assert.equal(await holder(cli.ns), '', 'the lease is released');
      const state = await storedState<State>(cli.ns);
      assert.deepEqual([state.phase, state.weight], ['Paused', 10]);
    });
  }
});
