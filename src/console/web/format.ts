/** How the console writes numbers, durations, shares, money and times. Pure: tested in Node. */

/** The placeholder for a value the gateway does not have (no traffic, a gauge not exposed). */
export const NONE = '—';

const INTEGER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const COMPACT = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** `1,234`; past a million, compact (`1.2M`). */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  return Math.abs(value) >= 1_000_000 ? COMPACT.format(value) : INTEGER.format(value);
}

/** Milliseconds: `0.42 ms`, `123 ms`, `1.23 s`. */
export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  if (value < 10) return `${value.toFixed(2)} ms`;
  if (value < 1000) return `${Math.round(value)} ms`;
  return `${(value / 1000).toFixed(2)} s`;
}

/** A share 0..1 as a percentage: `12.5 %` (one decimal below 10 %, none above). */
export function formatShare(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  const percent = value * 100;
  return `${percent < 10 && percent !== 0 ? percent.toFixed(1) : Math.round(percent)} %`;
}

/** A rate per second: `0.25/s`, `12/s`. */
export function formatRate(value: number | null | undefined, unit = '/s'): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  return `${value < 10 ? Number(value.toFixed(2)) : Math.round(value)}${unit}`;
}

/**
 * Money in the gateway's currency. Costs of single requests are fractions of a cent, so small
 * amounts keep significant digits instead of rounding to `$0.00`.
 */
export function formatMoney(value: number | null | undefined, currency: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  const digits = value !== 0 && Math.abs(value) < 0.01 ? 6 : Math.abs(value) < 100 ? 4 : 2;
  try {
    return new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency,
      minimumFractionDigits: 2,
      maximumFractionDigits: digits,
    }).format(value);
  } catch {
    // A currency code Intl does not know: the number and the code as configured.
    return `${value.toFixed(digits)} ${currency}`;
  }
}

/** A signed logit contribution: `+3.44`, `-0.94`. */
export function formatSigned(value: number): string {
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(2)}`;
}

/** An ISO time as the operator's local `HH:MM:SS`, or `—`. */
export function formatClock(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return NONE;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return NONE;
  return date.toLocaleTimeString('en-GB', { hour12: false, timeZone });
}

/** Context windows: `8,192 tokens`, or `unknown` when the server does not say. */
export function formatContext(tokens: number | null): string {
  return tokens === null ? 'unknown' : `${INTEGER.format(tokens)} tokens`;
}
