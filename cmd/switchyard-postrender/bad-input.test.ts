import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { repoRoot, run } from '../../test/e2e/harness.ts';

// Bad input through the built binary: a clear one-line error, a non-zero exit, and
// nothing at all on stdout (Helm 3 would otherwise apply half a manifest).
const binary = join(repoRoot, 'dist/switchyard-postrender');
const deployment = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: web:1.0.0\n';

function aliasBomb(): string {
  let text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n  a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  for (let i = 1; i <= 9; i++) text += `  a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(',')}]\n`;
  return text;
}

const cases: { name: string; input: () => string | Buffer; reason: RegExp }[] = [
  { name: 'malformed YAML', input: () => `${deployment}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n`, reason: /document 2/ },
  { name: 'an alias bomb', input: () => `${deployment}---\n${aliasBomb()}`, reason: /alias/i },
  { name: 'a 50 MB document', input: () => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  blob: "${'x'.repeat(50 * 1024 * 1024)}"\n`, reason: /: document 1 at line 1: the document is 52428870 bytes, over the limit of 8388608 bytes$/ },
  { name: 'binary garbage', input: () => randomBytes(4096), reason: /not .*text|binary|UTF-8|NUL/i },
  { name: 'a document without kind', input: () => `${deployment}---\napiVersion: v1\nmetadata:\n  name: nokind\n`, reason: /document 2.*kind/i },
  { name: 'a NUL byte in a document', input: () => `${deployment}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nul\ndata:\n  a: "x\u0000y"\n`, reason: /NUL|not .*text/i },
  { name: 'an empty stream', input: () => '', reason: /no Kubernetes resources|empty/i },
  // Not replaced by U+FFFD: that would change an untouched document, and what the API server stores.
  { name: 'a byte that is not UTF-8', input: () => Buffer.concat([Buffer.from(`${deployment}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: latin1\ndata:\n  a: "caf`), Buffer.from([0xe9]), Buffer.from('"\n')]), reason: /document 2 at line 17, column 10: input is not text: invalid UTF-8 at byte 227$/ },
];

for (const c of cases) {
  test(`${c.name}: exits non-zero with a one-line reason and writes nothing to stdout`, async () => {
    const input = c.input();
    const out = await run(binary, ['--offline'], { input });
    assert.notEqual(out.code, 0);
    assert.equal(out.stdout, '');
    const lines = out.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `expected one line, got:\n${out.stderr.slice(0, 500)}`);
    assert.match(lines[0]!, /^switchyard-postrender: error: /);
    assert.match(lines[0]!, c.reason);
  });
}

test('repeated keys are accepted as the API server accepts them: the last one wins, one warning per document', async () => {
  const input = `${deployment}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup\ndata:\n  a: "1"\n  a: "2"\n`;
  const out = await run(binary, ['--offline', '--include', 'web'], { input });
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stderr, /^switchyard-postrender: warning: document 2, ConfigMap dup: the key "a" is repeated \(line 18\); the last one wins, as in the API server$/m);
  assert.ok(out.stdout.includes('  a: "1"\n  a: "2"\n'), 'an untouched document passes byte for byte');
});

test('a bad flag exits 2 with a usage error', async () => {
  const out = await run(binary, ['--router', 'envoy'], { input: deployment });
  assert.equal(out.code, 2);
  assert.equal(out.stdout, '');
  assert.match(out.stderr, /router/);
});

test('without --offline and without a reachable cluster it refuses to guess (exit 4)', async () => {
  const out = await run(binary, [], { input: deployment, env: { KUBECONFIG: join(repoRoot, 'testdata/no-such-kubeconfig') } });
  assert.equal(out.code, 4);
  assert.equal(out.stdout, '');
  assert.match(out.stderr, /--offline/);
});
