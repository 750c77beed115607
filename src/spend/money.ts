/**
 * Money is counted in integer nano-units of the configured currency (1e-9), so sums in memory
 * and in Redis (whose Lua numbers are doubles) stay exact: a budget of 9 million currency units
 * still fits in 2^53 nano-units.
 */
export const NANOS_PER_UNIT = 1e9;

/** Currency units → nano-units (rounded to the nearest). */
export function toNanos(amount: number): number {
  return Math.round(amount * NANOS_PER_UNIT);
}

/** Nano-units → currency units. */
export function fromNanos(nanos: number): number {
  return nanos / NANOS_PER_UNIT;
}

/** A cost for a header or log line: the currency amount without float noise (`0.00042`). */
export function formatAmount(nanos: number): string {
  return String(fromNanos(nanos));
}
