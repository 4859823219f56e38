import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodeTooOld } from './io.ts';

test('Node.js 22.19 and newer run the bundles; older ones get one line naming both versions', () => {
  for (const ok of ['22.19.0', '22.20.1', '23.0.0', '24.21.0', '26.1.0']) assert.equal(nodeTooOld(ok), undefined, ok);
  for (const old of ['20.20.2', '22.18.9', '18.0.0']) assert.match(nodeTooOld(old) ?? '', new RegExp(`needs Node\\.js 22\\.19 or newer; this is Node\\.js ${old.replaceAll('.', '\\.')}`), old);
});
