/**
 * The Mann–Whitney U test (Wilcoxon rank-sum test), one-sided, and the Hodges–Lehmann
 * shift estimate that goes with it. Results agree with R's
 * `wilcox.test(a, b, alternative = "greater", correct = TRUE)`: exact without ties on small
 * samples, otherwise the normal approximation with tie and continuity correction.
 */

/** The result of {@link mannWhitneyGreater}. */
export interface MannWhitney {
  /** U of sample `a`: the pairs with `a_i > b_j`, plus half the tied pairs. */
  u: number;
  n1: number;
  n2: number;
  /**
   * U standardised under the null hypothesis, with tie and continuity correction:
   * `(u − n1·n2/2 − 0.5) / σ`. Reported also when the p-value is exact; 0 when every value is tied.
   */
  z: number;
  /** One-sided: the probability, under the null hypothesis, of a U at least this large (a tends to be greater than b). */
  pValue: number;
  /** Whether `pValue` is exact (counted from the distribution of U) rather than the normal approximation. */
  exact: boolean;
}

/** Largest samples (each) for which the exact distribution is counted, as long as there are no ties. */
const EXACT_MAX_N = 30;
/** Lopsided samples (`n1·n2` at most this) are counted exactly too; the counts stay well below 2^53. */
const EXACT_MAX_PRODUCT = 1_000;

/**
 * One-sided Mann–Whitney U test of H1 "a is stochastically greater than b". Tied values get
 * midranks. The p-value is exact when there are no ties and both samples have at most 30 values
 * (or `n1·n2 ≤ 1000`); otherwise it is the normal approximation with tie and continuity correction.
 * Throws on an empty sample or a value that is not finite.
 */
export function mannWhitneyGreater(a: number[], b: number[]): MannWhitney {
  check(a, 'first');
  check(b, 'second');
  const n1 = a.length;
  const n2 = b.length;
  const n = n1 + n2;
  const { ranks, ties } = midranks([...a, ...b]);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += ranks[i]!;
  const u = r1 - (n1 * (n1 + 1)) / 2;
  const tieTerm = ties.reduce((sum, t) => sum + (t * t * t - t), 0);
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  const z = variance > 0 ? (u - (n1 * n2) / 2 - 0.5) / Math.sqrt(variance) : 0;
  const exact = ties.length === 0 && ((n1 <= EXACT_MAX_N && n2 <= EXACT_MAX_N) || n1 * n2 <= EXACT_MAX_PRODUCT);
  const pValue = exact ? exactUpperTail(n1, n2, u) : variance > 0 ? normalUpperTail(z) : 1;
  return { u, n1, n2, z, pValue, exact };
}

/** The Hodges–Lehmann estimate of the shift of `a` over `b`: the median of all differences `a_i − b_j`. */
export function hodgesLehmann(a: number[], b: number[]): number {
  check(a, 'first');
  check(b, 'second');
  const diffs = new Float64Array(a.length * b.length);
  let k = 0;
  for (const x of a) for (const y of b) diffs[k++] = x - y;
  return median(diffs);
}

/** The median of a non-empty list of numbers. */
export function median(values: ArrayLike<number>): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function check(sample: number[], which: string): void {
  if (sample.length === 0) throw new Error(`Mann–Whitney: the ${which} sample is empty`);
  const bad = sample.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new Error(`Mann–Whitney: the ${which} sample has a value that is not finite (${sample[bad]} at index ${bad})`);
}

/** Ranks from 1, tied values sharing the mean of their ranks; `ties` lists the size of each group of two or more. */
function midranks(values: number[]): { ranks: Float64Array; ties: number[] } {
  const order = values.map((_, i) => i).sort((i, j) => values[i]! - values[j]!);
  const ranks = new Float64Array(values.length);
  const ties: number[] = [];
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && values[order[end]!] === values[order[start]!]) end++;
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]!] = rank;
    if (end - start > 1) ties.push(end - start);
    start = end;
  }
  return { ranks, ties };
}

/**
 * P(U ≥ u) without ties. The number of arrangements giving each U is the coefficient of the
 * Gaussian binomial ∏_{i=1..n1} (1 − q^{n2+i}) / (1 − q^i) (Harding, 1984), built one factor
 * at a time: every intermediate is itself a Gaussian binomial, so all counts are exact integers.
 */
function exactUpperTail(n1: number, n2: number, u: number): number {
  const m = Math.min(n1, n2);
  const k = Math.max(n1, n2);
  const top = n1 * n2;
  const counts = new Float64Array(top + 1);
  counts[0] = 1;
  for (let i = 1; i <= m; i++) {
    for (let j = top; j >= k + i; j--) counts[j]! -= counts[j - k - i]!;
    for (let j = i; j <= top; j++) counts[j]! += counts[j - i]!;
  }
  let total = 0;
  let tail = 0;
  for (let j = 0; j <= top; j++) {
    total += counts[j]!;
    if (j >= u) tail += counts[j]!;
  }
  return tail / total;
}

/** P(Z > z) for a standard normal Z, to near double precision. */
export function normalUpperTail(z: number): number {
  return z >= 0 ? erfc(z / Math.SQRT2) / 2 : 1 - erfc(-z / Math.SQRT2) / 2;
}

/**
 * erfc(x) for x ≥ 0: below 2 from the series erf(x) = 2/√π·e^{−x²}·Σ 2^n x^{2n+1} / (2n+1)!!,
 * whose terms are all positive; from 2 on the continued fraction of erfc (modified Lentz).
 */
function erfc(x: number): number {
  if (x < 2) {
    let term = x;
    let sum = x;
    for (let n = 1; term > sum * 1e-17; n++) {
      term *= (2 * x * x) / (2 * n + 1);
      sum += term;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  // erfc(x) = e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))).
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const an = n / 2;
    d = x + an * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + an / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}
