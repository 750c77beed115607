import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { AnalyticsAggregator } from './analytics-aggregator';
import { figuresOf } from './analytics-fields';
import type { AnalyticsStore } from './analytics-store.interface';
import { MemoryAnalyticsStore } from './memory-analytics.store';
import { RedisAnalyticsStore } from './redis-analytics.store';

// The Redis cases need a server: CI sets REDIS_URL (redis://127.0.0.1:6379); skipped without it.
const REDIS_URL = process.env.REDIS_URL;

const T0 = Date.UTC(2026, 11, 7, 12, 0, 0);

const sample = (over: Partial<Parameters<AnalyticsAggregator['recordRequest']>[0]> = {}) => ({
  key: 'team-a',
  tier: 'instant',
  model: 'm',
  pool: 'p',
  input: 10,
  cachedInput: 4,
  output: 5,
  reasoning: 0,
  cost: 0.000123,
  latencyMs: 120,
  ...over,
});

/** The behaviour both stores share: deltas add up, buckets stay apart, reads keep the order. */
function contract(name: string, make: () => AnalyticsStore): void {
  describe(`${name}: the analytics store contract`, () => {
    let store: AnalyticsStore;
    beforeEach(() => (store = make()));
    afterEach(() => store.close());

    it('adds deltas of two flushes (two processes) into the same groups', async () => {
      const a = new AnalyticsAggregator(() => T0);
      const b = new AnalyticsAggregator(() => T0 + 3_000);
      a.recordRequest(sample());
      a.recordRequest(sample({ errorCode: 'upstream_error', latencyMs: 900 }));
      b.recordRequest(sample({ key: 'team-b', cost: 0.5 }));
      await store.apply(a.drain());
      await store.apply(b.drain());
      const [keys] = await store.read(10, [T0 / 1000], 'key');
      expect(figuresOf(keys.get('team-a') ?? new Map())).toMatchObject({
        requests: 2,
        errors: { upstream_error: 1 },
        error_rate: 0.5,
        tokens: { input: 20, cached_input: 8, output: 10, reasoning: 0 },
        cost: 0.000246,
      });
      expect(figuresOf(keys.get('team-b') ?? new Map()).cost).toBe(0.5);
      const [total] = await store.read(60, [T0 / 1000], 'total');
      expect(figuresOf(total.get('') ?? new Map()).requests).toBe(3);
    });

    it('keeps buckets apart and answers them in the order asked, empty where nothing was counted', async () => {
      const at = (ms: number) => new AnalyticsAggregator(() => ms);
      const first = at(T0);
      first.recordRequest(sample());
      const later = at(T0 + 10_000);
      later.recordRequest(sample());
      later.recordRequest(sample());
      await store.apply([...first.drain(), ...later.drain()]);
      const buckets = await store.read(10, [T0 / 1000 + 20, T0 / 1000 + 10, T0 / 1000], 'tier');
      expect(buckets.map((b) => figuresOf(b.get('instant') ?? new Map()).requests)).toEqual([
        0, 2, 1,
      ]);
      // Both fall in the same minute.
      const [minute] = await store.read(60, [T0 / 1000], 'tier');
      expect(figuresOf(minute.get('instant') ?? new Map()).requests).toBe(3);
    });

    it('keeps group names with any characters (model ids with slashes and bars)', async () => {
      const a = new AnalyticsAggregator(() => T0);
      a.recordRequest(sample({ model: 'Qwen/Qwen3-8B|fp8', key: 'a:b c' }));
      await store.apply(a.drain());
      const [models] = await store.read(10, [T0 / 1000], 'model');
      const [keys] = await store.read(10, [T0 / 1000], 'key');
      expect([...models.keys()]).toEqual(['Qwen/Qwen3-8B|fp8']);
      expect([...keys.keys()]).toEqual(['a:b c']);
    });

    it('keeps the latency sketch exact across merges', async () => {
      const a = new AnalyticsAggregator(() => T0);
      for (const ms of [10, 20, 30, 40, 1000]) a.recordRequest(sample({ latencyMs: ms }));
      await store.apply(a.drain());
      const [total] = await store.read(10, [T0 / 1000], 'total');
      const figures = figuresOf(total.get('') ?? new Map());
      expect(Math.abs((figures.latency_ms?.p50 ?? 0) - 30)).toBeLessThanOrEqual(30 * 0.0201);
      // Rank floor(0.99 × 4) = 3: the fourth value.
      expect(Math.abs((figures.latency_ms?.p99 ?? 0) - 40)).toBeLessThanOrEqual(40 * 0.0201);
    });
  });
}

contract('in memory', () => new MemoryAnalyticsStore(() => T0));

(REDIS_URL ? describe : describe.skip)('on Redis (needs REDIS_URL; skipped without it)', () => {
  const prefix = `tiergate-test:analytics:${randomUUID()}:`;
  // A prefix per store: each case starts from nothing.
  contract(
    'Redis',
    () => new RedisAnalyticsStore(new Redis(REDIS_URL as string), `${prefix}${randomUUID()}:`),
  );

  it('sets an expiry on every bucket it writes', async () => {
    const redis = new Redis(REDIS_URL as string);
    const store = new RedisAnalyticsStore(new Redis(REDIS_URL as string), `${prefix}ttl:`);
    const a = new AnalyticsAggregator(() => T0);
    a.recordRequest(sample());
    await store.apply(a.drain());
    const keys = await redis.keys(`${prefix}ttl:*`);
    expect(keys.length).toBeGreaterThan(0);
    const ttls = await Promise.all(keys.map((k) => redis.ttl(k)));
    expect(ttls.every((ttl) => ttl > 0)).toBe(true);
    await store.close();
    await redis.quit();
  });

  afterAll(async () => {
    const redis = new Redis(REDIS_URL as string);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
});
