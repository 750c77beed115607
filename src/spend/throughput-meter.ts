/**
 * Tokens a pool handled over a recent window, in buckets of a tenth of the window: the measured
 * throughput a GPU-hour price is turned into a per-token price from (see docs/spend.md). Each
 * gateway process measures the calls it made itself.
 */
export class ThroughputMeter {
  private readonly bucketMs: number;
  private readonly counts: number[];
  private readonly starts: number[];

  constructor(
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.bucketMs = Math.max(1, Math.ceil(windowMs / BUCKETS));
    this.counts = new Array<number>(BUCKETS).fill(0);
    this.starts = new Array<number>(BUCKETS).fill(-Infinity);
  }

  add(tokens: number): void {
    if (tokens <= 0) return;
    const start = Math.floor(this.now() / this.bucketMs) * this.bucketMs;
    const slot = Math.floor(start / this.bucketMs) % BUCKETS;
    if (this.starts[slot] !== start) {
      this.starts[slot] = start;
      this.counts[slot] = 0;
    }
    this.counts[slot] += tokens;
  }

  /** Tokens per second over the window (tokens in it ÷ its length in seconds). */
  tokensPerSecond(): number {
    const oldest =
      Math.floor(this.now() / this.bucketMs) * this.bucketMs - (BUCKETS - 1) * this.bucketMs;
    let tokens = 0;
    for (let i = 0; i < BUCKETS; i++) if (this.starts[i] >= oldest) tokens += this.counts[i];
    return tokens / ((BUCKETS * this.bucketMs) / 1000);
  }
}

const BUCKETS = 10;
