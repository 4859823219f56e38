import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { assemble, docText, ManifestError, splitStream } from './index.ts';
import type { Doc, DocHead } from './index.ts';

const corpusDir = new URL('../../testdata/corpus/charts/', import.meta.url);
const corpus = readdirSync(corpusDir).filter((f) => f.endsWith('.yaml')).sort();

describe('splitStream on the rendered-chart corpus', () => {
  it('finds the corpus', () => {
    assert.ok(corpus.length >= 100, `only ${corpus.length} corpus files`);
  });

  it('gives every corpus file back byte for byte, from bytes and from a string', () => {
    let resources = 0;
    for (const file of corpus) {
      const bytes = readFileSync(new URL(file, corpusDir));
      const text = bytes.toString('utf8');
      if (text.trim() === '') {
        assert.throws(() => splitStream(bytes), { code: 'empty' }, file);
        continue;
      }
      const docs = splitStream(bytes);
      assert.equal(docs.map(docText).join(''), text, file);
      assert.equal(assemble(docs, new Map()), text, `${file}: assemble with no decisions`);
      assert.deepEqual(docs.map((d) => d.index), docs.map((_, i) => i), file);
      assert.equal(splitStream(text).length, docs.length, file);
      resources += docs.filter((d) => d.head !== undefined).length;
    }
    assert.ok(resources > 1500, `only ${resources} resources in the corpus`);
  });

  it('reads the same documents from bytes (split on the bytes, each decoded on its own) as from the decoded string, at byte offsets', () => {
    const text = '\uFEFFapiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\u00e9\n---\n# Source: chart/\u00fc.yaml\n\napiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: x\r\ndata:\r\n  a: "\u65e5\u672c \u{1F600}"\r\n--- \napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ascii\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: last';
    const fromBytes = splitStream(Buffer.from(text, 'utf8'));
    const fromText = splitStream(text);
    assert.deepEqual(fromBytes.map((d) => [d.prefix, d.body, d.source, d.line]), fromText.map((d) => [d.prefix, d.body, d.source, d.line]));
    const bytesAt = (offset: number): number => Buffer.byteLength(text.slice(0, offset));
    assert.deepEqual(fromBytes.map((d) => [d.offset, d.end]), fromText.map((d) => [bytesAt(d.offset), bytesAt(d.end)]));
    assert.deepEqual(fromBytes.map((d) => d.head?.name), ['caf\u00e9', 'x', 'ascii', 'last']);
  });

  it('keeps no document text alive for a stream read from bytes: each body is decoded again when asked', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // 200 documents of 40 kB whose head values (names, labels) are long enough to be slices of their body.
    const body = (n: number): string =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a-config-map-with-a-long-name-${n}\n  labels:\n    app.kubernetes.io/name: a-long-label-value-${n}\ndata:\n  blob: ${'x'.repeat(40_000)}\n`;
    const bytes = Buffer.from(Array.from({ length: 200 }, (_, n) => `---\n${body(n)}`).join(''));
    gc();
    const before = process.memoryUsage().heapUsed;
    const docs = splitStream(bytes);
    gc();
    const held = process.memoryUsage().heapUsed - before;
    assert.ok(held < bytes.length / 4, `${docs.length} documents hold ${held} bytes of heap for ${bytes.length} bytes of input`);
    assert.equal(docs[7]!.head?.name, 'a-config-map-with-a-long-name-7');
    assert.equal(docs[7]!.body, body(7));
    assert.equal(docs[7]!.includes('a-long-label-value-7'), true);
    assert.equal(docs[7]!.includes('a-long-label-value-8'), false);
    const fromText = splitStream(bytes.toString('utf8'));
    assert.equal(fromText[7]!.includes('a-long-label-value-7'), true);
    assert.equal(fromText[7]!.includes('a-long-label-value-8'), false, 'only the document itself is searched');
  });

  it('names every corpus document after its # Source: comment', () => {
    const docs = splitStream(readFileSync(new URL('bitnami-apache.yaml', corpusDir)));
    for (const doc of docs) assert.match(doc.source ?? '', /^apache\/templates\/[\w/.-]+\.yaml$/);
    const service = docs.find((d) => d.head?.kind === 'Service');
    assert.equal(service?.head?.name, 'rel-apache');
    assert.equal(service?.head?.namespace, 'demo');
    assert.equal(service?.head?.labels.get('app.kubernetes.io/name'), 'apache');
  });
});

function head(partial: Partial<DocHead> & Pick<DocHead, 'apiVersion' | 'kind' | 'name'>): DocHead {
  return { namespace: undefined, hook: false, filename: undefined, labels: new Map(), ...partial };
}

function only(docs: Doc[]): Doc {
  const resources = docs.filter((d) => d.head !== undefined);
  assert.equal(resources.length, 1);
  return resources[0]!;
}

describe('splitStream reads heads', () => {
  const cases: { name: string; input: string; head: DocHead; source?: string }[] = [
    {
      name: 'kind before apiVersion',
      input: 'kind: Service\napiVersion: v1\nmetadata:\n  name: web\n',
      head: head({ apiVersion: 'v1', kind: 'Service', name: 'web' }),
    },
    {
      name: 'quoted values, escapes and quoted keys',
      input: `apiVersion: "v1"\nkind: 'Service'\nmetadata:\n  name: "w\\x65b"\n  namespace: 'it''s'\n  labels:\n    "app": "a: b"\n    'tier': x # comment\n`,
      head: head({ apiVersion: 'v1', kind: 'Service', name: 'web', namespace: "it's", labels: new Map([['app', 'a: b'], ['tier', 'x']]) }),
    },
    {
      name: 'metadata after spec',
      input: 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: 1\n  template:\n    metadata:\n      name: not-this\nmetadata:\n  name: web\n  namespace: demo\n',
      head: head({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'demo' }),
    },
    {
      name: 'Helm 4 shape: no # Source:, the file-name annotation, a hook',
      input:
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: pre-install\n    postrenderer.helm.sh/postrender-filename: 'web/templates/job.yaml'\n  name: migrate\nspec:\n  template:\n    spec:\n      containers:\n      - name: m\n        image: busybox\n",
      head: head({ apiVersion: 'batch/v1', kind: 'Job', name: 'migrate', hook: true, filename: 'web/templates/job.yaml' }),
      source: 'web/templates/job.yaml',
    },
    {
      name: 'CRLF line endings',
      input: '---\r\n# Source: web/templates/svc.yaml\r\napiVersion: v1\r\nkind: Service\r\nmetadata:\r\n  name: web\r\n  labels:\r\n    app: web\r\n',
      head: head({ apiVersion: 'v1', kind: 'Service', name: 'web', labels: new Map([['app', 'web']]) }),
      source: 'web/templates/svc.yaml',
    },
    {
      name: 'a document that starts with comments',
      input: '---\n# Source: web/templates/cm.yaml\n# a note from the chart\n\n# another\napiVersion: v1\n# inside\nkind: ConfigMap\nmetadata:\n  name: cm\n',
      head: head({ apiVersion: 'v1', kind: 'ConfigMap', name: 'cm' }),
      source: 'web/templates/cm.yaml',
    },
    {
      name: 'labels with numbers and booleans as written, null labels left out',
      input: 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels:\n    version: 1.10\n    canary: true\n    gone: ~\n    empty:\n',
      head: head({ apiVersion: 'v1', kind: 'Pod', name: 'p', labels: new Map([['version', '1.10'], ['canary', 'true']]) }),
    },
    {
      name: 'a flow-style (JSON) document, read by the parser',
      input: '{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "labels": {"a": "b"}}}\n',
      head: head({ apiVersion: 'v1', kind: 'Secret', name: 's', labels: new Map([['a', 'b']]) }),
    },
    {
      name: 'anchors and aliases, read by the parser',
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: &n cm\n  labels:\n    name: *n\n',
      head: head({ apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', labels: new Map([['name', 'cm']]) }),
    },
  ];
  for (const c of cases) {
    it(`reads the head with ${c.name}`, () => {
      const docs = splitStream(c.input);
      assert.equal(docs.map(docText).join(''), c.input);
      const doc = only(docs);
      assert.deepEqual(doc.head, c.head);
      assert.equal(doc.source, c.source);
    });
  }
});

describe('splitStream on Helm 4 input', () => {
  // kyaml's output: no '# Source:' comments, no leading '---', the file-name annotation on
  // every document, hooks included, sequences not indented.
  const input = [
    'apiVersion: v1\nkind: Service\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: web/templates/svc.yaml\n  name: web\nspec:\n  ports:\n  - port: 80\n',
    '---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: post-install\n    postrenderer.helm.sh/postrender-filename: web/templates/tests/test.yaml\n  name: web-test\n',
    "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations:\n    'postrenderer.helm.sh/postrender-filename': 'web/templates/cm.yaml'\n  name: cfg\ndata:\n  a: {\"b\": 1}\n",
  ].join('');

  it('names each document after its annotation and marks hooks', () => {
    const docs = splitStream(input);
    assert.equal(docs.map(docText).join(''), input);
    assert.deepEqual(
      docs.map((d) => [d.source, d.head?.kind, d.head?.hook]),
      [
        ['web/templates/svc.yaml', 'Service', false],
        ['web/templates/tests/test.yaml', 'Job', true],
        ['web/templates/cm.yaml', 'ConfigMap', false],
      ],
    );
  });

  it('names the annotation in errors about a document whose head cannot be read', () => {
    const broken = `${input}---\napiVersion: v1\nkind: Secret\nmetadata:\n  annotations:\n    postrenderer.helm.sh/postrender-filename: web/templates/secret.yaml\n  name: [s\n`;
    assert.throws(() => splitStream(broken), { code: 'yaml', message: /^document 4 \(web\/templates\/secret\.yaml\) at line 3[3-5], column \d+: / });
  });
});

describe('splitStream keeps separators and empty documents', () => {
  const svc = (name: string): string => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n`;
  const cases: { name: string; input: string; prefixes: string[]; names: (string | undefined)[] }[] = [
    { name: 'no leading ---', input: `${svc('a')}---\n${svc('b')}`, prefixes: ['', '---\n'], names: ['a', 'b'] },
    { name: 'a leading ---', input: `---\n${svc('a')}---\n${svc('b')}`, prefixes: ['---\n', '---\n'], names: ['a', 'b'] },
    { name: '--- with trailing spaces', input: `---   \n${svc('a')}--- \t\n${svc('b')}`, prefixes: ['---   \n', '--- \t\n'], names: ['a', 'b'] },
    { name: '--- followed by a comment', input: `--- # first\n${svc('a')}---\t# second\n${svc('b')}`, prefixes: ['--- # first\n', '---\t# second\n'], names: ['a', 'b'] },
    { name: 'no trailing newline', input: `---\n${svc('a')}---\n${svc('b').trimEnd()}`, prefixes: ['---\n', '---\n'], names: ['a', 'b'] },
    {
      name: 'empty documents (comments only)',
      input: `---\n# Source: x/templates/empty.yaml\n---\n# Source: x/templates/svc.yaml\n${svc('a')}---\n\n`,
      prefixes: ['---\n# Source: x/templates/empty.yaml\n', '---\n# Source: x/templates/svc.yaml\n', '---\n\n'],
      names: [undefined, 'a', undefined],
    },
    { name: 'a lone --- at the end', input: `${svc('a')}---`, prefixes: ['', '---'], names: ['a', undefined] },
    { name: '---text, which is not a separator', input: `${svc('a')}---x: 1\n`, prefixes: [''], names: ['a'] },
  ];
  for (const c of cases) {
    it(`splits a stream with ${c.name}`, () => {
      const docs = splitStream(c.input);
      assert.equal(docs.map(docText).join(''), c.input);
      assert.deepEqual(docs.map((d) => d.prefix), c.prefixes);
      assert.deepEqual(docs.map((d) => d.head?.name), c.names);
    });
  }

  it('records the stream line at which each body starts', () => {
    const docs = splitStream(`---\n# Source: a.yaml\n${svc('a')}---\n\n# c\n${svc('b')}`);
    assert.deepEqual(docs.map((d) => d.line), [3, 10]);
  });

  it('keeps a byte-order mark at the start', () => {
    const input = `\uFEFF${svc('a')}`;
    const docs = splitStream(Buffer.from(input));
    assert.equal(docs.map(docText).join(''), input);
    assert.equal(docs[0]?.head?.name, 'a');
  });

  it('refuses content on a separator line, which Helm 4 cannot read', () => {
    assert.throws(() => splitStream(`${svc('a')}--- ${svc('b')}`), (error: unknown) => {
      assert.ok(error instanceof ManifestError);
      assert.equal(error.code, 'yaml');
      assert.equal(error.docIndex, 1);
      assert.match(error.message, /^document 2 at line 5, column 4: content after the '---' separator/);
      return true;
    });
  });
});
