import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, run, toolPaths } from '../../test/e2e/harness.ts';

// The post-renderer under the real helm binaries: Helm 3 runs the executable by path,
// Helm 4 runs the postrenderer/v1 plugin in plugins/switchyard.
const chart = join(repoRoot, 'testdata/chart');
const binary = join(repoRoot, 'dist/switchyard-postrender');
const plugins = join(repoRoot, 'plugins');
const REASON = /switchyard-postrender: error: Deployment web: version "\+\+\+" from the --version flag has no label-safe characters/;

const helm3 = (args: string[]) => run(toolPaths.helm3, ['template', 'web', chart, '--post-renderer', binary, ...args]);
const helm4 = (args: string[], env: NodeJS.ProcessEnv = { HELM_PLUGINS: plugins }) => run(toolPaths.helm4, ['template', 'web', chart, '--post-renderer', 'switchyard', ...args], { env });

for (const [name, helm] of [['Helm 3', helm3], ['Helm 4', helm4]] as const) {
  test(`${name}: helm template with the post-renderer emits the versioned Deployment and the pinned Service`, async () => {
    const out = await helm(['--set', 'httpRoute.enabled=true', '--post-renderer-args=--offline']);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /kind: Deployment\nmetadata:\n  name: web-1-0-0\n/);
    assert.match(out.stdout, /switchyard.dev\/version: 1.0.0/);
    assert.match(out.stdout, /name: switchyard-1-0-0-0/);
    const objects = parseAllDocuments(out.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec?: { selector?: Record<string, string> } });
    assert.deepEqual(objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name), ['web-1-0-0']);
    assert.equal(objects.find((o) => o.kind === 'Service' && o.metadata.name === 'web')?.spec?.selector?.['switchyard.dev/version'], '1.0.0');
    assert.match(out.stdout, /greeting: "hello from 1.0.0" +# a comment that must survive/);
  });

  test(`${name}: a failing post-render exits non-zero and prints nothing`, async () => {
    const out = await helm(['--post-renderer-args=--offline', '--post-renderer-args=--version=+++']);
    assert.notEqual(out.code, 0);
    assert.doesNotMatch(out.stdout, /kind:/);
  });

  test(`${name}: the version flag passes through --post-renderer-args`, async () => {
    const out = await helm(['--post-renderer-args=--offline', '--post-renderer-args=--version=2.0.0-rc.1']);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /name: web-2-0-0-rc-1\n/);
  });
}

test('Helm 3: the reason of a failure is part of helm\'s error', async () => {
  const out = await helm3(['--post-renderer-args=--offline', '--post-renderer-args=--version=+++']);
  assert.match(out.stderr, REASON);
});

// Helm 4 captures a plugin's stderr and never shows it; switchyard writes the reason to
// the stderr of the helm process itself. Checked for what helm's stderr is in practice:
// a terminal, a pipe (CI runners, `| tee`) and a log file opened for appending.
const failing = `${toolPaths.helm4} template web ${chart} --post-renderer switchyard --post-renderer-args=--offline --post-renderer-args=--version=+++`;

test('Helm 4: on a terminal, the reason of a failure is shown above helm\'s own error', async () => {
  const out = await run('script', ['-qec', failing, '/dev/null'], { env: { HELM_PLUGINS: plugins } });
  assert.notEqual(out.code, 0);
  assert.match(out.stdout, REASON);
  assert.ok(out.stdout.search(REASON) < out.stdout.indexOf('Error: '), 'the reason comes before helm\'s error');
});

test('Helm 4: through a pipe, the reason of a failure reaches the reader', async () => {
  const out = await run('sh', ['-c', `${failing} 2>&1 | cat; exit "$(echo $?)"`], { env: { HELM_PLUGINS: plugins } });
  assert.match(out.stdout, REASON);
  assert.match(out.stdout, /plugin "switchyard" exited with error/);
});

test('Helm 4: with stderr appended to a log file, the reason is in the log', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-log-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'helm.log');
  const out = await run('sh', ['-c', `${failing} 2>>${log}`], { env: { HELM_PLUGINS: plugins } });
  assert.notEqual(out.code, 0);
  const text = readFileSync(log, 'utf8');
  assert.match(text, REASON);
  assert.match(text, /plugin "switchyard" exited with error/);
});

test('Helm 4: helm plugin install ./plugins/switchyard makes --post-renderer switchyard work', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'switchyard-helm4-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const env = { HELM_DATA_HOME: join(home, 'data'), HELM_CONFIG_HOME: join(home, 'config'), HELM_CACHE_HOME: join(home, 'cache') };
  const install = await run(toolPaths.helm4, ['plugin', 'install', join(plugins, 'switchyard')], { env });
  assert.equal(install.code, 0, install.stderr);
  const out = await helm4(['--post-renderer-args=--offline'], env);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /name: web-1-0-0\n/);
});

test('Helm 4: the hook Job reaches the post-renderer and passes through untouched', async () => {
  const out = await helm4(['--post-renderer-args=--offline']);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /name: web-migrate\n/);
  assert.doesNotMatch(out.stdout, /name: web-migrate\n(?:.*\n){0,8}?.*switchyard\.dev/);
});
