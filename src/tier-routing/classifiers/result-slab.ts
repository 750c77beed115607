/**
 * Typed arrays for results that outlive a call (a text's feature values and cue counts), cut
 * from shared slabs. A typed array over 64 bytes gets a backing store of its own in V8 (a
 * malloc, and a sweep to free it): for the two arrays of a short prompt's features that was a
 * quarter of the decision. A view on a slab is a heap object only. Each view has its own bytes,
 * zeroed, never handed out again; a slab is freed once none of its views is left.
 */
export class ResultSlab {
  private buffer = new ArrayBuffer(0);
  private used = 0;

  constructor(private readonly slabBytes: number) {}

  /** `length` zeroed doubles. */
  floats(length: number): Float64Array {
    const at = this.take(length * 8);
    return new Float64Array(this.buffer, at, length);
  }

  /** `length` zeroed 32-bit integers. */
  ints(length: number): Int32Array {
    const at = this.take(length * 4);
    return new Int32Array(this.buffer, at, length);
  }

  /** The offset of `bytes` fresh bytes, 8-aligned (a double's alignment). */
  private take(bytes: number): number {
    const size = (bytes + 7) & ~7;
    if (this.used + size > this.buffer.byteLength) {
      this.buffer = new ArrayBuffer(Math.max(this.slabBytes, size));
      this.used = 0;
    }
    const at = this.used;
    this.used += size;
    return at;
  }
}
