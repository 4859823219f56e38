import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Document } from 'yaml';
import { assemble, assembleOutput, ManifestError, outputBytes, outputText, parseDoc, printDoc, readStream, splitStream } from './index.ts';
import type { Decision, Doc } from './index.ts';

const input = [
  '---\n# Source: web/templates/svc.yaml\n',
  'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n',
  '---\n# Source: web/templates/cm.yaml\n',
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: "1"\n',
  '---\n# Source: web/templates/deploy.yaml\n',
  [
    '# The chart author wrote this.',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web # inline',
    "  labels: {app: web, 'tier': \"front\"}",
    'spec:',
    '  replicas: 2',
    '  # how many',
    '  template:',
    '    spec:',
    '      containers:',
    '      - name: web',
    '        image: "nginx:1.27"',
    "        args: ['--port', \"80\", plain]",
    '        command:',
    '        - sh',
    '        - -c',
    '        - |',
    '          exec nginx -g "daemon off;" --with-a-very-long-line-that-must-not-be-folded-by-the-printer-whatever-lineWidth-says',
    '',
  ].join('\n'),
].join('');

/** `doc` with another body (a Doc's line and text are read through its prototype, which a spread leaves behind). */
function withBody(doc: Doc, body: string): Doc {
  return { ...doc, line: doc.line, body, includes: (search) => body.includes(search) };
}

function docs(): Doc[] {
  return splitStream(input);
}

