import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from 'yaml';
import { syncDocument } from './sync-doc.ts';

const print = (text: string, target: unknown): string => {
  const doc = parseDocument(text);
  syncDocument(doc, target);
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
};

test('an unchanged object prints exactly as parsed, comments included', () => {
  const text = 'a: 1 # one\n# between\nb:\n  - "x"\n  - y\nc:\n  d: 1\n';
  assert.equal(print(text, { a: 1, b: ['x', 'y'], c: { d: 1 } }), text);
});

test('a changed value keeps the key order and the comments around it', () => {
  const text = 'z: 1\n# keep me\na: old # trailing\nm: 2\n';
  assert.equal(print(text, { z: 1, a: 'new', m: 2 }), 'z: 1\n# keep me\na: new # trailing\nm: 2\n');
});

test('new keys are appended and removed keys disappear', () => {
  assert.equal(print('a: 1\nb: 2\n', { a: 1, c: { d: [1] } }), 'a: 1\nc:\n  d:\n    - 1\n');
});

test('a quoted string that becomes a number loses its quotes', () => {
  assert.equal(print('a: "1"\n', { a: 2 }), 'a: 2\n');
});

test('a quoted string that stays a string keeps its quotes', () => {
  assert.equal(print('a: "x"\n', { a: 'y' }), 'a: "y"\n');
});

test('sequences shrink and grow by index', () => {
  assert.equal(print('s:\n  - 1\n  - 2\n  - 3\n', { s: [1, 5] }), 's:\n  - 1\n  - 5\n');
  assert.equal(print('s: [1]\n', { s: [1, 2] }), 's: [1, 2]\n');
});
