import { WINDOW_MS } from './limits.constants';
import {
  fits,
  msUntilFits,
  msUntilReset,
  remainingOf,
  usedOf,
  weightedCount,
} from './sliding-window';

const counts = (previous: number, current: number) => ({ previous, current });
const HALF = WINDOW_MS / 2;

describe('sliding window', () => {
  it.each<[string, number, number, number, number]>([
    ['the previous minute counts fully at the start', 10, 0, 0, 10],
    ['half of it half-way through', 10, 4, HALF, 9],
    ['nothing of it at the end', 10, 4, WINDOW_MS, 4],
  ])('%s', (_name, previous, current, elapsed, expected) => {
    expect(weightedCount(counts(previous, current), elapsed)).toBeCloseTo(expected);
  });

  it.each<[string, number, [number, number], number, number, boolean]>([
    ['an empty window takes up to the limit', 10, [0, 0], 0, 10, true],
    ['one over does not fit', 10, [0, 10], 0, 1, false],
    ['the decayed share of the previous minute frees room', 10, [10, 0], HALF, 5, true],
    ['but not more than it', 10, [10, 0], HALF, 6, false],
  ])('%s', (_name, limit, [previous, current], elapsed, cost, expected) => {
    expect(fits(limit, counts(previous, current), elapsed, cost)).toBe(expected);
  });

  it('reports used rounded up and remaining never below zero', () => {
    expect(usedOf(counts(3, 1), HALF)).toBe(3); // 1.5 + 1 = 2.5
    expect(remainingOf(10, counts(3, 1), HALF)).toBe(7);
    expect(remainingOf(2, counts(0, 5), 0)).toBe(0);
  });

  it.each<[string, number, [number, number], number, number, number]>([
    ['fits now', 10, [0, 3], 1000, 1, 0],
    // 10·(1 − t/60 s) + 0 + 1 ≤ 10 → t ≥ 6 s; 1 s is gone already.
    ['waits for the previous minute to decay', 10, [10, 0], 1000, 1, 5000],
    // The current minute is full: next minute it decays, 10·(1 − s/60 s) + 1 ≤ 10 → s ≥ 6 s.
    ['waits into the next minute', 10, [0, 10], 50_000, 1, 16_000],
  ])('%s', (_name, limit, [previous, current], elapsed, cost, expected) => {
    expect(msUntilFits(limit, counts(previous, current), elapsed, cost)).toBe(expected);
  });

  it('resets once both minutes have decayed', () => {
    expect(msUntilReset(counts(0, 0), 10_000)).toBe(0);
    expect(msUntilReset(counts(5, 0), 10_000)).toBe(50_000);
    expect(msUntilReset(counts(5, 1), 10_000)).toBe(110_000);
  });
});
