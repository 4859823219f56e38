import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { cloneData } from './clone.ts';
import { KUBE_YAML } from './schema.ts';

test('cloneData copies plain data deeply, in key order, keeping undefined values', () => {
  const src = { b: 1, a: [1, { d: 'x', c: null }], u: undefined, t: true };
  const out = cloneData(src);
  assert.deepEqual(out, src);
  assert.deepEqual(Object.keys(out), ['b', 'a', 'u', 't']);
  assert.ok('u' in out);
  assert.notEqual(out.a, src.a);
  assert.notEqual(out.a[1], src.a[1]);
  (out.a[1] as { d: string }).d = 'y';
  assert.equal((src.a[1] as { d: string }).d, 'x');
});

test('cloneData keeps a __proto__ key as an own key, not as the prototype', () => {
  const src = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
  const out = cloneData(src);
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.deepEqual(Object.keys(out), ['__proto__', 'a']);
  assert.deepEqual(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, { polluted: true });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('cloneData copies what YAML tags make (!!omap, !!set, !!binary) as structuredClone does', () => {
  const src = parse('m: !!omap [{a: 1}]\ns: !!set {x: null}\nb: !!binary aGk=\n', KUBE_YAML) as Record<string, unknown>;
  const out = cloneData(src);
  assert.deepEqual(out, structuredClone(src));
  assert.notEqual(out.m, src.m);
  assert.ok(out.b instanceof Uint8Array);
});
