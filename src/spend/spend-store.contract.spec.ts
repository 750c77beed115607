import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { MemorySpendStore } from './memory-spend.store';
import { RedisSpendStore } from './redis-spend.store';
import type { SpendScope, SpendStore } from './spend-store.interface';

// The Redis cases need a server: CI sets REDIS_URL (redis://127.0.0.1:6379). Without it they
// are reported as skipped.
const REDIS_URL = process.env.REDIS_URL;

/** The behaviour both stores share; the buckets are given, so nothing depends on the clock. */
function contract(name: string, make: () => SpendStore): void {
  describe(`${name}: the spend store contract`, () => {
    let store: SpendStore;
    let key: string;
    beforeEach(() => {
      store = make();
      key = `k-${randomUUID()}`;
    });
    const scope = (bucket: number, first = bucket): SpendScope => ({
      key,
      period: 'day',
      bucket,
      first,
      ttlMs: 60_000,
    });

    it('adds while the limit holds, then refuses and adds nothing', async () => {
      const steps = [];
      for (let i = 0; i < 4; i++)
        steps.push(await store.charge({ ...scope(1000), amount: 30, limit: 100 }));
      expect(steps.map((s) => [s.admitted, s.before, s.after])).toEqual([
        [true, 0, 30],
        [true, 30, 60],
        [true, 60, 90],
        [false, 90, 90],
      ]);
      expect(await store.peek({ key, period: 'day', first: 1000 })).toEqual({
        spent: 90,
        oldest: 1000,
      });
    });

    it('an exact fit is admitted; no limit always adds', async () => {
      expect((await store.charge({ ...scope(1000), amount: 100, limit: 100 })).admitted).toBe(true);
      expect((await store.charge({ ...scope(1000), amount: 1, limit: 100 })).admitted).toBe(false);
      expect((await store.charge({ ...scope(1000), amount: 1e12 })).after).toBe(1e12 + 100);
    });

    it('adjusts a reservation up or down while its bucket counts', async () => {
      await store.charge({ ...scope(1000), amount: 50 });
      expect(await store.adjust({ ...scope(1000), delta: -20 })).toMatchObject({
        before: 50,
        after: 30,
      });
      expect(await store.adjust({ ...scope(1000), delta: 5 })).toMatchObject({
        before: 30,
        after: 35,
      });
      expect((await store.peek({ key, period: 'day', first: 1000 })).spent).toBe(35);
    });

    it('a new period starts from zero; a late adjustment of the old one changes nothing', async () => {
      await store.charge({ ...scope(1000), amount: 70, limit: 100 });
      expect(await store.charge({ ...scope(2000), amount: 70, limit: 100 })).toMatchObject({
        admitted: true,
        before: 0,
        after: 70,
      });
      expect(await store.adjust({ ...scope(1000, 2000), delta: -70 })).toMatchObject({
        before: 70,
        after: 70,
      });
    });

    it('a rolling window sums the buckets from first on and reports the oldest holding spend', async () => {
      await store.charge({ ...scope(100, 100), amount: 10 });
      await store.charge({ ...scope(200, 100), amount: 20 });
      await store.charge({ ...scope(300, 100), amount: 30 });
      expect(await store.peek({ key, period: 'day', first: 100 })).toEqual({
        spent: 60,
        oldest: 100,
      });
      expect(await store.peek({ key, period: 'day', first: 200 })).toEqual({
        spent: 50,
        oldest: 200,
      });
      // The oldest bucket left the window: it no longer counts against the limit.
      expect(await store.charge({ ...scope(400, 200), amount: 50, limit: 100 })).toMatchObject({
        admitted: true,
        before: 50,
        after: 100,
        oldest: 200,
      });
    });

    it('keys and periods are apart', async () => {
      await store.charge({ ...scope(1000), amount: 10 });
      expect((await store.peek({ key: `${key}-other`, period: 'day', first: 1000 })).spent).toBe(0);
      expect((await store.peek({ key, period: 'week', first: 1000 })).spent).toBe(0);
    });

    it('concurrent charges never share the same remainder', async () => {
      const steps = await Promise.all(
        Array.from({ length: 20 }, () => store.charge({ ...scope(1000), amount: 7, limit: 50 })),
      );
      expect(steps.filter((s) => s.admitted)).toHaveLength(7);
      expect((await store.peek({ key, period: 'day', first: 1000 })).spent).toBe(49);
    });
  });
}

contract('MemorySpendStore', () => new MemorySpendStore());

(REDIS_URL ? describe : describe.skip)('RedisSpendStore (needs REDIS_URL)', () => {
  const prefix = `tiergate-spec:spend:${process.pid}:${Date.now()}:`;
  const stores: RedisSpendStore[] = [];
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.onApplicationShutdown()));
    const admin = new Redis(REDIS_URL as string);
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  });

  contract('RedisSpendStore', () => {
    const store = new RedisSpendStore(new Redis(REDIS_URL as string), {
      keyPrefix: prefix,
      onError: 'closed',
    });
    stores.push(store);
    return store;
  });

  it('two stores (two replicas) share one spend, kept in Redis after both are gone', async () => {
    const a = new RedisSpendStore(new Redis(REDIS_URL as string), {
      keyPrefix: prefix,
      onError: 'closed',
    });
    const b = new RedisSpendStore(new Redis(REDIS_URL as string), {
      keyPrefix: prefix,
      onError: 'closed',
    });
    const scope = { key: 'shared', period: 'day', bucket: 5000, first: 5000, ttlMs: 60_000 };
    const steps = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? a : b).charge({ ...scope, amount: 10, limit: 45 }),
      ),
    );
    expect(steps.filter((s) => s.admitted)).toHaveLength(4);
    await Promise.all([a.onApplicationShutdown(), b.onApplicationShutdown()]);
    const c = new RedisSpendStore(new Redis(REDIS_URL as string), {
      keyPrefix: prefix,
      onError: 'closed',
    });
    stores.push(c);
    expect(await c.peek({ key: 'shared', period: 'day', first: 5000 })).toEqual({
      spent: 40,
      oldest: 5000,
    });
  });

  it('an unreachable Redis fails the step (the caller applies on_error)', async () => {
    const down = RedisSpendStore.connect('redis://127.0.0.1:1', {
      keyPrefix: prefix,
      onError: 'open',
      timeoutMs: 200,
    });
    stores.push(down);
    await down.onModuleInit();
    await expect(
      down.charge({ key: 'x', period: 'day', bucket: 1, first: 1, ttlMs: 1000, amount: 1 }),
    ).rejects.toThrow();
  });
});
