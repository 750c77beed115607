import { mergeFields } from './analytics-fields';
import type {
  AnalyticsDimension,
  AnalyticsStore,
  BucketDelta,
  GroupFields,
} from './analytics-store.interface';

interface Bucket {
  groups: GroupFields;
  expiresAt: number;
}

/** The counters in this process's memory (no `REDIS_URL`): `/v1/analytics` is per process. */
export class MemoryAnalyticsStore implements AnalyticsStore {
  readonly scope = 'process';
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  apply(deltas: readonly BucketDelta[]): Promise<void> {
    const now = this.now();
    for (const delta of deltas) {
      const name = bucketName(delta.bucketSeconds, delta.start, delta.dimension);
      let bucket = this.buckets.get(name);
      if (bucket === undefined || bucket.expiresAt <= now) {
        bucket = { groups: new Map(), expiresAt: 0 };
        this.buckets.set(name, bucket);
      }
      bucket.expiresAt = now + delta.ttlSeconds * 1000;
      for (const [group, fields] of delta.groups) {
        let into = bucket.groups.get(group);
        if (into === undefined) bucket.groups.set(group, (into = new Map()));
        mergeFields(into, fields);
      }
    }
    this.expire(now);
    return Promise.resolve();
  }

  read(
    bucketSeconds: number,
    starts: readonly number[],
    dimension: AnalyticsDimension,
  ): Promise<GroupFields[]> {
    const now = this.now();
    return Promise.resolve(
      starts.map((start) => {
        const bucket = this.buckets.get(bucketName(bucketSeconds, start, dimension));
        return bucket === undefined || bucket.expiresAt <= now ? new Map() : bucket.groups;
      }),
    );
  }

  /** Buckets held (for the bounded-memory spec). */
  get size(): number {
    return this.buckets.size;
  }

  close(): Promise<void> {
    this.buckets.clear();
    return Promise.resolve();
  }

  private expire(now: number): void {
    for (const [name, bucket] of this.buckets) {
      if (bucket.expiresAt <= now) this.buckets.delete(name);
    }
  }
}

export function bucketName(bucketSeconds: number, start: number, dimension: string): string {
  return `${bucketSeconds}:${start}:${dimension}`;
}
