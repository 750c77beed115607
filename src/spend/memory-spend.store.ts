import type {
  SpendAdjust,
  SpendCharge,
  SpendScope,
  SpendStep,
  SpendStore,
  SpendTotal,
} from './spend-store.interface';

/** Spend of one process (no Redis): each key's buckets in a map. Steps are synchronous, so atomic. */
export class MemorySpendStore implements SpendStore {
  readonly kind = 'memory';
  private readonly buckets = new Map<string, Map<number, number>>();

  charge(charge: SpendCharge): Promise<SpendStep> {
    const buckets = this.bucketsOf(charge, true);
    const before = this.total(buckets, charge.first);
    if (charge.limit !== undefined && before.spent + charge.amount > charge.limit) {
      return Promise.resolve({
        admitted: false,
        before: before.spent,
        after: before.spent,
        ...oldest(before),
      });
    }
    if (charge.amount !== 0)
      buckets.set(charge.bucket, (buckets.get(charge.bucket) ?? 0) + charge.amount);
    return Promise.resolve(this.step(buckets, charge.first, before.spent));
  }

  adjust(adjust: SpendAdjust): Promise<SpendStep> {
    const buckets = this.bucketsOf(adjust, true);
    const before = this.total(buckets, adjust.first);
    if (adjust.bucket >= adjust.first && adjust.delta !== 0) {
      buckets.set(adjust.bucket, (buckets.get(adjust.bucket) ?? 0) + adjust.delta);
    }
    return Promise.resolve(this.step(buckets, adjust.first, before.spent));
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
    const name = `${scope.key}\u0000${scope.period}`;
    let buckets = this.buckets.get(name);
    if (!buckets && create) this.buckets.set(name, (buckets = new Map()));
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
