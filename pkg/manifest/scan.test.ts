import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { headOfDocument, parseBody } from './parse.ts';
import { scanHead } from './scan.ts';
import type { ScanResult } from './scan.ts';
import { splitRaw } from './split.ts';

// The line scanner must never accept what yaml refuses, and must read the same head as the
// parser. These tests compare the two on the corpus, on hand-picked traps and on mutations.

const corpusDir = new URL('../../testdata/corpus/charts/', import.meta.url);
const corpusBodies = readdirSync(corpusDir)
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => splitRaw(readFileSync(new URL(f, corpusDir), 'utf8')).map((raw) => raw.readBody()));

/** The parser's verdict in the scanner's terms: a head, 'empty', or the error message. */
function parserVerdict(body: string): string {
  try {
    const head = headOfDocument(parseBody(body, { docIndex: 0, source: undefined, line: 1 }, 100));
    return canonical(head);
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

function canonical(head: ScanResult | ReturnType<typeof headOfDocument>): string {
  if (typeof head === 'string') return head;
  return JSON.stringify([head.apiVersion, head.kind, head.name, head.namespace, head.hook, head.filename, [...head.labels]]);
}

/** Asserts the scanner's answer agrees with the parser's; returns whether the scanner answered. */
function agrees(body: string): boolean {
  const fast = scanHead(body);
  if (fast === 'complex') return false;
  assert.equal(canonical(fast), parserVerdict(body), `scanner and parser disagree on:\n${body}`);
  return true;
}

describe('the line scanner', () => {
  it('reads every corpus document as the parser does, and reads nearly all of them', () => {
    let scanned = 0;
    for (const body of corpusBodies) if (agrees(body)) scanned += 1;
    assert.ok(scanned >= corpusBodies.length - 10, `the scanner read only ${scanned} of ${corpusBodies.length} documents`);
  });

  const refused: [string, string][] = [
    ['a nested mapping on a key line', 'a: b: c\n'],
    ['a sequence on a key line', 'a: - b\n'],
    ['a duplicate key', 'a: 1\nb: 2\na: 3\n'],
    ['a duplicate key, once quoted', "a: 1\n'a': 2\n"],
    ['a duplicate key in a nested mapping', 'spec:\n  port: 1\n  path: x\n  port: 2\n'],
    ['a duplicate nested key, once quoted', 'spec:\n  port: 1\n  "port": 2\n'],
    ['a duplicate nested key, first quoted', "spec:\n  'port': 1\n  port: 2\n"],
    ['a duplicate nested key after many others', `spec:\n${Array.from({ length: 20 }, (_, i) => `  k${i}: ${i}\n`).join('')}  k3: again\n`],
    ['a duplicate key in a sequence item', 'spec:\n- name: a\n  port: 1\n  name: b\n'],
    ['a nested null key', 'spec:\n  null: 1\n'],
    ['a nested true key', 'spec:\n  True: 1\n'],
    ['a less indented continuation', 'a:\n  b: 1\n c: 2\n'],
    ['a more indented key', 'a: 1\n  b: 2\n'],
    ['a block scalar line at the key column', '- a: |\n  x\n'],
    ['more-indented leading blank lines in a block scalar', 'a: |\n\n      \n  x\n'],
    ['a comment glued to a quoted scalar', 'a: "x"#c\n'],
    ['text after a quoted scalar', "a: 'x' y\n"],
    ['an unclosed quote', 'a: "x\n'],
    ['a quoted continuation at the key column', "a:\n  b: 'x\n  y'\n"],
    ['a plain continuation after a comment', 'a: foo\n  # c\n  bar\n'],
    ['a bad escape', 'a: "\\q"\n'],
    ['a tab as indentation', 'a:\n\tb: 1\n'],
    ['a sequence item inside a mapping', 'a: 1\n- b\n'],
    ['a document end marker', 'a: 1\n...\nb: 2\n'],
    ['a lone CR as line break', 'a: 1\rb: 2\n'],
    ['a pair in a flow sequence', 'a: [b: c]\n'],
    ['a flow sequence over lines at its key\'s column', 'a: [b,\nc]\n'],
    ['a flow sequence never closed', 'a: [b,\n  c\n'],
    ['two commas in a flow sequence', 'a: [b,\n  , c]\n'],
    ['a dash ending a line of a flow sequence (a block sequence in a flow)', 'a: [b, -\n  ]\n'],
    ['a quoted item over lines in a flow sequence', 'a: [b,\n  "c\n  d"]\n'],
    ['a plain item over lines in a flow sequence', 'a: [b c\n  d]\n'],
    ['a comment glued to an item of a flow sequence', 'a: [b,\n  c,# x\n  ]\n'],
    ['text after a flow sequence over lines', 'a: [b,\n  c] d\n'],
    ['a flow mapping with a repeated key', 'a: {b: 1, b: 2}\n'],
    ['a nested flow mapping', 'a: {b: {c: 1}}\n'],
    ['a flow mapping with a trailing comma', 'a: {b: 1,}\n'],
    ['a flow mapping with an empty value', 'a: {b: , c: 1}\n'],
    ['a flow mapping with a key and no space', 'a: {b:1}\n'],
    ['labels as a flow mapping', 'apiVersion: v1\nkind: A\nmetadata:\n  name: a\n  labels: {app: web}\n'],
    ['metadata as a flow mapping', 'apiVersion: v1\nkind: A\nmetadata: {name: a}\n'],
    ['a head field as a flow sequence over lines', 'apiVersion: v1\nkind: A\nmetadata:\n  name: [a,\n    b]\n'],
    ['an anchor', 'a: &x 1\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a key of 1,100 characters', `${'k'.repeat(1100)}: v\n`],
    ['a numeric key', '1: a\n'],
    ['a plain scalar starting with a reserved character', 'a: @x\n'],
  ];
  for (const [name, body] of refused) {
    it(`leaves ${name} to the parser`, () => assert.equal(scanHead(body), 'complex'));
  }

  const accepted: [string, string][] = [
    ['multi-line plain scalars', 'apiVersion: v1\nkind: A\nmetadata:\n  name: a\nd: this\n  goes on\n\n  and on\n'],
    ['multi-line quoted scalars', "apiVersion: v1\nkind: A\nmetadata:\n  name: a\nd: 'it''s\n  # not a comment\n  x'\ne: \"a\\\n  b\"\n"],
    ['flow sequences of scalars', "apiVersion: v1\nkind: A\nmetadata:\n  name: a\nr: [\"\", 'b', c d, -e]\ns: []\n"],
    ['block scalars with chomping and comments', 'apiVersion: v1\nkind: A\nmetadata:\n  name: a\nd: |- # c\n  x\n\n   y\ne: >+\n  z\n'],
    ['compact nested sequences', 'apiVersion: v1\nkind: A\nmetadata:\n  name: a\nd:\n- - x\n  - y\n-\n  k: v\n'],
    ['a scalar on the line after its key', "apiVersion: v1\nkind: A\nmetadata:\n  name: a\nd:\n  'x'\ne:\n  {}\n"],
    ['nested keys of one length, and keys spelled like null, true or false', 'apiVersion: v1\nkind: A\nmetadata:\n  name: a\nspec:\n  port: 1\n  path: 2\n  pass: 3\n  nulls: 4\n  truth: 5\n  falsey: 6\n  f: 7\n  t: 8\n'],
    ['a nested mapping of many keys', `apiVersion: v1\nkind: A\nmetadata:\n  name: a\nspec:\n${Array.from({ length: 40 }, (_, i) => `  k${i}: ${i}\n`).join('')}  "q": x\n`],
    ['flow sequences over lines, with comments and a comma before the ]', 'apiVersion: v1\nkind: A\nmetadata:\n  name: a\nspec:\n  command: [\n    "/bin/sh", "-ec",\n    # a comment\n\n    \'sleep 5\', plain item,\n    ]\n  args: [a, b,] # c\n  more:\n  - [x,\n     y]\n'],
    ['flow mappings of scalars and flow sequences', 'apiVersion: v1\nkind: A\nmetadata:\n  name: a\nspec:\n  matchExpressions:\n    - {key: job-name, operator: NotIn, values: [rel-x-update]}\n    - { "key": \'a b\', operator: Exists } # c\n  empty: { }\n'],
    ['plain scalars starting with - and :', 'apiVersion: v1\nkind: A\nmetadata:\n  name: a\nargs:\n- -c\nport: :8080\n'],
  ];
  for (const [name, body] of accepted) {
    it(`reads ${name} itself`, () => assert.ok(agrees(body), 'the scanner left it to the parser'));
  }

  it('agrees with the parser on thousands of mutated documents', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const small = [...corpusBodies.filter((b) => b.length < 2000), ...accepted.map(([, body]) => body)];
    const inserts = [' ', ' ', ':', '-', '#', "'", '"', '\\', '|', '>', '[', ']', '{', '}', '&', '*', '!', '\t', '\n', '?', ',', '%', '@', '\r', 'a', '0', '\uFEFF'];
    let scanned = 0;
    for (let n = 0; n < 4000; n++) {
      let body = pick(small);
      for (let m = 1 + Math.floor(random() * 3); m > 0; m--) {
        const at = Math.floor(random() * body.length);
        const lines = body.split('\n');
        const line = Math.floor(random() * lines.length);
        const op = random();
        if (op < 0.35) body = body.slice(0, at) + pick(inserts) + body.slice(at);
        else if (op < 0.55) body = body.slice(0, at) + body.slice(at + 1);
        else if (op < 0.7) body = [...lines.slice(0, line), pick(lines), ...lines.slice(line)].join('\n');
        else if (op < 0.85) body = lines.map((l, i) => (i === line ? (random() < 0.5 ? ` ${l}` : l.replace(/^ /, '')) : l)).join('\n');
        else body = lines.map((l, i) => (i === line ? l.replace(/: (.*)$/, `:\n${' '.repeat(Math.floor(random() * 6))}$1`) : l)).join('\n');
      }
      if (agrees(body)) scanned += 1;
    }
    assert.ok(scanned > 500, `the scanner read only ${scanned} mutated documents`);
  });
});
