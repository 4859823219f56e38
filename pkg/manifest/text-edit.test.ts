import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from 'yaml';
import { fastParse } from './fast-parse.ts';
import { KUBE_YAML } from './schema.ts';
import { editText } from './text-edit.ts';
import { printBlock, scalar } from './print-block.ts';

// Each edit read back with yaml must give the changed object, and leave every other line as
// it was; what the module does not edit it declines.

function read(body: string): unknown {
  const doc = parseDocument(body, KUBE_YAML);
  assert.deepEqual(doc.errors.map((e) => e.message), []);
  return doc.toJS();
}

function edited(body: string, change: (o: Record<string, any>) => void): string | undefined {
  const fast = fastParse(body);
  assert.ok(fast !== undefined, 'the fast reader reads the case');
  const object = structuredClone(fast.object);
  change(object);
  const out = editText(body, fast, object);
  if (out !== undefined) assert.deepEqual(read(out), object, out);
  return out;
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # the chart's name
  labels:
    app: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: "nginx:1.27"
        args: ["--port", 8080]
        env:
        - name: NOTE
          value: |
            keep
            this
      volumes:
      - name: config
        configMap:
          name: web-config
`;

test('a renamed object, new labels and a new annotations map are edited in place', () => {
  const out = edited(DEPLOYMENT, (o) => {
    o.metadata.name = 'web-2-0-0';
    o.metadata.labels['switchyard.dev/version'] = '2.0.0';
    o.metadata.annotations = { 'switchyard.dev/rendered': 'true', note: 'a: b' };
    o.spec.template.metadata.labels['switchyard.dev/version'] = '2.0.0';
    o.spec.template.spec.volumes[0].configMap.name = 'web-config-2-0-0';
  });
  assert.ok(out !== undefined);
  assert.match(out, /^  name: web-2-0-0   # the chart's name$/m);
  assert.match(out, /^    switchyard\.dev\/version: 2\.0\.0\n  annotations:\n    switchyard\.dev\/rendered: "true"\n    note: "a: b"\nspec:/m);
  assert.match(out, /^      - name: web\n        image: "nginx:1\.27"$/m);
  assert.match(out, /^          value: \|\n            keep\n            this\n/m);
});

test('scalars, block scalars, nulls and flow sequences change in place', () => {
  assert.ok(edited(DEPLOYMENT, (o) => {
    o.spec.template.spec.containers[0].env[0].value = 'one line\nand "two"';
    o.spec.template.spec.containers[0].args = ['--port', 9090, true];
  }));
  assert.equal(edited('a:\nb: 1\n', (o) => (o.a = 'x')), 'a: x\nb: 1\n');
  assert.equal(edited('a: 1\n', (o) => (o.b = { c: [{ d: 1, e: [] }, 'f'], g: {} })), 'a: 1\nb:\n  c:\n    - d: 1\n      e: []\n    - f\n  g: {}\n');
  assert.equal(edited('a: 1', (o) => (o.b = 2)), 'a: 1\nb: 2\n');
});

test('an empty value that now holds a collection gets its lines under its key', () => {
  assert.equal(edited('m:\n  a:\n  b: {} # c\n  d: []\nz: 1\n', (o) => {
    o.m.a = { x: 'multi\nline\n' };
    o.m.b = { k: 1 };
    o.m.d = [{ j: 1 }];
  }), 'm:\n  a:\n    x: |\n      multi\n      line\n  b: # c\n    k: 1\n  d:\n    - j: 1\nz: 1\n');
});

test('a {} alone on the line after its key is replaced by the new lines', () => {
  assert.equal(edited('metadata:\n  annotations:\n    {}\nspec: 1\n', (o) => (o.metadata.annotations = { a: 'b', c: 'd' })), 'metadata:\n  annotations:\n    a: b\n    c: d\nspec: 1\n');
});

test('an object that needs no change gives its text back untouched', () => {
  assert.equal(edited(DEPLOYMENT, () => undefined), DEPLOYMENT);
});

test('what it does not edit it declines', () => {
  assert.equal(edited(DEPLOYMENT, (o) => delete o.metadata.labels), undefined, 'a removed key');
  assert.equal(edited(DEPLOYMENT, (o) => o.spec.template.spec.volumes.push({ name: 'x' })), undefined, 'a longer sequence');
  assert.equal(edited(DEPLOYMENT, (o) => (o.metadata.labels = 'x')), undefined, 'a mapping becoming a scalar');
  assert.equal(edited('a:\n  {} # c\n', (o) => (o.a.b = 1)), undefined, 'a key new to a {} with a comment on the next line');
  assert.equal(edited('a:\n  b: |+\n    x\n\n', (o) => (o.a.c = 1)), undefined, 'a key after a |+ scalar with trailing lines');
  assert.equal(edited('a: 1\n', (o) => (o.b = [[1]])), undefined, 'a sequence in a sequence');
});

test('new scalars are written so that YAML 1.1 reads them back as the same value', () => {
  const values = ['yes', 'no', 'on', 'y', '1.0', '010', '0x1F', '1_000', '~', 'null', '', ' lead', 'trail ', 'a: b', 'a #b', '-x', '- x', '@x', '*x', '!x', '%x',
    'x\ty', 'caf\u00e9', '\u{1F600}', '\u2028', 'web-2-0-0', 'app.kubernetes.io/name', 'true', 12, -3, 1.5, 1e21, 0.1, true, false, null];
  for (const v of values) {
    assert.deepEqual(read(`k: ${scalar(v)}\n`), { k: v }, JSON.stringify(v));
    assert.deepEqual(read(`k: ${scalar(v, true)}\n`), { k: v }, `${JSON.stringify(v)} in block context`);
    assert.deepEqual(read(`k: [${scalar(v)}]\n`), { k: [v] }, `${JSON.stringify(v)} in a flow sequence`);
  }
  assert.equal(scalar('web-2-0-0'), 'web-2-0-0');
  assert.equal(scalar('2.0.0'), '2.0.0');
  assert.equal(scalar('1.0'), '"1.0"');
});

test('new documents print as block YAML that reads back as the object', () => {
  const texts = ['one\ntwo\n', 'one\ntwo', 'trailing\n\n', ' lead\nx\n', '\nfirst blank\n', 'tab\there\n', 'nel\u0085\n', 'a: b\n# not a comment\n', 'x\n\n\ny\n'];
  const obj = {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: 'web-config-2-0-0', labels: { 'switchyard.dev/version': '2.0.0', n: '010' }, annotations: {} },
    data: Object.fromEntries(texts.map((t, i) => [`f${i}.conf`, t])),
    list: [{ a: 1, b: [] }, 'x y', { c: { d: null } }, {}, true, 1.5],
    empty: [], words: 'plain words here', url: 'http://x:80/y', hash: 'a #b', quote: "it's \"q\"",
  };
  const text = printBlock(obj);
  assert.deepEqual(read(text), obj, text);
  assert.match(text, /^  f0\.conf: \|\n    one\n    two\n/m);
  assert.match(text, /^  f1\.conf: \|-\n    one\n    two\n/m);
  assert.match(text, /^words: plain words here$/m);
});
