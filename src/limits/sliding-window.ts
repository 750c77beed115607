import type { WindowCounts } from './limit-store.interface';
import { WINDOW_MS } from './limits.constants';

/*
 * The sliding-window counter (as Cloudflare and others use it): the count of the last minute is
 * estimated as the previous minute's count, weighted by the share of it still inside the
 * window, plus the current minute's. Two counters per key, no per-request log. The Redis
 * script makes the same decision in Lua; these functions are the reference and compute what
 * the headers say.
 */

/** The estimated count of the last {@link WINDOW_MS}. */
export function weightedCount(counts: WindowCounts, elapsedMs: number): number {
  return (counts.previous * (WINDOW_MS - elapsedMs)) / WINDOW_MS + counts.current;
}

/** Whether `cost` more fits under `limit` now. */
export function fits(
  limit: number,
  counts: WindowCounts,
  elapsedMs: number,
  cost: number,
): boolean {
  return weightedCount(counts, elapsedMs) + cost <= limit;
}

/** What the headers and `/v1/usage` call used: the weighted count, rounded up. */
export function usedOf(counts: WindowCounts, elapsedMs: number): number {
  return Math.ceil(weightedCount(counts, elapsedMs) - 1e-9);
}

export function remainingOf(limit: number, counts: WindowCounts, elapsedMs: number): number {
  return Math.max(0, limit - usedOf(counts, elapsedMs));
}

/**
 * Milliseconds until `cost` more fits under `limit` (0 when it fits now), assuming nothing else
 * is added meanwhile: first while the previous minute's weight decays, else in the next minute,
 * where the current count becomes the decaying one. `cost` must not exceed `limit`.
 */
export function msUntilFits(
  limit: number,
  counts: WindowCounts,
  elapsedMs: number,
  cost: number,
): number {
  if (fits(limit, counts, elapsedMs, cost)) return 0;
  const room = limit - counts.current - cost;
  if (room >= 0 && counts.previous > 0) {
    const at = WINDOW_MS * (1 - room / counts.previous);
    return Math.max(1, Math.ceil(at - elapsedMs));
  }
  const nextRoom = Math.max(0, limit - cost);
  const into = counts.current > 0 ? WINDOW_MS * (1 - nextRoom / counts.current) : 0;
  return Math.max(1, Math.ceil(WINDOW_MS - elapsedMs + Math.max(0, into)));
}

/**
 * Milliseconds until the window is back to its initial state (OpenAI's `x-ratelimit-reset-*`):
 * the current minute's count decays through the whole next minute.
 */
export function msUntilReset(counts: WindowCounts, elapsedMs: number): number {
  if (counts.current > 0) return 2 * WINDOW_MS - elapsedMs;
  if (counts.previous > 0) return WINDOW_MS - elapsedMs;
  return 0;
}
