import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { fastParse, resolvePlain, scalarTags } from './fast-parse.ts';
import type { Node } from './fast-parse.ts';
import { KUBE_YAML } from './schema.ts';
import { splitStream } from './stream.ts';

// The fast reader against yaml itself: on every document of the corpus it either declines
// or gives exactly yaml's object, and every position it records holds that node's text.

const corpus = join(import.meta.dirname, '../../testdata/corpus/charts');

function yamlObject(body: string): unknown {
  return parseDocument(body, KUBE_YAML).toJS({ maxAliasCount: 100 });
}

/** Each leaf's recorded text, read back through yaml, is its value. */
function checkPositions(body: string, node: Node, where: string): void {
  if (node.kind === 'map') for (const [k, child] of node.entries) checkPositions(body, child, `${where}.${k}`);
  else if (node.kind === 'seq') node.items.forEach((child, i) => checkPositions(body, child, `${where}[${i}]`));
  else if (node.start === node.end) assert.equal(node.value, null, where);
  else if (body[node.start] === '|') {
    // A literal block: header to last content line, read back under a key at column 0.
    // (The range stops before a `|+` scalar's trailing empty lines, which its value keeps.)
    const read = (yamlObject(`x: ${body.slice(node.start, node.end)}\n`) as { x: string }).x;
    const value = node.value as string;
    if (body[node.start + 1] === '+') assert.equal(read.replace(/\n+$/, ''), value.replace(/\n+$/, ''), where);
    else assert.equal(read, value, where);
  }
  else assert.deepEqual((yamlObject(`x: ${body.slice(node.start, node.end)}\n`) as { x: unknown }).x, node.value, `${where}: ${body.slice(node.start, node.end)}`);
}

test('on every corpus document the fast reader declines or reads what yaml reads, and its positions hold the values', () => {
  let read = 0;
  let declined = 0;
  for (const file of readdirSync(corpus).filter((f) => f.endsWith('.yaml')).sort()) {
    let docs;
    try {
      docs = splitStream(readFileSync(join(corpus, file), 'utf8'));
    } catch {
      continue; // a chart that renders nothing
    }
    for (const doc of docs) {
      if (doc.head === undefined) continue;
      const fast = fastParse(doc.body);
      if (fast === undefined) {
        declined++;
        continue;
      }
      read++;
      const where = `${file} #${doc.index} ${doc.head.kind} ${doc.head.name}`;
      assert.deepEqual(fast.object, yamlObject(doc.body), where);
      checkPositions(doc.body, fast.root, where);
    }
  }
  assert.ok(read > 1500, `${read} read, ${declined} declined`);
});

const CASES: [string, string][] = [
  ['plain scalars resolve as YAML 1.1', 'a: yes\nb: off\nc: 0x1F\nd: 0o17\ne: 017\nf: 1_000\ng: 1.50\nh: .inf\ni: ~\nj: null\nk: 2001-12-14\nl: 190:20:30\nm: true\nn: "true"\no: y\n'],
  ['keys resolve and become strings', 'yes: 1\n80: http\n0x10: hex\n"quoted key": 2\n\'single\': 3\n'],
  ['literal block scalars keep, clip and strip', 'a: |\n  one\n   two\n\n  three\n\n\nb: |-\n  x\n\nc: |+\n  y\n\n\nd: |\n\n  lead\ne: 1\n'],
  ['literal block scalar in a sequence, and spaces-only lines', 'a:\n- |\n  x\n    \n  y\n- z\n'],
  ['compact and indented sequences', 'a:\n- name: x\n  ports:\n  - containerPort: 80\n    protocol: TCP\n  env: []\n- name: y\nb:\n  - 1\n  -\n  - 2\n'],
  ['flow sequences and empty mappings', 'a: [1, "two", \'three\', four five, yes]\nb: {}\nc: []\n'],
  ['comments everywhere', '# top\na: 1 # after\n  # indented\nb:\n  # inside\n  c: "x" # q\n'],
  ['values on the line after their key or dash', 'a:\n  {}\nb:\n  "x"\nc:\n-\n  plain\nd:\n  |\n   lit\ne: 1\n'],
  ['nulls from missing values', 'a:\nb:\n  c:\nd:\n-\n- x\n'],
  ['unicode and escapes', 'a: "caf\\u00e9 \\U0001F600 \\n\\t\\"x\\""\nb: \'it\'\'s\'\nc: héllo wörld\n'],
];

for (const [name, body] of CASES) {
  test(`the fast reader reads what yaml reads: ${name}`, () => {
    const fast = fastParse(body);
    assert.ok(fast !== undefined, 'declined');
    assert.deepEqual(fast.object, yamlObject(body));
    checkPositions(body, fast.root, name);
  });
}

test('the fast reader declines what it does not read', () => {
  for (const body of [
    'a: &x 1\nb: *x\n', 'a: !!str 1\n', 'a: {b: 1}\n', 'a: >\n  folded\n', 'a: "multi\n  line"\n', 'a: plain\n  continued\n',
    '? complex\n: key\n', '<<: {a: 1}\n', 'a: 1\na: 2\n', '__proto__: 1\n', 'a:\r\n  b: 1\r\n', 'a:\n\tb: 1\n', '- a\n- b\n', 'just a scalar\n',
    'a: |2\n   x\n', 'a: |\n  x', '- - a\n', '%YAML 1.1\n---\na: 1\n',
  ]) assert.equal(fastParse(body), undefined, JSON.stringify(body));
});

test("resolvePlain's first-character shortcut agrees with trying every tag of the schema", () => {
  // The shortcut was derived from these tests: a change to them (a yaml upgrade) must revisit it.
  assert.deepEqual(scalarTags().map((t) => String(t.test)), [
    '/^(?:~|[Nn]ull|NULL)?$/',
    '/^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/',
    '/^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/',
    '/^[-+]?0b[0-1_]+$/',
    '/^[-+]?0[0-7_]+$/',
    '/^[-+]?[0-9][0-9_]*$/',
    '/^[-+]?0x[0-9a-fA-F_]+$/',
    '/^(?:[-+]?\\.(?:inf|Inf|INF)|\\.nan|\\.NaN|\\.NAN)$/',
    '/^[-+]?(?:[0-9][0-9_]*)?(?:\\.[0-9_]*)?[eE][-+]?[0-9]+$/',
    '/^[-+]?(?:[0-9][0-9_]*)?\\.[0-9_]*$/',
    '/^[-+]?0o[0-7]+$/',
  ]);
  const slow = (s: string): unknown => {
    for (const tag of scalarTags()) if (tag.test!.test(s)) return resolvePlainBy(tag, s);
    return s;
  };
  const chars = [...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), 'é', '\u{1F600}'];
  const words = ['', 'e5', 'E10', 'yes', 'Off', 'NULL', '.inf', '-.5', '+0x1F', '0o17', '0b101', '1_000', 'nginx', 'http', 'TCP', '~'];
  for (const a of chars) for (const b of ['', ...chars]) words.push(a + b);
  for (const s of words) assert.deepEqual(resolvePlain(s), slow(s), JSON.stringify(s));
});

function resolvePlainBy(tag: ReturnType<typeof scalarTags>[number], s: string): unknown {
  const out = tag.resolve(s, () => undefined, { intAsBigInt: false } as never);
  return typeof out === 'object' && out !== null && 'value' in out ? (out as { value: unknown }).value : out;
}
