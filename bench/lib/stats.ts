/** Summary statistics of repeated measurements, in the unit they were taken in. */
export interface Summary {
  n: number;
  median: number;
  p90: number;
  min: number;
  max: number;
}

/** The value at quantile `q` (0–1) of `values`, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** Median (the lower middle value for an even count, which is a value really measured). */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Median, p90, min and max of `values`. */
export function summarize(values: readonly number[]): Summary {
  return {
    n: values.length,
    median: median(values),
    p90: quantile(values, 0.9),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

/** `1234.5` → `1235 ms`; values under 10 ms keep one decimal. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '-';
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
}

/** Bytes as MB (10^6), two decimals. */
export function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(2)} MB`;
}

/** Throughput of `bytes` in `millis`, as MB/s. */
export function mbPerSecond(bytes: number, millis: number): string {
  return `${(bytes / 1e6 / (millis / 1000)).toFixed(1)} MB/s`;
}

/** A target check for a table cell: `yes`/`NO` plus the actual comparison. */
export function verdict(ok: boolean): string {
  return ok ? 'met' : 'MISSED';
}
