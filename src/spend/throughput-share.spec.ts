import Redis from 'ioredis';
import { MemorySpendStore } from './memory-spend.store';
import { PricingService, type PricingCatalog } from './pricing.service';
import { RedisSpendStore } from './redis-spend.store';
import type { PricingOptions } from './spend.options';
import type { SpendStore } from './spend-store.interface';
import { ThroughputShare } from './throughput-share';

const REDIS_URL = process.env.REDIS_URL;

const CATALOG: PricingCatalog = {
  tiers: { instant: { pool: 'small', model: 'qwen-8b' } },
  aliases: {},
  replicas: { small: 2 },
};
/** Two replicas at 3.6 an hour: the pool costs 0.002 a second. */
const OPTIONS: PricingOptions = {
  currency: 'USD',
  tiers: {},
  models: {},
  aliases: {},
  pools: { small: { gpuHourCost: 3.6, throughputWindowMs: 100_000 } },
};
/** The price per million tokens of a pool costing 0.002/s that served `tokens` in 100 s. */
const priceAt = (tokens: number): number => (0.002 / (tokens / 100)) * 1e6;

/** Two gateway processes sharing `store` (Redis, in production), on one clock. */
function twoProcesses(store: () => SpendStore, now: () => number) {
  const a = new PricingService(OPTIONS, CATALOG, now);
  const b = new PricingService(OPTIONS, CATALOG, now);
  return {
    a,
    b,
    shareA: new ThroughputShare(a, store()),
    shareB: new ThroughputShare(b, store()),
    price: (p: PricingService) => p.priceForCall(undefined, 'instant', 'qwen-8b')?.input,
  };
}

describe('ThroughputShare: a GPU-hour pool priced by the whole cluster’s throughput', () => {
  let clock = 1_000_000;
  const now = () => clock;

  it('each process prices by every process’s tokens once they have exchanged', async () => {
    const store = new MemorySpendStore();
    const { a, b, shareA, shareB, price } = twoProcesses(() => store, now);
    a.recordThroughput('instant', 20_000);
    b.recordThroughput('instant', 30_000);
    // Before any exchange each counts only its own calls.
    expect(price(a)).toBeCloseTo(priceAt(20_000), 9);
    expect(price(b)).toBeCloseTo(priceAt(30_000), 9);
    await shareA.exchange();
    await shareB.exchange();
    await shareA.exchange(); // takes back what B sent after A's first exchange
    expect(price(a)).toBeCloseTo(priceAt(50_000), 9);
    expect(price(b)).toBeCloseTo(priceAt(50_000), 9);
    // Tokens counted since the exchange add to the shared count at once, and are sent once.
    a.recordThroughput('instant', 50_000);
    expect(price(a)).toBeCloseTo(priceAt(100_000), 9);
    await shareA.exchange();
    await shareA.exchange();
    expect(price(a)).toBeCloseTo(priceAt(100_000), 9);
  });

  it('tokens older than the window stop counting', async () => {
    const store = new MemorySpendStore();
    const { a, shareA, price } = twoProcesses(() => store, now);
    a.recordThroughput('instant', 40_000);
    await shareA.exchange();
    clock += 100_000;
    a.recordThroughput('instant', 10_000);
    await shareA.exchange();
    expect(price(a)).toBeCloseTo(priceAt(10_000), 9);
  });

  it('a failed exchange loses nothing and sends nothing twice: the own count stands in meanwhile', async () => {
    const store = new MemorySpendStore();
    let down = false;
    const flaky: SpendStore = {
      kind: 'redis',
      charge: (scope, amount, limit) =>
        down ? Promise.reject(new Error('ECONNREFUSED')) : store.charge(scope, amount, limit),
      adjust: (scope, delta) => store.adjust(scope, delta),
      peek: (scope) => store.peek(scope),
    };
    const { a, b, shareA, shareB, price } = twoProcesses(() => flaky, now);
    b.recordThroughput('instant', 30_000);
    await shareB.exchange();
    a.recordThroughput('instant', 20_000);
    down = true;
    await shareA.exchange();
    expect(price(a)).toBeCloseTo(priceAt(20_000), 9);
    down = false;
    await shareA.exchange();
    expect(price(a)).toBeCloseTo(priceAt(50_000), 9);
    await shareA.exchange();
    expect(price(a)).toBeCloseTo(priceAt(50_000), 9);
  });

  it('starts no timer without a shared store or without a GPU-hour pool', () => {
    const pricing = new PricingService(OPTIONS, CATALOG, now);
    const share = new ThroughputShare(pricing, new MemorySpendStore());
    share.onModuleInit();
    expect(share['timer']).toBeUndefined();
  });
});

(REDIS_URL ? describe : describe.skip)('ThroughputShare over Redis (needs REDIS_URL)', () => {
  const prefix = `tiergate-spec:throughput:${process.pid}:${Date.now()}:`;
  const stores: RedisSpendStore[] = [];
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.onApplicationShutdown()));
    const admin = new Redis(REDIS_URL as string);
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  });

  it('two processes on one Redis price the pool by both their tokens', async () => {
    const store = () => {
      const s = new RedisSpendStore(new Redis(REDIS_URL as string), {
        keyPrefix: prefix,
        onError: 'closed',
      });
      stores.push(s);
      return s;
    };
    const { a, b, shareA, shareB, price } = twoProcesses(store, Date.now);
    a.recordThroughput('instant', 20_000);
    b.recordThroughput('instant', 30_000);
    await shareA.exchange();
    await shareB.exchange();
    await shareA.exchange();
    expect(price(a)).toBeCloseTo(priceAt(50_000), 9);
    expect(price(b)).toBeCloseTo(priceAt(50_000), 9);
  });
});
