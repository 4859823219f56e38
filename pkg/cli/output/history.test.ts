import { test } from 'node:test';
import assert from 'node:assert/strict';
import { history } from './fixture.ts';
import { historyMessage, noHistoryFound, renderHistory } from './history.ts';
import { createStyle } from './style.ts';

const plain = createStyle(false);

test('history is a table oldest first, times in UTC to the second, dashes for missing fields', () => {
  assert.equal(
    renderHistory(history(), plain),
    [
      'TIME                   EVENT           VERSION   WEIGHT   MESSAGE',
      '2026-11-23T10:00:00Z   Started         2.0.0     0%       canary 2.0.0 started',
      '2026-11-23T10:02:00Z   StepCompleted   2.0.0     10%      weight 10%',
      '2026-11-23T10:04:00Z   Paused          -         -        gate error-rate failed',
      '',
    ].join('\n'),
  );
});

test('a time with an offset is shown in UTC and one that does not parse is shown as stored', () => {
  const view = history();
  view.entries = [
    { at: '2026-11-23T12:00:00+02:00', event: 'Promoted', message: 'done' },
    { at: 'yesterday', event: 'Started', message: 'x' },
  ];
  assert.equal(
    renderHistory(view, plain),
    [
      'TIME                   EVENT      VERSION   WEIGHT   MESSAGE',
      '2026-11-23T10:00:00Z   Promoted   -         -        done',
      'yesterday              Started    -         -        x',
      '',
    ].join('\n'),
  );
});

test('no entries render nothing and the stderr line names the rollout', () => {
  const view = history();
  view.entries = [];
  assert.equal(renderHistory(view, plain), '');
  assert.equal(noHistoryFound(view), 'No history for rollout web in namespace prod.\n');
});

test('with colour the history is a box-drawn table', () => {
  const text = renderHistory(history(), createStyle(true));
  assert.ok(text.startsWith('┌'));
  assert.ok(text.includes('\x1b[1mTIME\x1b[22m'));
});

test('known kinds are formatted from their typed fields; unknown ones show their stored message', () => {
  const view = history();
  view.entries = [
    { at: '2026-11-23T10:00:00Z', event: 'Promoted', message: 'stored words', version: '2.0.0', previous: '1.0.0', weight: 100 },
    { at: '2026-11-23T10:01:00Z', event: 'TrafficReturned', message: 'stored words', version: '2.0.0', weight: 20, stable: '1.0.0' },
    { at: '2026-11-23T10:02:00Z', event: 'Promoted', message: 'an old entry without previous', version: '3.0.0', weight: 100 },
  ];
  const lines = renderHistory(view, plain).split('\n');
  assert.match(lines[1]!, /Promoted +2\.0\.0 +100% +2\.0\.0 is stable; 1\.0\.0 is retained for rollback$/);
  assert.match(lines[2]!, /TrafficReturned +2\.0\.0 +20% +2\.0\.0 was superseded holding 20% of traffic; that share is back on 1\.0\.0$/);
  assert.match(lines[3]!, /Promoted +3\.0\.0 +100% +an old entry without previous$/);
});

test('every kind has a line of its own and the message of an unknown kind is shown as stored', () => {
  assert.equal(historyMessage({ at: 'x', event: 'Pausing', message: 'stored', version: '2.0.0', weight: 25, durationMs: 90_000 }), 'pausing 1m30s at 25%');
  assert.equal(historyMessage({ at: 'x', event: 'Paused', message: 'stored', weight: 10, cause: 'request', by: 'ci@runner/1' }), 'paused by ci@runner/1');
  assert.equal(historyMessage({ at: 'x', event: 'Nope', message: 'stored' }), 'stored');
});
