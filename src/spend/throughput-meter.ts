/**
 * Adds `tokens` to the bucket starting at `bucket` (ms) of a pool's shared count and answers the
 * sum of its buckets from `first` on: every gateway process's tokens (Redis), atomically.
 */
export type ThroughputExchange = (bucket: number, first: number, tokens: number) => Promise<number>;

/**
 * Tokens a pool handled over a recent window, in buckets of a tenth of the window: the measured
 * throughput a GPU-hour price is turned into a per-token price from (see docs/spend.md).
 *
 * On its own it counts the calls this process made. With a shared store (Redis), {@link share}
 * runs every second: it sends the tokens counted since the last exchange and takes back the
 * whole cluster's count, so every gateway replica prices by the pool's real throughput. Until the
 * first exchange, and whenever one fails, the process's own count stands in.
 */
export class ThroughputMeter {
  private readonly bucketMs: number;
  private readonly counts: number[];
  private readonly starts: number[];
  /** Bucket start → tokens not yet sent to the shared count. */
  private unshared = new Map<number, number>();
  /** The cluster's tokens in the window at the last exchange; undefined when not shared. */
  private shared: number | undefined;

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
    const start = this.bucketStart();
    const slot = Math.floor(start / this.bucketMs) % BUCKETS;
    if (this.starts[slot] !== start) {
      this.starts[slot] = start;
      this.counts[slot] = 0;
    }
    this.counts[slot] += tokens;
    this.unshared.set(start, (this.unshared.get(start) ?? 0) + tokens);
  }

  /** Tokens per second over the window (tokens in it ÷ its length in seconds). */
  tokensPerSecond(): number {
    const oldest = this.oldestStart();
    let tokens = 0;
    if (this.shared === undefined) {
      for (let i = 0; i < BUCKETS; i++) if (this.starts[i] >= oldest) tokens += this.counts[i];
    } else {
      tokens = this.shared;
      for (const [start, n] of this.unshared) if (start >= oldest) tokens += n;
    }
    return tokens / ((BUCKETS * this.bucketMs) / 1000);
  }

  /**
   * Sends the tokens counted since the last exchange and takes back the cluster's count. A
   * failed exchange keeps them for the next one, and the process's own count stands in meanwhile.
   */
  async share(exchange: ThroughputExchange): Promise<void> {
    const pending = this.unshared;
    this.unshared = new Map();
    const first = this.oldestStart();
    try {
      let total: number | undefined;
      for (const [bucket, tokens] of pending) {
        if (bucket >= first) total = await exchange(bucket, first, tokens);
        pending.delete(bucket); // sent: never sent twice, whatever fails next
      }
      // Nothing new here: still read what the other replicas counted.
      this.shared = total ?? (await exchange(this.bucketStart(), first, 0));
    } catch {
      for (const [bucket, tokens] of pending) {
        if (bucket >= first) this.unshared.set(bucket, (this.unshared.get(bucket) ?? 0) + tokens);
      }
      this.shared = undefined;
    }
  }

  /** How long a shared bucket must be kept: the window and the bucket being filled. */
  get retentionMs(): number {
    return (BUCKETS + 1) * this.bucketMs;
  }

  private bucketStart(): number {
    return Math.floor(this.now() / this.bucketMs) * this.bucketMs;
  }

  private oldestStart(): number {
    return this.bucketStart() - (BUCKETS - 1) * this.bucketMs;
  }
}

const BUCKETS = 10;
