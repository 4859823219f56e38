import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration, parseSteps } from './state.ts';
import { isDeadLocalHolder } from './lease.ts';
import { hostname } from 'node:os';

test('steps parse weights, indefinite pauses and timed pauses', () => {
  assert.deepEqual(parseSteps('10, 25%,pause,pause:1m30s,100'), [{ kind: 'weight', weight: 10 }, { kind: 'weight', weight: 25 }, { kind: 'pause' }, { kind: 'pause', durationMs: 90_000 }, { kind: 'weight', weight: 100 }]);
  assert.throws(() => parseSteps('10,150'), /invalid step "150"/);
  assert.throws(() => parseSteps(''), /no steps/);
});

test('durations parse Go-style units and reject garbage', () => {
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('0'), 0);
  assert.throws(() => parseDuration('10 minutes'), /invalid duration/);
  assert.equal(formatDuration(90_000), '1m30s');
});

test('a lease holder that is a dead process on this host is recognised; a live one is not', () => {
  assert.equal(isDeadLocalHolder(`me@${hostname()}/${process.pid}`), false);
  assert.equal(isDeadLocalHolder(`me@${hostname()}/999999999`), true);
  assert.equal(isDeadLocalHolder('me@another-host/1'), false);
});
