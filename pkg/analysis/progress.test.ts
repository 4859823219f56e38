import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addMeasurement, assess, nextDue, startProgress } from './progress.ts';
import type { MeasurementPhase } from './progress.ts';
import { parseGate } from './spec.ts';

const gate = (extra: Record<string, unknown>) => parseGate({ check: 'request-success-rate', condition: '>= 0.99', interval: '10s', ...extra }, []);

/** The verdict after each measurement of `phases` (undefined: still measuring). */
function run(extra: Record<string, unknown>, phases: MeasurementPhase[]): (string | undefined)[] {
  const spec = gate(extra);
  let p = startProgress(spec.name);
  return phases.map((phase, i) => {
    p = addMeasurement(p, { at: new Date(i * 10_000).toISOString(), phase, message: phase });
    return assess(spec, p)?.verdict;
  });
}

test('N of M: count measurements pass unless more than failureLimit fail', () => {
  const cases: [Record<string, unknown>, MeasurementPhase[], (string | undefined)[]][] = [
    [{ count: 3 }, ['pass', 'pass', 'pass'], [undefined, undefined, 'pass']],
    [{ count: 3 }, ['pass', 'fail'], [undefined, 'fail']],
    [{ count: 3, failureLimit: 1 }, ['fail', 'pass', 'pass'], [undefined, undefined, 'pass']],
    [{ count: 5, failureLimit: 1 }, ['fail', 'pass', 'fail'], [undefined, undefined, 'fail']],
    [{ count: 1 }, ['pass'], ['pass']],
  ];
  for (const [extra, phases, expected] of cases) assert.deepEqual(run(extra, phases), expected, JSON.stringify({ extra, phases }));
});

test('errors are not counted, and more consecutive errors than the limit are inconclusive (fail with onInconclusive: fail)', () => {
  assert.deepEqual(run({ count: 2, consecutiveErrorLimit: 2 }, ['error', 'error', 'pass', 'error', 'pass']), [undefined, undefined, undefined, undefined, 'pass']);
  assert.deepEqual(run({ count: 5, consecutiveErrorLimit: 2 }, ['error', 'error', 'error']), [undefined, undefined, 'inconclusive']);
  assert.deepEqual(run({ count: 5, consecutiveErrorLimit: 0, onInconclusive: 'fail' }, ['error']), ['fail']);
  assert.deepEqual(run({ count: 5, consecutiveErrorLimit: 1 }, ['error', 'pass', 'error', 'pass', 'error', 'pass']), [undefined, undefined, undefined, undefined, undefined, undefined]);
});

test('no data is inconclusive, never a pass', () => {
  assert.deepEqual(run({ count: 1 }, ['inconclusive']), ['inconclusive']);
  assert.deepEqual(run({ count: 2, inconclusiveLimit: 1 }, ['inconclusive', 'pass', 'pass']), [undefined, undefined, 'pass']);
  // Inconclusive measurements are not counted towards count: they never add up to a pass.
  assert.deepEqual(run({ count: 1, inconclusiveLimit: 2 }, ['inconclusive', 'inconclusive', 'inconclusive']), [undefined, undefined, 'inconclusive']);
  assert.deepEqual(run({ count: 3, onInconclusive: 'fail' }, ['inconclusive']), ['fail']);
});

test('a webhook that cannot answer fails the gate', () => {
  const spec = parseGate({ webhook: 'http://127.0.0.1:1/x' }, []);
  const p = addMeasurement(startProgress(spec.name), { at: new Date(0).toISOString(), phase: 'error', message: 'timed out' });
  assert.equal(assess(spec, p)?.verdict, 'fail');
});

test('measurements are due after the initial delay, one per interval, errors retried at the next', () => {
  const spec = gate({ count: 3, initialDelay: '5s' });
  let p = startProgress(spec.name);
  assert.equal(nextDue(spec, p, 1_000), 6_000);
  p = addMeasurement(p, { at: '', phase: 'error', message: '' });
  assert.equal(nextDue(spec, p, 1_000), 16_000);
  p = addMeasurement(p, { at: '', phase: 'pass', message: '' });
  assert.equal(nextDue(spec, p, 1_000), 26_000);
});

test('only the last measurements are kept', () => {
  const spec = gate({ count: 50 });
  let p = startProgress(spec.name);
  for (let i = 0; i < 25; i++) p = addMeasurement(p, { at: String(i), phase: 'pass', message: String(i) });
  assert.equal(p.measurements.length, 10);
  assert.equal(p.measurements.at(-1)!.message, '24');
  assert.equal(p.taken, 25);
});
