import fc from 'fast-check';
import {
  bucketOf,
  mergeCounts,
  MIN_VALUE_MS,
  percentiles,
  quantile,
  RELATIVE_ACCURACY,
} from './latency-sketch';

function sketch(values: readonly number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(bucketOf(v), (counts.get(bucketOf(v)) ?? 0) + 1);
  return counts;
}

function exact(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))];
}

/** Latencies from 0.05 ms to an hour, log-uniform with some repeats. */
const latency = fc
  .double({ min: Math.log(0.05), max: Math.log(3_600_000), noNaN: true })
  .map((x) => Math.exp(x));

describe('latency sketch (fixed log-scale buckets)', () => {
  it('reads every quantile within 2 % of the exact one, on random data', () => {
    fc.assert(
      fc.property(
        fc.array(latency, { minLength: 1, maxLength: 400 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (values, q) => {
          const estimate = quantile(sketch(values), q) as number;
          const truth = exact(values, q);
          expect(Math.abs(estimate - truth)).toBeLessThanOrEqual(
            RELATIVE_ACCURACY * truth * (1 + 1e-9),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('merges: the sketch of two sets is the sum of their sketches, whatever the split', () => {
    fc.assert(
      fc.property(
        fc.array(latency, { maxLength: 200 }),
        fc.array(latency, { maxLength: 200 }),
        (a, b) => {
          const merged = sketch(a);
          mergeCounts(merged, sketch(b));
          expect(merged).toEqual(sketch([...a, ...b]));
          if (a.length + b.length > 0) {
            expect(percentiles(merged)).toEqual(percentiles(sketch([...b, ...a])));
          }
        },
      ),
    );
  });

  it('puts zero and tiny values in the lowest bucket', () => {
    expect(bucketOf(0)).toBe(bucketOf(MIN_VALUE_MS));
    expect(bucketOf(-1)).toBe(bucketOf(MIN_VALUE_MS));
    expect(quantile(sketch([0, 0, 0]), 0.5)).toBe(MIN_VALUE_MS);
  });

  it('has no percentiles without values', () => {
    expect(percentiles(new Map())).toBeNull();
    expect(quantile(new Map(), 0.5)).toBeUndefined();
  });

  it('gives p50, p95, p99 of a known distribution', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i + 1);
    const p = percentiles(sketch(values));
    expect(Math.abs((p?.p50 ?? 0) - 500)).toBeLessThanOrEqual(500 * RELATIVE_ACCURACY);
    expect(Math.abs((p?.p95 ?? 0) - 950)).toBeLessThanOrEqual(950 * RELATIVE_ACCURACY);
    expect(Math.abs((p?.p99 ?? 0) - 990)).toBeLessThanOrEqual(990 * RELATIVE_ACCURACY);
  });
});
