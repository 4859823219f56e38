import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childName, isDns1035Label, isLabelValue, labelSafeVersion, versionSlug } from './naming.ts';

test('a version becomes a label value: + turns into _, other characters into -', () => {
  assert.equal(labelSafeVersion('1.2.3+build.7'), '1.2.3_build.7');
  assert.equal(labelSafeVersion('v2/rc 1'), 'v2-rc-1');
  assert.equal(labelSafeVersion('--1.0--'), '1.0');
  assert.equal(labelSafeVersion('+++'), undefined);
});

test('an over-long version is cut to 63 characters with a hash that keeps it unique', () => {
  const a = labelSafeVersion(`1.0.0-${'a'.repeat(80)}`)!;
  const b = labelSafeVersion(`1.0.0-${'a'.repeat(81)}`)!;
  assert.ok(isLabelValue(a) && isLabelValue(b));
  assert.notEqual(a, b);
});

test('slugs are DNS-safe and lossy slugs get a hash so 1.2.3 and V1.2.3 differ', () => {
  assert.equal(versionSlug('1.2.3'), '1-2-3');
  assert.equal(versionSlug('v2.0.0-rc.1'), 'v2-0-0-rc-1');
  assert.match(versionSlug('V1.2.3'), /^v1-2-3-[a-z0-9]{5}$/);
  assert.notEqual(versionSlug('1.2.3_b'), versionSlug('1.2.3-b'));
});

test('child names stay valid Service names of at most 63 characters, deterministically', () => {
  const long = `svc-${'x'.repeat(70)}`;
  const name = childName(long, '1-2-3');
  assert.ok(isDns1035Label(name), name);
  assert.ok(name.endsWith('-1-2-3'));
  assert.equal(childName(long, '1-2-3'), name);
  assert.notEqual(childName(long, '1-2-4'), name);
  assert.equal(childName('web', 'canary'), 'web-canary');
});
