import type Redis from 'ioredis';
import { F, type Fields } from './analytics-fields';
import type {
  AnalyticsDimension,
  AnalyticsStore,
  BucketDelta,
  GroupFields,
} from './analytics-store.interface';
import { bucketName } from './memory-analytics.store';

/**
 * The counters in Redis, shared by every gateway process: one hash per bucket and dimension
 * (`<prefix><bucket s>:<start>:<dimension>`), one field per counter and group
 * (`<counter>|<group>`), expiring when no window reads the bucket any more. A flush is one
 * pipeline of HINCRBY / HINCRBYFLOAT and EXPIRE; a read one pipeline of HGETALL.
 */
export class RedisAnalyticsStore implements AnalyticsStore {
  readonly scope = 'cluster';

  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {}

  async apply(deltas: readonly BucketDelta[]): Promise<void> {
    if (deltas.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const delta of deltas) {
      const key = this.keyOf(delta.bucketSeconds, delta.start, delta.dimension);
      for (const [group, fields] of delta.groups) {
        for (const [name, value] of fields) {
          const field = `${name}|${group}`;
          if (name === F.cost) pipeline.hincrbyfloat(key, field, value);
          else pipeline.hincrby(key, field, value);
        }
      }
      pipeline.expire(key, delta.ttlSeconds);
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([error]) => error !== null);
    if (failed) throw failed[0] as Error;
  }

  async read(
    bucketSeconds: number,
    starts: readonly number[],
    dimension: AnalyticsDimension,
  ): Promise<GroupFields[]> {
    const pipeline = this.redis.pipeline();
    for (const start of starts) pipeline.hgetall(this.keyOf(bucketSeconds, start, dimension));
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, hash]) => {
      if (error) throw error;
      return groupsOf(hash as Record<string, string>);
    });
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private keyOf(bucketSeconds: number, start: number, dimension: AnalyticsDimension): string {
    return this.keyPrefix + bucketName(bucketSeconds, start, dimension);
  }
}

/** A bucket's hash back into groups: `<counter>|<group>` (a counter name has no `|`). */
function groupsOf(hash: Record<string, string>): GroupFields {
  const groups: GroupFields = new Map();
  for (const [field, text] of Object.entries(hash)) {
    const bar = field.indexOf('|');
    if (bar === -1) continue;
    const group = field.slice(bar + 1);
    let fields: Fields | undefined = groups.get(group);
    if (fields === undefined) groups.set(group, (fields = new Map()));
    fields.set(field.slice(0, bar), Number(text));
  }
  return groups;
}
