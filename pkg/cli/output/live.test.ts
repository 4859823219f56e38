import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AppStatus } from '../../rollout/view.ts';
import { healthy, progressing } from './fixture.ts';
import { frameRows, LiveView } from './live.ts';
import type { LiveViewOptions } from './live.ts';
import { renderStatus } from './status.ts';
import { createStyle } from './style.ts';

/** A stream that records what was written, with isTTY and columns as a terminal has them. */
function fakeStream(isTTY: boolean, columns?: number): { isTTY: boolean; columns?: number; writes: string[]; write(text: string): boolean } {
  const writes: string[] = [];
  return { isTTY, ...(columns === undefined ? {} : { columns }), writes, write: (text) => writes.push(text) > 0 };
}

/** A clock whose timers run only when the test advances it. */
function fakeClock(): Pick<LiveViewOptions, 'now' | 'setTimeout' | 'clearTimeout'> & { advance(ms: number): void; pending(): number } {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; run: () => void }>();
  return {
    now: () => now,
    setTimeout: (run, ms) => {
      timers.set(nextId, { at: now + ms, run });
      return nextId++;
    },
    clearTimeout: (handle) => void timers.delete(handle as number),
    pending: () => timers.size,
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (due === undefined) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].run();
      }
      now = end;
    },
  };
}

/** A one-line frame, so the expected escape sequences stay readable. */
const short = (view: AppStatus): string => `${view.phase} ${view.weight}%\n`;

function setup(isTTY: boolean, extra: Partial<LiveViewOptions> = {}): { view: LiveView; stream: ReturnType<typeof fakeStream>; clock: ReturnType<typeof fakeClock> } {
  const stream = fakeStream(isTTY, isTTY ? 80 : undefined);
  const clock = fakeClock();
  const view = new LiveView({ stream, env: {}, ...clock, render: short, ...extra });
  return { view, stream, clock };
}

function at(weight: number, phase: AppStatus['phase'] = 'Progressing'): AppStatus {
  return { ...progressing(), weight, phase };
}

test('many updates within 200 ms give one repaint, with the latest view', () => {
  const { view, stream, clock } = setup(true);
  view.update(at(10));
  assert.deepEqual(stream.writes, ['Progressing 10%\n'], 'the first update paints at once');
  for (const [ms, weight] of [[20, 11], [60, 12], [100, 13], [19, 14]] as const) {
    clock.advance(ms);
    view.update(at(weight));
  }
  assert.equal(stream.writes.length, 1, 'nothing more before 200 ms');
  assert.equal(clock.pending(), 1, 'one repaint is scheduled, not one per update');
  clock.advance(1);
  assert.deepEqual(stream.writes, ['Progressing 10%\n', '\x1b[1A\x1b[JProgressing 14%\n']);
  assert.equal(clock.pending(), 0);
});

test('an update after a quiet interval paints at once', () => {
  const { view, stream, clock } = setup(true);
  view.update(at(10));
  clock.advance(500);
  view.update(at(25));
  assert.deepEqual(stream.writes, ['Progressing 10%\n', '\x1b[1A\x1b[JProgressing 25%\n']);
});

test('on a terminal the redraw moves up over every row of the previous frame, wrapped lines included', () => {
  const stream = fakeStream(true, 10);
  const clock = fakeClock();
  const frames = ['0123456789abcdefghijklmnopqrstuvwxy\nshort\n', '日本語日本語\n\x1b[32mgreen12345\x1b[39m\n', 'done\n'];
  let n = 0;
  const view = new LiveView({ stream, env: {}, ...clock, render: () => frames[n++]! });
  view.update(healthy());
  clock.advance(200);
  view.update(healthy());
  clock.advance(200);
  view.update(healthy());
  // 35 columns wrap to 4 rows, plus 1; six wide characters are 12 columns, 2 rows, plus 1 (escapes take no room).
  assert.deepEqual(stream.writes, [frames[0], `\x1b[5A\x1b[J${frames[1]}`, '\x1b[3A\x1b[Jdone\n']);
});

test('frame rows count a line exactly as wide as the terminal once and an empty line once', () => {
  assert.equal(frameRows('1234567890\n\nx\n', 10), 3);
  assert.equal(frameRows('12345678901\n', 10), 2);
});

test('an unchanged frame is not redrawn on a terminal', () => {
  const { view, stream, clock } = setup(true);
  view.update(at(10));
  clock.advance(300);
  view.update(at(10));
  assert.equal(stream.writes.length, 1);
});

