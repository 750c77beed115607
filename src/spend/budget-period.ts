import type { BudgetConfig } from './spend.options';

/**
 * Where a budget's spend is counted at one instant: the store sums the buckets from `first`
 * to `bucket` (inclusive, bucket start times in ms) and adds to `bucket`. A calendar period is
 * one bucket (its start); a rolling window is {@link ROLLING_BUCKETS} buckets, so it is exact
 * to within one bucket (a 60th of the window): the oldest bucket leaves the window whole.
 */
export interface PeriodWindow {
  /** The name of the period in the store and in reports: `day`, `week`, `month`, `rolling:86400000`. */
  name: string;
  /** Start of the bucket spend is added to now (ms since the epoch). */
  bucket: number;
  /** Start of the oldest bucket that still counts. */
  first: number;
  /** Length of one bucket in ms (a rolling window's; a calendar period's own length). */
  bucketMs: number;
  /** When the period began (calendar), or the window's start (rolling). */
  start: number;
  /** When the period ends (calendar); for a rolling window, when its current bucket does. */
  end: number;
}

/** A rolling window is kept as this many buckets. */
export const ROLLING_BUCKETS = 60;

const DAY_MS = 86_400_000;

/** The window of `budget` at `now` (ms since the epoch), in UTC. */
export function periodWindow(
  budget: Pick<BudgetConfig, 'period' | 'rollingMs'>,
  now: number,
): PeriodWindow {
  const date = new Date(now);
  switch (budget.period) {
    case 'day': {
      const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
      return calendar('day', start, start + DAY_MS);
    }
    case 'week': {
      const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
      // getUTCDay: Sunday 0 … Saturday 6; ISO weeks start on Monday.
      const start = midnight - ((date.getUTCDay() + 6) % 7) * DAY_MS;
      return calendar('week', start, start + 7 * DAY_MS);
    }
    case 'month': {
      const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
      return calendar('month', start, Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1));
    }
    case 'rolling': {
      const windowMs = budget.rollingMs ?? DAY_MS;
      const bucketMs = Math.max(1, Math.ceil(windowMs / ROLLING_BUCKETS));
      const bucket = Math.floor(now / bucketMs) * bucketMs;
      const first = bucket - (ROLLING_BUCKETS - 1) * bucketMs;
      return {
        name: `rolling:${windowMs}`,
        bucket,
        first,
        bucketMs,
        start: now - windowMs,
        end: bucket + bucketMs,
      };
    }
  }
}

function calendar(name: string, start: number, end: number): PeriodWindow {
  return { name, bucket: start, first: start, bucketMs: end - start, start, end };
}

/**
 * When spend next goes down: the end of a calendar period; for a rolling window, when its
 * oldest bucket holding spend (`oldest`, a bucket start) leaves it (or the current bucket's end
 * when nothing is spent).
 */
export function resetsAt(window: PeriodWindow, oldest: number | undefined): number {
  if (window.first === window.bucket) return window.end;
  return oldest === undefined ? window.end : oldest + ROLLING_BUCKETS * window.bucketMs;
}

/** A period's public name: `day`, `week`, `month` or `rolling_<duration>` (`rolling_24h`). */
export function periodLabel(budget: Pick<BudgetConfig, 'period' | 'rollingMs'>): string {
  if (budget.period !== 'rolling') return budget.period;
  return `rolling_${formatDurationMs(budget.rollingMs ?? DAY_MS)}`;
}

/** `86400000` → `24h`, `5400000` → `90m`, `1500` → `1500ms`. */
export function formatDurationMs(ms: number): string {
  for (const [unit, size] of [
    ['d', DAY_MS],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ] as const) {
    if (ms % size === 0 && ms / size >= 1 && (unit !== 'd' || ms / size !== 1))
      return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** `24h`, `90m`, `30s`, `7d`, `1500ms` → ms; undefined when it is not such a duration. */
export function parseDurationMs(text: string): number | undefined {
  const match = /^\s*(\d+)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (!match) return undefined;
  const size = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: DAY_MS }[match[2] as 'ms'];
  const ms = Number(match[1]) * size;
  return ms > 0 ? ms : undefined;
}