describe('assemble', () => {
  it('gives the input back when every document is kept', () => {
    assert.equal(assemble(docs(), new Map()), input);
    assert.equal(assemble(docs(), new Map([[1, { action: 'keep' }]])), input);
  });

  it('replaces a body under the original separator and # Source: comment', () => {
    const out = assemble(docs(), new Map([[1, { action: 'replace', body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n' }]]));
    assert.equal(
      out,
      input.replace('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: "1"\n', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n'),
    );
  });

  it('drops a document with its separator and comments', () => {
    const out = assemble(docs(), new Map([[1, { action: 'drop' }]]));
    assert.ok(!out.includes('cm.yaml'));
    assert.ok(!out.includes('ConfigMap'));
    assert.equal(splitStream(out).length, 2);
  });

  it('inserts documents after their anchor with its # Source: comment', () => {
    const decision: Decision = {
      action: 'keep',
      insertAfter: ['apiVersion: v1\nkind: Service\nmetadata:\n  name: web-v1\n', new Document({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-v2' } })],
    };
    const out = assemble(docs(), new Map([[0, decision]]));
    const svc = input.slice(0, input.indexOf('---\n# Source: web/templates/cm.yaml'));
    assert.ok(
      out.startsWith(
        `${svc}---\n# Source: web/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: web-v1\n` +
          '---\n# Source: web/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: web-v2\n---\n# Source: web/templates/cm.yaml\n',
      ),
      out,
    );
    assert.deepEqual(splitStream(out).map((d) => [d.source, d.head?.name]), [
      ['web/templates/svc.yaml', 'web'],
      ['web/templates/svc.yaml', 'web-v1'],
      ['web/templates/svc.yaml', 'web-v2'],
      ['web/templates/cm.yaml', 'cfg'],
      ['web/templates/deploy.yaml', 'web'],
    ]);
  });

  it('inserts after a dropped document, in its place', () => {
    const out = assemble(docs(), new Map([[2, { action: 'drop', insertAfter: ['apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-v1'] }]]));
    assert.ok(out.endsWith('---\n# Source: web/templates/deploy.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-v1\n'));
  });

  it('ends the output with a newline and never glues --- to content', () => {
    const unterminated = splitStream('apiVersion: v1\nkind: Service\nmetadata:\n  name: a');
    const out = assemble(unterminated, new Map([[0, { action: 'keep', insertAfter: ['apiVersion: v1\nkind: Service\nmetadata:\n  name: b'] }]]));
    assert.equal(out, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: b\n');
  });

  it('puts a replacement for an empty document on its own line', () => {
    const withEmpty = splitStream('---\n# Source: x/templates/a.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\n# Source: x/templates/empty.yaml');
    const out = assemble(withEmpty, new Map([[1, { action: 'replace', body: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: b\n' }]]));
    assert.ok(out.endsWith('---\n# Source: x/templates/empty.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: b\n'), out);
  });

  const refusals: { name: string; decisions: ReadonlyMap<number, Decision>; code: string }[] = [
    { name: 'a decision about a document that does not exist', decisions: new Map([[7, { action: 'drop' }]]), code: 'invalid-output' },
    { name: 'an empty replacement body', decisions: new Map([[0, { action: 'replace', body: '  \n' }]]), code: 'invalid-output' },
    { name: "a body holding a '---' line", decisions: new Map([[0, { action: 'replace', body: 'a: 1\n---\nb: 2\n' }]]), code: 'invalid-output' },
    {
      name: 'dropping every resource',
      decisions: new Map<number, Decision>([[0, { action: 'drop' }], [1, { action: 'drop' }], [2, { action: 'drop' }]]),
      code: 'empty',
    },
  ];
  for (const r of refusals) {
    it(`refuses ${r.name}`, () => {
      assert.throws(() => assemble(docs(), r.decisions), (error: unknown) => error instanceof ManifestError && error.code === r.code);
    });
  }
});

describe('parseDoc and printDoc', () => {
  it('print an unchanged document back as it was parsed', () => {
    const deploy = docs()[2]!;
    assert.equal(printDoc(parseDoc(deploy)), deploy.body);
  });

  it('keep comments, key order, quoting and long lines in a changed document', () => {
    const deploy = docs()[2]!;
    const doc = parseDoc(deploy);
    doc.setIn(['spec', 'replicas'], 3);
    doc.setIn(['metadata', 'labels', 'switchyard.dev/version'], 'v1');
    const out = assemble(docs(), new Map([[2, { action: 'replace', body: doc }]]));
    const expected = deploy.body
      .replace('  replicas: 2', '  replicas: 3')
      .replace("{app: web, 'tier': \"front\"}", "{app: web, 'tier': \"front\", switchyard.dev/version: v1}");
    assert.equal(out, input.replace(deploy.body, expected));
  });

  it('print with four-space indentation and indented sequences when the original used them', () => {
    const [doc] = splitStream('apiVersion: v1\nkind: Pod\nmetadata:\n    name: p\nspec:\n    containers:\n        - name: c\n          image: x\n');
    const parsed = parseDoc(doc!);
    parsed.setIn(['metadata', 'name'], 'q');
    assert.equal(printDoc(parsed), 'apiVersion: v1\nkind: Pod\nmetadata:\n    name: q\nspec:\n    containers:\n        - name: c\n          image: x\n');
  });

  it('name the document, source, line and column when a document cannot be parsed', () => {
    const bad = withBody(docs()[1]!, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  labels: [a\n');
    assert.throws(() => parseDoc(bad), {
      code: 'yaml',
      message: /^document 2 \(web\/templates\/cm\.yaml\) at line 1[67], column \d+: /,
    });
  });

  it('read a repeated key as the API server does: the last one wins', () => {
    const doc = withBody(docs()[1]!, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  name: again\n');
    assert.equal((parseDoc(doc).toJS() as { metadata: { name: string } }).metadata.name, 'again');
  });

  it('refuse an empty document', () => {
    const empty = splitStream('---\n# Source: x.yaml\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: a\n')[0]!;
    assert.throws(() => parseDoc(empty), { code: 'not-a-resource' });
  });
});

describe('outputBytes', () => {
  const doc = (name: string, value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "${value}"\n`;
  // A byte-order mark, two- three- and four-byte characters, and a last document without its newline.
  const stream = `\uFEFF${doc('a', 'café')}---\n# Source: x/é.yaml\n${doc('b', '日本')}---\n${doc('c', 'plain')}---\n${doc('d', '🚀 ok').slice(0, -1)}`;

  it('is the UTF-8 of the output text, kept documents taken from the input bytes', () => {
    const bytes = Buffer.from(stream);
    const { docs } = readStream(bytes);
    const decisions = new Map<number, Decision>([
      [1, { action: 'replace', body: doc('b', 'ü') }],
      [2, { action: 'keep', insertAfter: [doc('c2', '€')] }],
    ]);
    const pieces = assembleOutput(docs, decisions);
    assert.equal(outputText(pieces), assemble(docs, decisions));
    assert.ok(outputBytes(pieces, bytes).equals(Buffer.from(outputText(pieces))));
    const kept = outputBytes(assembleOutput(docs, new Map()), bytes);
    assert.ok(kept.equals(Buffer.concat([bytes, Buffer.from('\n')])), 'all kept: the input, and the final newline it lacked');
  });

  it('reads an ASCII stream at its own offsets', () => {
    const ascii = Buffer.from(`${doc('a', 'x')}---\n${doc('b', 'y')}`);
    const { docs } = readStream(ascii);
    const pieces = assembleOutput(docs, new Map([[0, { action: 'drop' }]]));
    assert.equal(outputBytes(pieces, ascii).toString(), `---\n${doc('b', 'y')}`);
  });
});
