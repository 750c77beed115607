import { ResultSlab } from './result-slab';

describe('ResultSlab', () => {
  it('hands out zeroed arrays of their own, aligned, across slabs', () => {
    const slab = new ResultSlab(100);
    const arrays = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0 ? slab.floats(5 + (i % 3)) : slab.ints(3 + (i % 4)),
    );
    for (const a of arrays) {
      expect(Array.from(a).every((x) => x === 0)).toBe(true);
      expect(a.byteOffset % 8).toBe(0);
    }
    arrays.forEach((a, i) => a.fill(i + 1));
    arrays.forEach((a, i) => expect(Array.from(a).every((x) => x === i + 1)).toBe(true));
    // More than one slab was used, and an array larger than a slab gets one of its own.
    expect(new Set(arrays.map((a) => a.buffer)).size).toBeGreaterThan(1);
    expect(slab.floats(50)).toHaveLength(50);
  });
});
