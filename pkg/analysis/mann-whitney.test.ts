import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hodgesLehmann, mannWhitneyGreater, median, normalUpperTail } from './mann-whitney.ts';

// Oracles: published tables and worked examples, and a brute-force enumeration of every
// assignment of ranks to the first sample, written here independently of the implementation.

/** P(U ≥ u) for every u, by listing all C(n1+n2, n1) ways to pick the ranks of the first sample. */
function bruteForceUpperTails(n1: number, n2: number): number[] {
  const counts = new Array<number>(n1 * n2 + 1).fill(0);
  const pick = (from: number, left: number, rankSum: number): void => {
    if (left === 0) {
      counts[rankSum - (n1 * (n1 + 1)) / 2]!++;
      return;
    }
    for (let r = from; r <= n1 + n2 - left + 1; r++) pick(r + 1, left - 1, rankSum + r);
  };
  pick(1, n1, 0);
  const total = counts.reduce((s, c) => s + c, 0);
  return counts.map((_, u) => counts.slice(u).reduce((s, c) => s + c, 0) / total);
}

/**
 * Samples without ties whose U (of `a`) is `u`: `b` is 1..n2 and each value of `a` sits just
 * above as many values of `b` as it needs, with a small offset so that no two values tie.
 */
function samplesWithU(n1: number, n2: number, u: number): { a: number[]; b: number[] } {
  const b = Array.from({ length: n2 }, (_, j) => j + 1);
  const a: number[] = [];
  let left = u;
  for (let i = 0; i < n1; i++) {
    const above = Math.min(n2, left);
    left -= above;
    a.push(above + 0.5 + i / (n1 + 1) / 2);
  }
  return { a, b };
}

/** The largest U a one-sided test at level α rejects for "less", as the tables print it: P(U ≤ U_crit) ≤ α. */
function criticalU(n1: number, n2: number, alpha: number): number {
  let crit = -1;
  for (let u = 0; u <= n1 * n2; u++) {
    // P(U_a ≤ u) = P(U_b ≥ n1·n2 − u): the same statistic seen from the other sample.
    const { a, b } = samplesWithU(n1, n2, n1 * n2 - u);
    if (mannWhitneyGreater(a, b).pValue > alpha) break;
    crit = u;
  }
  return crit;
}

test('the exact p-value equals a brute-force enumeration of rank assignments for every U', () => {
  for (const [n1, n2] of [[1, 1], [2, 3], [5, 5], [4, 7], [7, 4], [6, 6], [3, 9]] as const) {
    const oracle = bruteForceUpperTails(n1, n2);
    for (let u = 0; u <= n1 * n2; u++) {
      const { a, b } = samplesWithU(n1, n2, u);
      const r = mannWhitneyGreater(a, b);
      assert.equal(r.u, u);
      assert.equal(r.exact, true);
      assert.ok(Math.abs(r.pValue - oracle[u]!) < 1e-12, `n1=${n1} n2=${n2} u=${u}: ${r.pValue} vs ${oracle[u]}`);
    }
  }
});

test('one-sided critical values at α = 0.05 match the published Mann–Whitney tables', () => {
  // Standard tables (one-tailed α = 0.05): U ≤ 4 for 5/5, ≤ 27 for 10/10, ≤ 138 for 20/20, ≤ 1 for 3/5, ≤ 10 for 6/8,
  // ≤ 15 for 8/8; SciPy's exact method agrees on each.
  const table: [number, number, number][] = [[5, 5, 4], [10, 10, 27], [20, 20, 138], [3, 5, 1], [6, 8, 10], [8, 8, 15]];
  for (const [n1, n2, crit] of table) assert.equal(criticalU(n1, n2, 0.05), crit, `n1=${n1} n2=${n2}`);
});

test('n1 = n2 = 5: P(U ≤ 4) is 12/252 and P(U ≤ 5) is 19/252, the counts of the exact distribution', () => {
  assert.equal(mannWhitneyGreater(samplesWithU(5, 5, 21).a, samplesWithU(5, 5, 21).b).pValue, 12 / 252);
  assert.equal(mannWhitneyGreater(samplesWithU(5, 5, 20).a, samplesWithU(5, 5, 20).b).pValue, 19 / 252);
});

test("R's ?wilcox.test example: W = 35, exact p = 0.1272 for alternative greater", () => {
  const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
  const y = [1.15, 0.88, 0.9, 0.74, 1.21];
  const r = mannWhitneyGreater(x, y);
  assert.deepEqual({ u: r.u, n1: r.n1, n2: r.n2, exact: r.exact }, { u: 35, n1: 10, n2: 5, exact: true });
  assert.equal(r.pValue.toFixed(4), '0.1272');
  // 382 of the C(15, 5) = 3003 arrangements; SciPy's method="exact" gives the same to 16 digits.
  assert.ok(Math.abs(r.pValue - 382 / 3003) < 1e-15);
});

test("Conover's example (SciPy docs): U = 17, exact one-sided p = 7/126, normal approximation 0.11135/2", () => {
  const males = [19, 22, 16, 29, 24];
  const females = [20, 11, 17, 12];
  const r = mannWhitneyGreater(males, females);
  assert.equal(r.u, 17);
  assert.ok(Math.abs(r.pValue - 7 / 126) < 1e-15);
  // SciPy's method="asymptotic" (continuity-corrected, two-sided) is 0.11134688653314041.
  assert.ok(Math.abs(normalUpperTail(r.z) - 0.11134688653314041 / 2) < 1e-12);
});

