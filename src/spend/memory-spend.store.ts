import type { SpendScope, SpendStep, SpendStore, SpendTotal } from './spend-store.interface';

/** Spend of one process (no Redis): each key's buckets in a map. Steps are synchronous, so atomic. */
export class MemorySpendStore implements SpendStore {
  readonly kind = 'memory';
  /** Period → key name → bucket → nano-units. */
  private readonly periods = new Map<string, Map<string, Map<number, number>>>();

  charge(scope: SpendScope, amount: number, limit?: number): Promise<SpendStep> {
    const buckets = this.bucketsOf(scope, true);
    const before = this.total(buckets, scope.first);
    if (limit !== undefined && before.spent + amount > limit) {
      return Promise.resolve({
        admitted: false,
        before: before.spent,
        after: before.spent,
        ...oldest(before),
      });
    }
    if (amount !== 0) buckets.set(scope.bucket, (buckets.get(scope.bucket) ?? 0) + amount);
    return Promise.resolve(this.step(buckets, scope.first, before.spent));
  }

  adjust(scope: SpendScope, delta: number): Promise<SpendStep> {
    const buckets = this.bucketsOf(scope, true);
    const before = this.total(buckets, scope.first);
    if (scope.bucket >= scope.first && delta !== 0) {
      buckets.set(scope.bucket, (buckets.get(scope.bucket) ?? 0) + delta);
    }
    return Promise.resolve(this.step(buckets, scope.first, before.spent));
  }

  peek(scope: Omit<SpendScope, 'bucket' | 'ttlMs'>): Promise<SpendTotal> {
    const buckets = this.bucketsOf(scope, false);
    return Promise.resolve(buckets ? this.total(buckets, scope.first) : { spent: 0 });
  }

  private step(buckets: Map<number, number>, first: number, before: number): SpendStep {
    const after = this.total(buckets, first);
    return { admitted: true, before, after: after.spent, ...oldest(after) };
  }

  private bucketsOf(scope: Pick<SpendScope, 'key' | 'period'>, create: true): Map<number, number>;
  private bucketsOf(
    scope: Pick<SpendScope, 'key' | 'period'>,
    create: false,
  ): Map<number, number> | undefined;
  private bucketsOf(
    scope: Pick<SpendScope, 'key' | 'period'>,
    create: boolean,
  ): Map<number, number> | undefined {
    let keys = this.periods.get(scope.period);
    if (!keys) {
      if (!create) return undefined;
      this.periods.set(scope.period, (keys = new Map()));
    }
    let buckets = keys.get(scope.key);
    if (!buckets && create) keys.set(scope.key, (buckets = new Map()));
    return buckets;
  }

  /** The window's total; buckets older than `first` are dropped on the way. */
  private total(buckets: Map<number, number>, first: number): SpendTotal {
    let spent = 0;
    let oldestBucket: number | undefined;
    for (const [bucket, nanos] of buckets) {
      if (bucket < first) {
        buckets.delete(bucket);
        continue;
      }
      spent += nanos;
      if (nanos > 0 && (oldestBucket === undefined || bucket < oldestBucket)) oldestBucket = bucket;
    }
    return oldestBucket === undefined ? { spent } : { spent, oldest: oldestBucket };
  }
}

function oldest(total: SpendTotal): { oldest?: number } {
  return total.oldest === undefined ? {} : { oldest: total.oldest };
}
