import { test } from 'node:test';
import assert from 'node:assert/strict';
import { history } from './fixture.ts';
import { noHistoryFound, renderHistory } from './history.ts';
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
