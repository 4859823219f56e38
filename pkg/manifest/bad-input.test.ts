import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManifestError, splitStream } from './index.ts';
import type { ManifestErrorCode, ManifestLimits } from './index.ts';

const good = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n';

/** A stream whose second document, from chart/templates/bad.yaml, is `body`. */
function stream(body: string): string {
  return `---\n# Source: chart/templates/svc.yaml\n${good}---\n# Source: chart/templates/bad.yaml\n${body}`;
}

function aliasBomb(levels: number, refs: number): string {
  const lines = ['apiVersion: v1', 'kind: Secret', 'metadata:', '  name: bomb', 'stringData:'];
  lines.push(`  l0: &l0 [${Array(refs).fill('"lol"').join(', ')}]`);
  for (let l = 1; l < levels; l++) lines.push(`  l${l}: &l${l} [${Array(refs).fill(`*l${l - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

function expectError(
  input: string | Uint8Array,
  code: ManifestErrorCode,
  message: RegExp,
  docIndex?: number,
  limits?: ManifestLimits,
): void {
  assert.throws(
    () => splitStream(input, limits),
    (error: unknown) => {
      assert.ok(error instanceof ManifestError, `not a ManifestError: ${String(error)}`);
      assert.equal(error.code, code, error.message);
      assert.equal(error.docIndex, docIndex, error.message);
      assert.doesNotMatch(error.message, /\n/);
      assert.match(error.message, message);
      return true;
    },
  );
}

const BAD = /^document 2 \(chart\/templates\/bad\.yaml\)/;

describe('splitStream rejects bad input', () => {
  const cases: { name: string; body: string; code: ManifestErrorCode; message: RegExp }[] = [
    {
      name: 'malformed YAML in a resource',
      body: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n   port: 80\n',
      code: 'yaml',
      message: /^document 2 \(chart\/templates\/bad\.yaml\) at line 1[0-9], column \d+: /,
    },
    {
      name: 'an unclosed quote in an untouched ConfigMap',
      body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: "never closed\n',
      code: 'yaml',
      message: BAD,
    },
    {
      name: 'a tab used as indentation',
      body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: cm\n',
      code: 'yaml',
      message: BAD,
    },
    { name: 'an alias bomb (9 levels of 9 aliases) in a Secret', body: aliasBomb(9, 9), code: 'alias-limit', message: BAD },
    {
      name: 'an alias to an anchor that does not exist',
      body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: *nowhere\n',
      code: 'yaml',
      message: BAD,
    },
    { name: 'a document without kind', body: 'apiVersion: v1\nmetadata:\n  name: web\n', code: 'not-a-resource', message: /missing kind$/ },
    {
      name: 'a document without metadata.name',
      body: 'apiVersion: v1\nkind: Service\nmetadata:\n  generateName: web-\n',
      code: 'not-a-resource',
      message: /\(kind Service\): missing metadata\.name$/,
    },
    { name: 'a scalar document', body: 'just some text\n', code: 'not-a-resource', message: /the document is a scalar/ },
    { name: 'a list document', body: '- apiVersion: v1\n  kind: Service\n', code: 'not-a-resource', message: /the document is a sequence/ },
    {
      name: "a '...' end marker followed by more content",
      body: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n...\nkind: Other\n',
      code: 'yaml',
      message: BAD,
    },
    {
      name: 'nesting deep enough to exhaust the stack',
      body: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata: ${'['.repeat(200_000)}${']'.repeat(200_000)}\n`,
      code: 'yaml',
      message: BAD,
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.name} with code ${c.code}`, () => expectError(stream(c.body), c.code, c.message, 1));
  }

  it('rejects a 50 MB document with code too-large before parsing it', () => {
    const big = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  blob: ${'x'.repeat(50 * 1024 * 1024)}\n`;
    expectError(stream(big), 'too-large', /^document 2 \(chart\/templates\/bad\.yaml\) at line 12: the document is larger than the limit of 8388608 bytes$/, 1);
  });

  it('counts bytes, not characters, against the document limit', () => {
    const body = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: wide\ndata:\n  a: ${'é'.repeat(600)}\n`;
    const bytes = Buffer.byteLength(`---\n# Source: chart/templates/bad.yaml\n${body}`);
    assert.ok(bytes > body.length + 600);
    assert.equal(splitStream(stream(body), { maxDocumentBytes: bytes }).length, 2);
    const message = new RegExp(`: the document is ${bytes} bytes, over the limit of ${bytes - 1} bytes$`);
    expectError(stream(body), 'too-large', message, 1, { maxDocumentBytes: bytes - 1 });
    expectError(Buffer.from(stream(body)), 'too-large', message, 1, { maxDocumentBytes: bytes - 1 });
    assert.equal(splitStream(Buffer.from(stream(body)), { maxDocumentBytes: bytes }).length, 2);
  });

  it('rejects a stream over the stream limit with code too-large', () => {
    const limits = { maxStreamBytes: 100 };
    expectError(Buffer.from(stream(good)), 'too-large', /^input is \d+ bytes, over the limit of 100 bytes$/, undefined, limits);
    expectError(stream(good), 'too-large', /^input is \d+ bytes, over the limit of 100 bytes$/, undefined, limits);
  });

  it('rejects binary garbage with code not-text', () => {
    let seed = 42;
    const garbage = new Uint8Array(4096).map(() => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed & 0xff;
    });
    garbage[100] = 0;
    expectError(garbage, 'not-text', /^document 1 at line \d+, column \d+: input is not text: invalid UTF-8 at byte \d+$/, 0);
  });

  it('rejects a NUL byte in otherwise valid UTF-8 with code not-text, naming the document', () => {
    const input = Buffer.from(stream('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: "\u0000"\n'));
    expectError(input, 'not-text', /^document 2 \(chart\/templates\/bad\.yaml\) at line 17, column 7: input is not text: control character U\+0000$/, 1);
  });

  it('reports a control character before a YAML error in an earlier document, from bytes as from text', () => {
    const text = `${stream('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [cm\n')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nul\ndata:\n  a: "\u0001"\n`;
    const message = /^document 3 at line \d+, column \d+: input is not text: control character U\+0001$/;
    expectError(text, 'not-text', message, 2);
    expectError(Buffer.from(text), 'not-text', message, 2);
  });

  it('rejects a string with a lone surrogate with code not-text', () => {
    expectError(stream(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "\uD800"\n`), 'not-text', /lone UTF-16 surrogate/);
  });

  it('rejects an empty stream with code empty', () => {
    expectError('', 'empty', /^no Kubernetes resources in the input: the input is empty$/);
    expectError(new Uint8Array(0), 'empty', /^no Kubernetes resources in the input/);
  });

  it('rejects a stream of empty documents with code empty', () => {
    expectError('---\n# Source: x/templates/a.yaml\n---\n# only a comment\n', 'empty', /only 2 empty documents$/);
  });

  it('rejects 20,000 distinct anchors and aliases with code alias-limit without resolving them', () => {
    const pairs = Array.from({ length: 20_000 }, (_, i) => `  k${i}: &a${i} v\n  r${i}: *a${i}\n`).join('');
    const started = performance.now();
    expectError(stream(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n${pairs}`), 'alias-limit', /20000 aliases, over the limit of 1000/, 1);
    assert.ok(performance.now() - started < 20_000, 'took longer than 20 s');
  });

  it('checks a mapping with 100,000 keys for duplicates in linear time', () => {
    const keys = Array.from({ length: 100_000 }, (_, i) => `"k${i}": "v"`).join(', ');
    const body = `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "wide"}, "data": {${keys}, "k5": "again"}}\n`;
    const started = performance.now();
    const doc = splitStream(stream(body))[1]!;
    assert.deepEqual(doc.duplicateKeys.map((d) => d.key), ['k5']);
    assert.ok(performance.now() - started < 20_000, 'took longer than 20 s');
  });
});

describe('splitStream accepts repeated keys as the API server does', () => {
  it('lists them with their line and column, and reads the head from the last one', () => {
    const docs = splitStream(stream('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\n  name: cm\ndata:\n  a: "1"\n  b: "2"\n  "a": "3"\n'));
    const doc = docs[1]!;
    assert.equal(doc.head?.name, 'cm');
    assert.deepEqual(doc.duplicateKeys.map((d) => [d.key, d.line, d.column]), [['name', 16, 3], ['a', 20, 3]]);
    assert.deepEqual(docs[0]!.duplicateKeys, []);
  });

  it('in flow style too', () => {
    const doc = splitStream(stream('{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "name": "again"}}\n'))[1]!;
    assert.equal(doc.head?.name, 'again');
    assert.deepEqual(doc.duplicateKeys.map((d) => d.key), ['name']);
  });
});
