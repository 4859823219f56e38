// Shell completion the way kubectl ≥ 1.26 does it: `kubectl __complete canary …` (what
// kubectl's own bash/zsh/fish completion runs) finds kubectl_complete-canary on PATH,
// which runs `kubectl-canary __complete …`; app and namespace names come from the local
// cluster, with the -n typed on the line.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, suite, test, type TestContext } from 'node:test';
import { assertOk, freshNamespace, kubectl, repoRoot } from './harness.ts';

const manifest = (app: string): string => [
  'apiVersion: apps/v1', 'kind: Deployment', `metadata: {name: ${app}}`, 'spec:', `  selector: {matchLabels: {app: ${app}}}`,
  '  template:', `    metadata: {labels: {app: ${app}}}`, `    spec: {containers: [{name: ${app}, image: "registry.example/${app}:1.0.0"}]}`,
  '---', 'apiVersion: v1', 'kind: Service', `metadata: {name: ${app}}`, `spec: {selector: {app: ${app}}, ports: [{port: 80}]}`, '',
].join('\n');

suite('completion through kubectl and the kubectl_complete-<plugin> shims', () => {
  let shims = '';
  before(() => {
    shims = mkdtempSync(join(tmpdir(), 'switchyard-shims-'));
    for (const plugin of ['canary', 'bluegreen']) {
      writeFileSync(join(shims, `kubectl_complete-${plugin}`), `#!/bin/sh\nexec kubectl-${plugin} __complete "$@"\n`, { mode: 0o755 });
    }
  });
  after(() => rmSync(shims, { recursive: true, force: true }));

  /** `kubectl __complete <words>` with the shims on PATH (besides dist/ and .tools/bin, which the harness puts first). */
  const complete = (words: string[]) => kubectl(['__complete', ...words], {
    env: { PATH: [join(repoRoot, '.tools', 'bin'), join(repoRoot, 'dist'), shims, process.env.PATH ?? ''].join(delimiter) },
  });
  const candidates = (stdout: string): string[] => stdout.trimEnd().split('\n').filter((l) => !l.startsWith(':')).map((l) => l.split('\t')[0]!);

  test('commands, then the apps of the namespace typed with -n, then flags', async (t: TestContext) => {
    const ns = await freshNamespace(t);
    for (const app of ['web', 'worker', 'api']) assertOk(await kubectl(['canary', 'apply', '-f', '-', '-n', ns], { input: manifest(app) }), `apply ${app}`);

    const commands = await complete(['canary', 'st']);
    assertOk(commands, 'kubectl __complete canary st');
    assert.deepEqual(candidates(commands.stdout), ['status']);

    // Completion gives the cluster 2 s unless --request-timeout is typed: typed here, so a
    // busy test machine cannot turn the names into none (and the typed flag is honoured).
    const apps = await complete(['canary', 'status', '--request-timeout=30s', '-n', ns, 'w']);
    assertOk(apps, 'kubectl __complete canary status -n <ns> w');
    assert.deepEqual(candidates(apps.stdout), ['web', 'worker']);
    assert.match(apps.stdout, /^:4$/m, 'no file names');

    const all = await complete(['bluegreen', 'versions', '--request-timeout=30s', '-n', ns, '']);
    assert.deepEqual(candidates(all.stdout), ['api', 'web', 'worker']);

    const namespaces = await complete(['canary', 'list', '--request-timeout=30s', '-n', ns.slice(0, -2)]);
    assert.deepEqual(candidates(namespaces.stdout), [ns]);

    const flags = await complete(['canary', 'run', 'web', '--ste']);
    assert.deepEqual(candidates(flags.stdout), ['--steps']);
  });

  test('an unreachable cluster gives no names and no error, fast', async () => {
    const started = Date.now();
    const r = await complete(['canary', 'status', '--server=https://127.0.0.1:1', '']);
    assertOk(r, 'completion with a refused connection');
    assert.deepEqual(candidates(r.stdout), []);
    assert.ok(Date.now() - started < 10_000, 'one attempt, no retries');
  });
});