test('ties get midranks and the normal approximation with tie and continuity correction', () => {
  const a = [1, 2, 2, 3, 3, 3, 4, 7, 7, 8];
  const b = [2, 3, 4, 4, 5, 5, 6, 9];
  const r = mannWhitneyGreater(a, b);
  assert.equal(r.exact, false, 'ties rule out the exact distribution');
  assert.equal(r.u, 29.5);
  // Tie groups: 2 ×3, 3 ×4, 4 ×3, 5 ×2, 7 ×2, so Σ(t³ − t) = 24 + 60 + 24 + 6 + 6 = 120.
  const sigma = Math.sqrt(((10 * 8) / 12) * (19 - 120 / (18 * 17)));
  assert.ok(Math.abs(r.z - (29.5 - 40 - 0.5) / sigma) < 1e-12);
  // SciPy mannwhitneyu(a, b, alternative="greater") and R wilcox.test(a, b, "greater"): 0.8383308404201062.
  assert.ok(Math.abs(r.pValue - 0.8383308404201062) < 1e-12);
});

test('every value tied gives U = n1·n2/2, z = 0 and p = 1', () => {
  const r = mannWhitneyGreater([3, 3, 3], [3, 3, 3, 3]);
  assert.deepEqual(r, { u: 6, n1: 3, n2: 4, z: 0, pValue: 1, exact: false });
});

test('exact p-values of the two directions add up to 1 + P(U = u)', () => {
  const a = [2.1, 3.4, 0.7, 5.5, 4.2, 1.9];
  const b = [1.2, 0.3, 2.8, 0.9, 3.1, 1.5, 0.1];
  const greater = mannWhitneyGreater(a, b);
  const less = mannWhitneyGreater(b, a);
  assert.equal(greater.u + less.u, 42);
  const oracle = bruteForceUpperTails(6, 7);
  const pointMass = oracle[greater.u]! - (oracle[greater.u + 1] ?? 0);
  assert.ok(Math.abs(greater.pValue + less.pValue - (1 + pointMass)) < 1e-12);
});

test('with ties the two directions add up to about 1', () => {
  const a = [1, 2, 2, 3, 5, 5, 5, 8];
  const b = [2, 2, 4, 5, 6, 7, 7, 9, 9];
  const sum = mannWhitneyGreater(a, b).pValue + mannWhitneyGreater(b, a).pValue;
  assert.ok(sum > 1 && sum < 1.15, String(sum));
});

test('for 30 against 30 the normal approximation lies within 0.002 of the exact p-value', () => {
  for (const u of [450, 520, 560, 600, 650]) {
    const { a, b } = samplesWithU(30, 30, u);
    const r = mannWhitneyGreater(a, b);
    assert.equal(r.exact, true);
    assert.ok(Math.abs(normalUpperTail(r.z) - r.pValue) < 0.002, `u=${u}: ${normalUpperTail(r.z)} vs ${r.pValue}`);
  }
});

test('larger samples use the normal approximation; lopsided small products stay exact', () => {
  const big = samplesWithU(40, 40, 1000);
  const r = mannWhitneyGreater(big.a, big.b);
  assert.equal(r.exact, false);
  assert.ok(Math.abs(r.pValue - normalUpperTail((1000 - 800 - 0.5) / Math.sqrt((1600 * 81) / 12))) < 1e-15);
  const lopsided = samplesWithU(4, 200, 500);
  assert.equal(mannWhitneyGreater(lopsided.a, lopsided.b).exact, true);
});

test('the standard normal upper tail matches published values', () => {
  const table: [number, number][] = [
    [0, 0.5],
    [1.959963984540054, 0.025],
    [1.6448536269514722, 0.05],
    [3, 0.0013498980316300946],
    [-1, 0.8413447460685429],
    [8, 6.22096057427178e-16],
  ];
  for (const [z, p] of table) assert.ok(Math.abs(normalUpperTail(z) - p) / p < 1e-12, `z=${z}: ${normalUpperTail(z)}`);
});

test('Hodges–Lehmann is the median of all pairwise differences', () => {
  assert.equal(hodgesLehmann([1, 2, 3], [0]), 2);
  assert.equal(hodgesLehmann([10, 20], [1, 2]), 13.5);
  assert.equal(hodgesLehmann([5, 5, 5], [5, 5]), 0);
  const b = [0.11, 0.09, 0.13, 0.1];
  assert.ok(Math.abs(hodgesLehmann(b.map((x) => x + 0.05), b) - 0.05) < 1e-12, 'a pure shift is recovered');
  assert.equal(median([3, 1, 2]), 2);
});

test('an empty sample or a value that is not finite throws a one-line error', () => {
  const cases: [number[], number[], RegExp][] = [
    [[], [1], /the first sample is empty/],
    [[1], [], /the second sample is empty/],
    [[1, Number.NaN], [1], /first sample has a value that is not finite \(NaN at index 1\)/],
    [[1], [2, Infinity], /second sample has a value that is not finite \(Infinity at index 1\)/],
  ];
  for (const [a, b, message] of cases) {
    assert.throws(() => mannWhitneyGreater(a, b), message);
    assert.throws(() => hodgesLehmann(a, b), message);
  }
});
