import { AnalyticsAggregator, type RequestSample } from './analytics-aggregator';
import { analyticsReport } from './analytics-report';
import { bucketsOf, RESOLUTIONS } from './analytics-windows';
import { MemoryAnalyticsStore } from './memory-analytics.store';

const T0 = Date.UTC(2026, 11, 7, 12, 0, 0);

const request = (over: Partial<RequestSample> = {}): RequestSample => ({
  key: 'team-a',
  tier: 'instant',
  model: 'sim-instant',
  pool: 'instant-pool',
  input: 10,
  cachedInput: 0,
  output: 4,
  reasoning: 0,
  cost: 0,
  latencyMs: 100,
  ...over,
});

function setUp() {
  const clock = { now: T0 };
  const aggregator = new AnalyticsAggregator(() => clock.now);
  const store = new MemoryAnalyticsStore(() => clock.now);
  const report = async (
    window: '5m' | '1h' | '24h' | '7d',
    by: 'key' | 'tier' | 'model' | 'pool' | 'replica',
  ) => {
    await store.apply(aggregator.drain());
    return analyticsReport(store, window, by, clock.now, 'USD');
  };
  return { clock, aggregator, store, report };
}

describe('analytics: aggregation, buckets and grouping', () => {
  it('groups one request under its key, tier, model and pool, and the totals', async () => {
    const { aggregator, report } = setUp();
    aggregator.recordRequest(request());
    aggregator.recordRequest(
      request({ key: 'team-b', tier: 'thinking', model: 'sim-thinking', pool: 'thinking-pool' }),
    );
    aggregator.recordRequest(request({ errorCode: 'upstream_timeout' }));
    for (const [by, groups] of [
      ['key', { 'team-a': 2, 'team-b': 1 }],
      ['tier', { instant: 2, thinking: 1 }],
      ['model', { 'sim-instant': 2, 'sim-thinking': 1 }],
      ['pool', { 'instant-pool': 2, 'thinking-pool': 1 }],
    ] as const) {
      const answer = await report('1h', by);
      expect(Object.fromEntries(answer.groups.map((g) => [g.key, g.requests]))).toEqual(groups);
      expect(answer.totals.requests).toBe(3);
      expect(answer.totals.errors).toEqual({ upstream_timeout: 1 });
    }
  });

  it('counts replicas from attempts only, and requests never under replica', async () => {
    const { aggregator, report } = setUp();
    aggregator.recordRequest(request());
    aggregator.recordAttempt({
      ...request(),
      replica: 'instant-pool/abc',
      errorCode: 'upstream_error',
    });
    aggregator.recordAttempt({ ...request(), replica: 'instant-pool/def' });
    const answer = await report('5m', 'replica');
    expect(answer.groups.map((g) => [g.key, g.requests, g.error_rate])).toEqual([
      ['instant-pool/abc', 1, 1],
      ['instant-pool/def', 1, 0],
    ]);
    expect(answer.totals.requests).toBe(1);
  });

  it('rolls over into the next bucket as time passes, and the series shows each', async () => {
    const { clock, aggregator, report } = setUp();
    aggregator.recordRequest(request());
    clock.now += 10_000;
    aggregator.recordRequest(request());
    aggregator.recordRequest(request());
    const answer = await report('5m', 'tier');
    expect(answer.bucket_seconds).toBe(10);
    expect(answer.totals.series).toHaveLength(31);
    expect(answer.totals.series.slice(-2).map((p) => p.requests)).toEqual([1, 2]);
    expect(answer.totals.series.slice(-2).map((p) => p.t)).toEqual([
      new Date(T0).toISOString(),
      new Date(T0 + 10_000).toISOString(),
    ]);
    // The hour window holds both in one minute bucket.
    const hour = await report('1h', 'tier');
    expect(hour.totals.series.at(-1)?.requests).toBe(3);
  });

  it('drops a request out of the window once its bucket is older than the window', async () => {
    const { clock, aggregator, report } = setUp();
    aggregator.recordRequest(request());
    expect((await report('5m', 'tier')).totals.requests).toBe(1);
    clock.now += 320_000;
    expect((await report('5m', 'tier')).totals.requests).toBe(0);
    expect((await report('1h', 'tier')).totals.requests).toBe(1);
  });

  it('keeps memory bounded: buckets expire, whatever the traffic', async () => {
    const { clock, aggregator, store } = setUp();
    for (let minute = 0; minute < 8 * 24 * 60; minute += 7) {
      clock.now = T0 + minute * 60_000;
      for (let i = 0; i < 3; i++) aggregator.recordRequest(request({ key: `k${i}` }));
      await store.apply(aggregator.drain());
    }
    const windows = Object.values(RESOLUTIONS);
    const most = windows.reduce((n, r) => n + bucketsOf(r, 0).length + 2, 0) * 7;
    expect(store.size).toBeLessThanOrEqual(most);
  });

  it('reports the routing mix of auto: tier share and decisions by step', async () => {
    const { aggregator, report } = setUp();
    aggregator.recordRequest(request({ auto: { tier: 'instant', step: 'classifier:rules' } }));
    aggregator.recordRequest(request({ auto: { tier: 'instant', step: 'hint:reasoning_effort' } }));
    aggregator.recordRequest(
      request({ tier: 'thinking', auto: { tier: 'thinking', step: 'classifier:rules' } }),
    );
    aggregator.recordRequest(request());
    const { routing } = await report('1h', 'tier');
    expect(routing.auto_requests).toBe(3);
    expect(routing.tier_share).toEqual({ instant: 0.6667, thinking: 0.3333 });
    expect(routing.decisions).toEqual({ 'classifier:rules': 2, 'hint:reasoning_effort': 1 });
    expect(routing.series.at(-1)).toMatchObject({ instant: 2, thinking: 1 });
  });

  it('derives tokens per second from generation time, and counts fallbacks and spills', async () => {
    const { aggregator, report } = setUp();
    aggregator.recordRequest(
      request({ output: 100, latencyMs: 1100, ttftMs: 100, fallback: true }),
    );
    aggregator.recordRequest(request({ output: 50, latencyMs: 1000, spill: true }));
    aggregator.recordRequest(request({ output: 0, errorCode: 'upstream_error' }));
    const { totals } = await report('1h', 'tier');
    expect(totals.tokens_per_second).toBe(75);
    expect(totals.ttft_ms?.p50).toBeCloseTo(100, -1);
    expect([totals.fallbacks, totals.spills]).toEqual([1, 1]);
  });
});
