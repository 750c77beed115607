import type { RateLimitsConfig } from '../config';
import type { WindowCounts, WindowState } from './limit-store.interface';
import { msUntilReset, remainingOf } from './sliding-window';

/**
 * OpenAI's rate-limit headers for a key's state: `x-ratelimit-limit-requests`,
 * `x-ratelimit-remaining-requests`, `x-ratelimit-reset-requests` and the same for `-tokens`,
 * for each limit the key has (an unlimited dimension sends none).
 */
export function rateLimitHeaders(
  limits: Readonly<RateLimitsConfig>,
  state: WindowState,
): Record<string, string> {
  const headers: Record<string, string> = {};
  const add = (suffix: string, limit: number | undefined, counts: WindowCounts): void => {
    if (limit === undefined) return;
    headers[`x-ratelimit-limit-${suffix}`] = String(limit);
    headers[`x-ratelimit-remaining-${suffix}`] = String(
      remainingOf(limit, counts, state.elapsedMs),
    );
    headers[`x-ratelimit-reset-${suffix}`] = formatDuration(msUntilReset(counts, state.elapsedMs));
  };
  add('requests', limits.rpm, state.requests);
  add('tokens', limits.tpm, state.tokens);
  return headers;
}

/** A duration as OpenAI writes it (Go's notation): `20ms`, `1s`, `8.64s`, `6m0s`, `1h2m3s`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms));
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const seconds = (total % 60_000) / 1000;
  const s = `${Number(seconds.toFixed(3))}s`;
  if (hours > 0) return `${hours}h${minutes}m${s}`;
  if (minutes > 0) return `${minutes}m${s}`;
  return s;
}

/** `retry-after` in whole seconds (at least 1), as HTTP wants it. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
