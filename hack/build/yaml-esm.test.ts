// The bundles use yaml's ES module build (hack/build/yaml-esm.mjs); the unit tests and the
// type-checker use its CommonJS build. Both must read and print Kubernetes YAML alike: every
// fourth chart of the corpus is parsed with each, with switchyard's schema, and compared
// document by document as objects, as printed back, and as printed anew from the object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as cjs from 'yaml';
import { KUBE_YAML } from '../../pkg/manifest/schema.ts';
// @ts-expect-error -- a plain .mjs build script without types
import { yamlEsm } from './yaml-esm.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = join(root, 'testdata', 'corpus', 'charts');

test('the bundles resolve yaml to its ES module build', () => {
  let resolved: { path: string } | undefined;
  (yamlEsm as { setup(b: unknown): void }).setup({ onResolve: (_o: unknown, f: (a: { resolveDir: string }) => { path: string }) => (resolved = f({ resolveDir: root })) });
  assert.match(resolved?.path ?? '', /node_modules\/yaml\/browser\/index\.js$/);
});

test("yaml's ES module and CommonJS builds read and print the corpus alike", async () => {
  const esmFile = createRequire(join(root, 'x.js')).resolve('yaml/package.json').replace(/package\.json$/, 'browser/index.js');
  const esm = (await import(pathToFileURL(esmFile).href)) as typeof cjs;
  const files = readdirSync(corpus).filter((f) => f.endsWith('.yaml')).sort().filter((_f, i) => i % 4 === 0);
  assert.ok(files.length >= 30, `${files.length} corpus files`);
  let documents = 0;
  for (const f of files) {
    const text = readFileSync(join(corpus, f), 'utf8');
    const a = cjs.parseAllDocuments(text, KUBE_YAML);
    const b = esm.parseAllDocuments(text, KUBE_YAML);
    assert.ok(Array.isArray(a) && Array.isArray(b), f);
    assert.equal(b.length, a.length, f);
    for (const [i, doc] of a.entries()) {
      const other = b[i]!;
      assert.deepEqual(other.errors.map((e) => e.message), doc.errors.map((e) => e.message), `${f} #${i}`);
      const obj = doc.toJS({ maxAliasCount: 100 }) as unknown;
      assert.deepEqual(other.toJS({ maxAliasCount: 100 }), obj, `${f} #${i}`);
      assert.equal(other.toString(), doc.toString(), `${f} #${i} printed back`);
      assert.equal(new esm.Document(obj, { version: '1.1' }).toString(), new cjs.Document(obj, { version: '1.1' }).toString(), `${f} #${i} printed anew`);
      documents++;
    }
  }
  assert.ok(documents > 300, `${documents} documents`);
});
