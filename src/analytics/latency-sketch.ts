/**
 * Latency percentiles from fixed log-scale buckets (DDSketch's mapping, without its collapsing):
 * a value `v` > 0 ms falls in bucket `ceil(log_γ v)`, and a quantile read from the counts is
 * within {@link RELATIVE_ACCURACY} of the exact one. The buckets are the same in every process,
 * so sketches merge by adding counts: per time bucket, per process, or in Redis (HINCRBY).
 */

/** Relative error of a quantile read from the buckets: ±2 %. */
export const RELATIVE_ACCURACY = 0.02;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Values at or below this (ms) share one bucket: below any latency worth telling apart. */
export const MIN_VALUE_MS = 0.01;
const MIN_INDEX = Math.ceil(Math.log(MIN_VALUE_MS) / LOG_GAMMA);

/** The bucket of a value in ms (a small integer; about 700 cover 10 µs to a day). */
export function bucketOf(valueMs: number): number {
  if (!(valueMs > MIN_VALUE_MS)) return MIN_INDEX;
  return Math.ceil(Math.log(valueMs) / LOG_GAMMA);
}

/** The value a bucket stands for: the point within `±RELATIVE_ACCURACY` of all its values. */
export function valueOf(bucket: number): number {
  if (bucket <= MIN_INDEX) return MIN_VALUE_MS;
  return (2 * GAMMA ** bucket) / (GAMMA + 1);
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

/**
 * The `q`-quantile (0..1) of the values counted in `counts` (bucket → count): the value of
 * rank `floor(q × (n − 1))` in sorted order, within {@link RELATIVE_ACCURACY}. Undefined when
 * nothing was counted.
 */
export function quantile(counts: ReadonlyMap<number, number>, q: number): number | undefined {
  const sorted = [...counts.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  return quantilesOfSorted(sorted, [q])?.[0];
}

/** p50, p95 and p99 of `counts`, rounded to 0.1 ms; null when nothing was counted. */
export function percentiles(counts: ReadonlyMap<number, number>): Percentiles | null {
  const sorted = [...counts.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const values = quantilesOfSorted(sorted, [0.5, 0.95, 0.99]);
  if (values === undefined) return null;
  const [p50, p95, p99] = values.map((v) => Math.round(v * 10) / 10);
  return { p50, p95, p99 };
}

function quantilesOfSorted(
  sorted: readonly (readonly [number, number])[],
  qs: readonly number[],
): number[] | undefined {
  const total = sorted.reduce((n, [, count]) => n + count, 0);
  if (total === 0) return undefined;
  return qs.map((q) => {
    const rank = Math.floor(Math.min(1, Math.max(0, q)) * (total - 1));
    let seen = 0;
    for (const [bucket, count] of sorted) {
      seen += count;
      if (seen > rank) return valueOf(bucket);
    }
    return valueOf(sorted[sorted.length - 1][0]);
  });
}

/** Adds `from`'s counts into `into` (merging two sketches). */
export function mergeCounts(into: Map<number, number>, from: ReadonlyMap<number, number>): void {
  for (const [bucket, count] of from) into.set(bucket, (into.get(bucket) ?? 0) + count);
}