test('off a terminal frames are appended, only when something meaningful changed, never erased', () => {
  const { view, stream, clock } = setup(false);
  assert.equal(view.animated, false);
  const unchanged: ((v: AppStatus) => void)[] = [
    (v) => (v.updatedAt = '2026-11-23T10:09:00Z'),
    (v) => (v.message = 'still waiting'),
    (v) => (v.versions[0]!.restarts = 7),
    (v) => (v.gates[0]!.message = 'other text'),
  ];
  const changed: ((v: AppStatus) => void)[] = [
    (v) => (v.weight = 50),
    (v) => (v.phase = 'Paused'),
    (v) => (v.step = { index: 3, total: 4 }),
    (v) => (v.versions[0]!.readyReplicas = 3),
    (v) => (v.gates[1]!.ok = true),
  ];
  view.update(at(25));
  for (const change of unchanged) {
    clock.advance(1000);
    const v = at(25);
    change(v);
    view.update(v);
  }
  assert.equal(stream.writes.length, 1, 'times, messages and restarts alone print nothing');
  for (const change of changed) {
    clock.advance(1000);
    const v = at(25);
    change(v);
    view.update(v);
  }
  assert.equal(stream.writes.length, 1 + changed.length, 'each meaningful change prints a frame');
  assert.equal(stream.writes[1], '\nProgressing 50%\n', 'later frames follow a blank line');
  assert.ok(stream.writes.every((w) => !w.includes('\x1b')), 'no escape sequences');
});

test('off a terminal a change of the live weights alone, or a version becoming superseded, prints a frame', () => {
  const { view, stream, clock } = setup(false);
  view.update(at(25));
  clock.advance(1000);
  const moved = at(25);
  moved.versions[0]!.liveWeight = 10;
  view.update(moved);
  assert.equal(stream.writes.length, 2, 'live weight');
  clock.advance(1000);
  const marked = at(25);
  marked.versions[0]!.liveWeight = 10;
  marked.versions[0]!.superseded = true;
  view.update(marked);
  assert.equal(stream.writes.length, 3, 'superseded');
});

for (const [name, extra] of [
  ['NO_COLOR', { env: { NO_COLOR: '1' } }],
  ['--no-color', { noColor: true }],
  ['TERM=dumb', { env: { TERM: 'dumb' } }],
] as const) {
  test(`a terminal with ${name} gets append-only frames`, () => {
    const { view, stream, clock } = setup(true, extra);
    view.update(at(10));
    clock.advance(200);
    view.update(at(20));
    assert.equal(view.animated, false);
    assert.deepEqual(stream.writes, ['Progressing 10%\n', '\nProgressing 20%\n']);
  });
}

test('close() paints the pending view at once, leaves it on screen and ignores later updates', () => {
  const { view, stream, clock } = setup(true);
  view.update(at(10));
  clock.advance(50);
  view.update(at(100, 'Healthy'));
  view.close();
  assert.deepEqual(stream.writes, ['Progressing 10%\n', '\x1b[1A\x1b[JHealthy 100%\n']);
  assert.equal(clock.pending(), 0, 'the scheduled repaint is cancelled');
  view.update(at(0, 'Degraded'));
  clock.advance(1000);
  view.close();
  assert.equal(stream.writes.length, 2, 'nothing after close, and close is idempotent');
});

test('close() without any update writes nothing', () => {
  const { view, stream } = setup(true);
  view.close();
  assert.deepEqual(stream.writes, []);
});

test('interrupt() lifts the frame off the terminal, lets the caller write, and draws the frame below', () => {
  const { view, stream } = setup(true);
  view.update(at(10));
  view.interrupt(() => stream.write('warning: lease renewed late\n'));
  assert.deepEqual(stream.writes, ['Progressing 10%\n', '\x1b[1A\x1b[J', 'warning: lease renewed late\n', 'Progressing 10%\n']);
});

test('by default frames are the status view, coloured for the stream and sized to it', () => {
  const stream = fakeStream(false);
  const clock = fakeClock();
  clock.advance(Date.parse('2026-11-23T10:04:10Z'));
  const view = new LiveView({ stream, env: {}, ...clock });
  view.update(progressing());
  assert.deepEqual(stream.writes, [renderStatus(progressing(), createStyle(false), { now: clock.now() })]);
  const tty = fakeStream(true, 40);
  const live = new LiveView({ stream: tty, env: {}, ...clock });
  live.update(progressing());
  assert.equal(tty.writes[0], renderStatus(progressing(), createStyle(true), { now: clock.now(), width: 40 }));
});
