/** Percentiles of measured samples (nearest-rank), never averages standing in for them. */

export interface Distribution {
  /** Number of samples. */
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Only for context; targets are judged on percentiles. */
  mean: number;
}

/** The nearest-rank percentile `p` (0..100) of ascending `sorted`. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function distribution(samples: readonly number[]): Distribution {
  const sorted = Float64Array.from(samples).sort();
  const list = Array.from(sorted);
  let sum = 0;
  for (const v of list) sum += v;
  return {
    n: list.length,
    min: list.length ? list[0] : Number.NaN,
    p50: percentile(list, 50),
    p90: percentile(list, 90),
    p99: percentile(list, 99),
    max: list.length ? list[list.length - 1] : Number.NaN,
    mean: list.length ? sum / list.length : Number.NaN,
  };
}

export function median(samples: readonly number[]): number {
  return percentile(
    [...samples].sort((a, b) => a - b),
    50,
  );
}

/** The monotonic clock in µs: the clock of `process.hrtime` and of V8's CPU profiles on Linux. */
export function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** Called with the span in which a scenario measured the gateway, for the profile summary. */
export type MeasuredWindow = (fromUs: number, toUs: number) => void;

/** Milliseconds elapsed since `start` (a `process.hrtime.bigint()` reading). */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Rounds for display and JSON: 3 decimals below 10, 2 below 1000, else integers. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  const abs = Math.abs(value);
  const digits = abs < 10 ? 3 : abs < 1000 ? 2 : 0;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The process's CPU time (user + system) in ns, at the microsecond resolution it is kept in. */
export function cpuClockNs(): bigint {
  const { user, system } = process.cpuUsage();
  return BigInt(user + system) * 1000n;
}

/**
 * In-process A/B: ns per call of each variant, `calls` calls a round, one warm-up round then
 * `rounds` timed ones, the order reversed every other round so that no variant always runs
 * first. `run(i)` is the i-th call. `clock` is wall time unless given ({@link cpuClockNs} on a
 * machine that other processes share: the time this process was not running does not count).
 */
export function alternatingRounds(
  variants: Readonly<Record<string, (i: number) => void>>,
  rounds: number,
  calls: number,
  clock: () => bigint = process.hrtime.bigint,
): Record<string, number[]> {
  const ns: Record<string, number[]> = Object.fromEntries(
    Object.keys(variants).map((k) => [k, []]),
  );
  for (let round = 0; round <= rounds; round++) {
    const names = Object.keys(variants);
    if (round % 2 === 1) names.reverse();
    for (const name of names) {
      const run = variants[name];
      const start = clock();
      for (let i = 0; i < calls; i++) run(i);
      const per = Number(clock() - start) / calls;
      if (round > 0) ns[name].push(per); // round 0 warms up
    }
  }
  return ns;
}
