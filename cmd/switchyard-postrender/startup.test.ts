// Start-up fast paths of the bundles in dist/: the offline post-renderer, `--help` and
// `version` load neither the Kubernetes client nor any HTTP code (node:http, node:https,
// node:http2, node:tls, undici), and the post-renderer neither yargs nor node:crypto. A resolve hook records every module the process loads.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, suite, test } from 'node:test';
// @ts-expect-error -- a plain .mjs build script without types
import { loadScript as loadScriptUntyped } from '../../hack/build/code-cache.mjs';
import { repoRoot } from '../../test/e2e/harness.ts';

const loadScript = loadScriptUntyped as (file: string, cachedData?: Buffer) => { script: { cachedDataRejected?: boolean } };

const HOOK = `import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';
const urls = [];
registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); urls.push(r.url); return r; } });
process.on('exit', () => writeFileSync(process.env.SWITCHYARD_TRACE, JSON.stringify({
  urls, builtins: process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)) })));
`;
const HTTP = /^(http|https|http2|tls|_http_\w+|internal\/http2\/.*)$/;
const MANIFEST = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: "web:1.0.0"}]}\n';

suite('start-up loads no cluster code when it needs none', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-trace-'));
    writeFileSync(join(dir, 'hook.mjs'), HOOK);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs a dist/ launcher under the hook; returns the loaded files (relative to dist/) and built-in modules. */
  function trace(binary: string, args: string[], input = '') {
    const out = join(dir, `${binary}-${args.join('_')}.json`);
    const r = spawnSync(process.execPath, ['--import', join(dir, 'hook.mjs'), join(repoRoot, 'dist', binary), ...args],
      { encoding: 'utf8', input, env: { ...process.env, SWITCHYARD_TRACE: out } });
    assert.equal(r.status, 0, r.stderr);
    const t = JSON.parse(readFileSync(out, 'utf8')) as { urls: string[]; builtins: string[] };
    const files = t.urls.filter((u) => u.startsWith('file:')).map((u) => u.slice(u.indexOf('/dist/') + 6));
    return { files, builtins: t.builtins, stdout: r.stdout };
  }

  for (const [binary, args, input] of [
    ['switchyard-postrender', ['--offline'], MANIFEST],
    ['kubectl-canary', ['--help'], ''],
    ['kubectl-canary', ['version'], ''],
    ['kubectl-bluegreen', ['--help'], ''],
  ] as const) {
    test(`${binary} ${args.join(' ')}`, () => {
      const t = trace(binary, [...args], input);
      assert.notEqual(t.stdout, '', 'it answered');
      // Each script is compiled from its code cache (no module load to see); client-node would be a require().
      assert.deepEqual(t.files.filter((f) => f.endsWith('client-node.cjs')), [], 'no client-node');
      assert.deepEqual(t.builtins.filter((b) => HTTP.test(b)), [], 'no HTTP, TLS or HTTP/2 module');
      if (binary === 'switchyard-postrender') {
        // yargs alone costs more start-up than the transform of a typical chart: flags.ts parses instead.
        assert.ok(!readFileSync(join(repoRoot, 'dist', 'lib', 'switchyard-postrender.cjs'), 'utf8').includes('strictCommands'), 'the post-renderer holds no yargs');
        // node:crypto's start-up exceeds what the few hashes of a render cost in sha256.ts (WebAssembly).
        assert.deepEqual(t.builtins.filter((b) => b === 'crypto' || b.startsWith('internal/crypto/')), [], 'no node:crypto');
      }
    });
  }

  for (const binary of ['switchyard-postrender', 'kubectl-canary', 'kubectl-bluegreen']) {
    test(`${binary}'s code cache is accepted by the Node that built it`, () => {
      const file = join(repoRoot, 'dist', 'lib', `${binary}.cjs`);
      const { script } = loadScript(file, readFileSync(file.replace(/\.cjs$/, '.cache')));
      assert.equal(script.cachedDataRejected, false);
    });
  }

  test('status does load the kube client (the check above can fail)', () => {
    const r = spawnSync(process.execPath, ['--import', join(dir, 'hook.mjs'), join(repoRoot, 'dist', 'kubectl-canary'), 'status', 'web',
      '--kubeconfig', join(dir, 'missing-kubeconfig')], { encoding: 'utf8', env: { ...process.env, SWITCHYARD_TRACE: join(dir, 'status.json') } });
    assert.equal(r.status, 4, r.stderr);
    const t = JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')) as { urls: string[]; builtins: string[] };
    assert.ok(t.builtins.includes('https'), 'node:https loaded');
  });
});
