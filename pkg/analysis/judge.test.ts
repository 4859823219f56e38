import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judge } from './judge.ts';
import type { JudgeOptions } from './judge.ts';

const LATENCY: JudgeOptions = { confidence: 0.95, tolerance: 0.1, direction: 'increase' };
const SUCCESS: JudgeOptions = { confidence: 0.95, tolerance: 0.1, direction: 'decrease' };

/** A seeded generator (mulberry32), so every run draws the same samples. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` latencies around `median`, log-normally spread (σ = 0.2), like request latency per scrape. */
function latencies(n: number, median: number, seed: number): number[] {
  const next = random(seed);
  return Array.from({ length: n }, () => {
    const normal = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    return median * Math.exp(0.2 * normal);
  });
}

test('a canary clearly slower than stable fails, with the numbers in a one-line message', () => {
  const j = judge(latencies(20, 0.212, 1), latencies(20, 0.011, 2), LATENCY);
  assert.equal(j.verdict, 'fail');
  assert.ok(j.pValue < 0.001 && j.pWorse < 0.001);
  assert.ok(j.shift > 0.15 && j.shift < 0.25, String(j.shift));
  assert.deepEqual(j.n, { canary: 20, stable: 20 });
  assert.match(j.message, /^canary median 0\.2\d* vs stable 0\.01\d* \(\+\d{4}%\), p=\S+ < 0\.05: fail$/);
});

test('a canary drawn from the same distribution as stable passes', () => {
  const j = judge(latencies(60, 0.1, 3), latencies(60, 0.1, 4), LATENCY);
  assert.equal(j.verdict, 'pass');
  assert.ok(j.pWorse >= 0.05, String(j.pWorse));
  assert.match(j.message, /, p=\S+ ≥ 0\.05: pass$/);
});

test('identical samples pass, with no change and no shift', () => {
  const sample = [0.1, 0.12, 0.09, 0.11, 0.1];
  for (const options of [LATENCY, SUCCESS]) {
    const j = judge(sample, [...sample], options);
    assert.equal(j.verdict, 'pass');
    assert.equal(j.shift, 0);
    assert.equal(j.message, `canary median 0.1 vs stable 0.1 (±0%), p=${String(Number(j.pWorse.toPrecision(2)))} ≥ 0.05: pass`);
  }
});

test('a canary 4% slower is worse with confidence but within a 10% tolerance: marginal', () => {
  const j = judge(latencies(400, 0.104, 5), latencies(400, 0.1, 6), LATENCY);
  assert.equal(j.verdict, 'marginal');
  assert.ok(j.pWorse < 0.05, `pWorse ${j.pWorse}`);
  assert.ok(j.pValue > 0.5, `pValue ${j.pValue}`);
  assert.match(j.message, /\(\+\d%\), worse with p=\S+ < 0\.05 but not beyond the 10% tolerance \(p=\S+\): marginal$/);
});

test('the same 4% with no tolerance fails', () => {
  assert.equal(judge(latencies(400, 0.104, 5), latencies(400, 0.1, 6), { ...LATENCY, tolerance: 0 }).verdict, 'fail');
});

test("'decrease': a success rate that drops fails, one that rises passes, a slight drop is marginal", () => {
  const stable = [0.999, 0.998, 0.999, 1, 0.997, 0.999, 0.998, 0.999, 1, 0.998];
  const dropped = [0.82, 0.85, 0.8, 0.84, 0.83, 0.81, 0.86, 0.8, 0.82, 0.84];
  const fail = judge(dropped, stable, SUCCESS);
  assert.equal(fail.verdict, 'fail');
  assert.ok(fail.shift < -0.1);
  assert.match(fail.message, /^canary median 0\.825 vs stable 0\.999 \(-17%\), p=\S+ < 0\.05: fail$/);
  assert.equal(judge(stable.map((x) => Math.min(1, x + 0.0005)), dropped, SUCCESS).verdict, 'pass');
  assert.equal(judge(dropped, stable.map((x) => x - 0.2), SUCCESS).verdict, 'pass', 'better than stable passes');
  assert.equal(judge(stable.map((x) => x - 0.01), stable, SUCCESS).verdict, 'marginal');
});

test('a zero baseline: a canary at zero too passes, a canary at 0.2 fails', () => {
  const zeros = [0, 0, 0, 0, 0, 0];
  const same = judge([0, 0, 0, 0, 0], zeros, LATENCY);
  assert.equal(same.verdict, 'pass');
  assert.equal(same.pWorse, 1);
  assert.equal(same.message, 'canary median 0 vs stable 0 (±0%), p=1 ≥ 0.05: pass');
  const errors = judge([0.2, 0.2, 0.2, 0.2, 0.2], zeros, LATENCY);
  assert.equal(errors.verdict, 'fail');
  assert.equal(errors.shift, 0.2);
  assert.match(errors.message, /^canary median 0\.2 vs stable 0 \(from 0\), p=\S+ < 0\.05: fail$/);
});

test('fewer than three samples on either side throws a one-line error', () => {
  assert.throws(() => judge([1, 2], [1, 2, 3], LATENCY), /^Error: judge: too few samples \(canary 2, stable 3; at least 3 each\)$/);
  assert.throws(() => judge([1, 2, 3], [], LATENCY), /too few samples \(canary 3, stable 0/);
});

test('samples too small to ever reach the confidence throw instead of passing', () => {
  // 3 against 3: all canary values above all stable ones has p = 1/20, not below 0.05.
  assert.throws(
    () => judge([9, 9.5, 10], [1, 1.5, 2], LATENCY),
    /^Error: judge: too few samples for 95% confidence \(canary 3, stable 3: the smallest possible p is 0\.05\)$/,
  );
  assert.equal(judge([9, 9.5, 10], [1, 1.5, 2, 2.5], LATENCY).verdict, 'fail', '3 against 4 can: 1/35');
  assert.throws(() => judge([9, 9.5, 10, 11], [1, 1.5, 2, 2.5], { ...LATENCY, confidence: 0.99 }), /smallest possible p is 0\.014\)$/);
});

test('options out of range and values that are not finite throw', () => {
  assert.throws(() => judge([1, 2, 3], [1, 2, 3], { ...LATENCY, confidence: 1 }), /confidence must be between 0 and 1, not 1/);
  assert.throws(() => judge([1, 2, 3], [1, 2, 3], { ...LATENCY, tolerance: -0.1 }), /tolerance must be a finite number ≥ 0, not -0\.1/);
  assert.throws(() => judge([1, 2, Number.NaN, 4], [1, 2, 3, 4], LATENCY), /not finite \(NaN at index 2\)/);
});
