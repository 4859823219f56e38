import { hodgesLehmann, mannWhitneyGreater, median } from './mann-whitney.ts';

/**
 * The canary-against-stable judge, after Kayenta's Mann–Whitney judge: compare the canary's
 * samples of a metric with the stable version's over the same window, and fail the canary only
 * when it is worse beyond the allowed tolerance with the asked confidence.
 */

/** Which change of the metric is bad: `increase` for latency or error ratio, `decrease` for success rate or throughput. */
export type Direction = 'increase' | 'decrease';

/** How strict the judge is. */
export interface JudgeOptions {
  /** Confidence needed to call the canary worse, in (0, 1); the test's level is `1 − confidence`. Example: 0.95. */
  confidence: number;
  /** Relative degradation allowed before failing, ≥ 0: 0.1 lets the canary be up to 10% worse. */
  tolerance: number;
  direction: Direction;
}

/** What the judge decided, with the numbers behind it. */
export interface Judgement {
  /** `fail`: worse beyond the tolerance; `marginal`: worse, but within it; `pass`: not shown worse. */
  verdict: 'pass' | 'marginal' | 'fail';
  /** One-sided p-value of "canary worse than stable moved by the tolerance". */
  pValue: number;
  /** One-sided p-value of "canary worse than stable", without the tolerance. */
  pWorse: number;
  canaryMedian: number;
  stableMedian: number;
  /** Hodges–Lehmann estimate of canary − stable, in the metric's unit. */
  shift: number;
  n: { canary: number; stable: number };
  /** One line, for instance `canary median 0.212 vs stable 0.011 (+1827%), p=0.0002 < 0.05: fail`. */
  message: string;
}

/** Fewest samples on either side the judge accepts. */
export const MIN_SAMPLES = 3;

/**
 * Least amount by which the tolerance moves a stable value, in the metric's own unit. A stable
 * value `x` is moved by `max(|x|·tolerance, ABSOLUTE_FLOOR)`, so a baseline of zero (no errors)
 * still works: a canary at exactly zero passes, and any canary measurably above zero can fail.
 */
export const ABSOLUTE_FLOOR = 1e-9;

/**
 * Judges `canary` against `stable`. For `increase` the canary fails when, with the asked
 * confidence, it is greater than each stable value raised by the tolerance (one-sided
 * Mann–Whitney, p < 1 − confidence); it is marginal when it is greater than stable itself but not
 * beyond the tolerance; it passes otherwise. `decrease` is the mirror image. Throws when either
 * sample has fewer than {@link MIN_SAMPLES} values or too few to ever reach the confidence (3
 * against 3 cannot go below p = 1/20), so that the caller reports "inconclusive" rather than a
 * pass that could never have been a fail; throws too on a value that is not finite or options
 * out of range.
 */
export function judge(canary: number[], stable: number[], options: JudgeOptions): Judgement {
  const { confidence, tolerance, direction } = options;
  if (!(confidence > 0 && confidence < 1)) throw new Error(`judge: confidence must be between 0 and 1, not ${confidence}`);
  if (!(tolerance >= 0 && Number.isFinite(tolerance))) throw new Error(`judge: tolerance must be a finite number ≥ 0, not ${tolerance}`);
  if (canary.length < MIN_SAMPLES || stable.length < MIN_SAMPLES) {
    throw new Error(`judge: too few samples (canary ${canary.length}, stable ${stable.length}; at least ${MIN_SAMPLES} each)`);
  }
  // Rounded, so that 1 − 0.95 is 0.05 and an exact p of 1/20 is not below it by a rounding error.
  const alpha = Number((1 - confidence).toPrecision(12));
  const floor = smallestP(canary.length, stable.length);
  if (floor >= alpha * (1 - 1e-9)) {
    throw new Error(
      `judge: too few samples for ${num(confidence * 100)}% confidence (canary ${canary.length}, stable ${stable.length}: ` +
        `the smallest possible p is ${prob(floor)})`,
    );
  }
  const allowed = (x: number): number => Math.max(Math.abs(x) * tolerance, ABSOLUTE_FLOOR);
  const increase = direction === 'increase';
  const bound = stable.map((x) => (increase ? x + allowed(x) : x - allowed(x)));
  const pWorse = (increase ? mannWhitneyGreater(canary, stable) : mannWhitneyGreater(stable, canary)).pValue;
  const pValue = (increase ? mannWhitneyGreater(canary, bound) : mannWhitneyGreater(bound, canary)).pValue;
  const verdict = pValue < alpha ? 'fail' : pWorse < alpha ? 'marginal' : 'pass';
  const canaryMedian = median(canary);
  const stableMedian = median(stable);
  const head = `canary median ${num(canaryMedian)} vs stable ${num(stableMedian)} (${change(canaryMedian, stableMedian)})`;
  const level = num(alpha);
  const within = `${Math.round(tolerance * 100)}%`;
  const tail =
    verdict === 'fail'
      ? `p=${prob(pValue)} < ${level}: fail`
      : verdict === 'marginal'
        ? `worse with p=${prob(pWorse)} < ${level} but not beyond the ${within} tolerance (p=${prob(pValue)}): marginal`
        : `p=${prob(pWorse)} ≥ ${level}: pass`;
  return {
    verdict,
    pValue,
    pWorse,
    canaryMedian,
    stableMedian,
    shift: hodgesLehmann(canary, stable),
    n: { canary: canary.length, stable: stable.length },
    message: `${head}, ${tail}`,
  };
}

/** The smallest one-sided p-value samples of these sizes can give: 1 / C(n1 + n2, n1), all of one side above the other. */
function smallestP(n1: number, n2: number): number {
  let p = 1;
  for (let i = 1; i <= Math.min(n1, n2); i++) p *= i / (Math.max(n1, n2) + i);
  return p;
}

/** Three significant digits, without trailing zeros: 0.0110 → 0.011. */
function num(x: number): string {
  return String(Number(x.toPrecision(3)));
}

/** Two significant digits, or scientific notation below 0.0001. */
function prob(p: number): string {
  return p !== 0 && p < 1e-4 ? p.toExponential(1) : String(Number(p.toPrecision(2)));
}

/** Relative change of the canary's median over stable's: `+1827%`, `-3%`, `±0%`, or `from 0` when stable's is zero. */
function change(canary: number, stable: number): string {
  if (canary === stable) return '±0%';
  if (stable === 0) return 'from 0';
  const pct = Math.round(((canary - stable) / Math.abs(stable)) * 100);
  return pct === 0 ? '±0%' : `${pct > 0 ? '+' : ''}${pct}%`;
}
