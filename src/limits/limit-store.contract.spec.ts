import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { LimitStore, StoreLimits } from './limit-store.interface';
import { WINDOW_MS } from './limits.constants';
import { MemoryLimitStore } from './memory-limit.store';
import { RedisLimitStore } from './redis-limit.store';

// The Redis cases need a server: CI sets REDIS_URL (redis://127.0.0.1:6379). Without it they
// are reported as skipped.
const REDIS_URL = process.env.REDIS_URL;

const NONE: StoreLimits = { rpm: 0, tpm: 0, concurrency: 0 };

/** The behaviour both stores share; neither depends on the clock moving. */
function contract(name: string, make: () => { store: LimitStore; key: () => string }): void {
  describe(`${name}: the limit store contract`, () => {
    let store: LimitStore;
    let key: () => string;
    beforeEach(() => ({ store, key } = make()));

    const admit = (
      k: string,
      limits: Partial<StoreLimits>,
      tokens = 0,
      leaseId: string = randomUUID(),
    ) => store.admit({ key: k, limits: { ...NONE, ...limits }, tokens, leaseId });

    it('admits up to rpm requests, then refuses with rpm and reserves nothing', async () => {
      const k = key();
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await admit(k, { rpm: 3 }, 5));
      expect(results.map((r) => r.admitted)).toEqual([true, true, true, false]);
      expect(results[3].refusedBy).toBe('rpm');
      expect(results[3].state.requests.current).toBe(3);
      expect(results[3].state.tokens.current).toBe(15);
    });

    it('reserves tokens and refuses a reservation that does not fit', async () => {
      const k = key();
      expect((await admit(k, { tpm: 100 }, 60)).admitted).toBe(true);
      const refused = await admit(k, { tpm: 100 }, 41);
      expect([refused.admitted, refused.refusedBy]).toEqual([false, 'tpm']);
      expect((await admit(k, { tpm: 100 }, 40)).admitted).toBe(true);
    });

    it('names each lease apart, and a settled new lease frees its slot', async () => {
      const ids = Array.from({ length: 1000 }, () => store.newLeaseId());
      expect(new Set(ids).size).toBe(ids.length);
      const k = key();
      const first = store.newLeaseId();
      const window = (await admit(k, { concurrency: 1 }, 0, first)).state.window;
      expect((await admit(k, { concurrency: 1 }, 0, store.newLeaseId())).admitted).toBe(false);
      await store.settle({ key: k, window, tokenDelta: 0, leaseId: first });
      expect((await admit(k, { concurrency: 1 }, 0, store.newLeaseId())).admitted).toBe(true);
    });

    it('holds a concurrency slot per lease until it is settled', async () => {
      const k = key();
      const first = await admit(k, { concurrency: 2 }, 0, 'a');
      await admit(k, { concurrency: 2 }, 0, 'b');
      const third = await admit(k, { concurrency: 2 }, 0, 'c');
      expect([third.admitted, third.refusedBy, third.state.inFlight]).toEqual([
        false,
        'concurrency',
        2,
      ]);
      await store.settle({ key: k, window: first.state.window, tokenDelta: 0, leaseId: 'a' });
      expect((await admit(k, { concurrency: 2 }, 0, 'c')).admitted).toBe(true);
    });

    it('replaces a reservation by the real count when settled', async () => {
      const k = key();
      const admitted = await admit(k, { tpm: 1000 }, 500, 'lease');
      expect(admitted.state.tokens.current).toBe(500);
      await store.settle({
        key: k,
        window: admitted.state.window,
        tokenDelta: -380,
        leaseId: 'lease',
      });
      const after = await store.peek(k);
      expect(after.tokens.current).toBe(120);
      expect(after.inFlight).toBe(0);
      expect(after.requests.current).toBe(1);
    });

    it('counts a settled request’s extra upstream calls (tool rounds) against rpm', async () => {
      const k = key();
      const admitted = await admit(k, { rpm: 5 }, 0, 'loop');
      await store.settle({
        key: k,
        window: admitted.state.window,
        tokenDelta: 0,
        leaseId: 'loop',
        extraRequests: 3,
      });
      expect((await store.peek(k)).requests.current).toBe(4);
      expect((await admit(k, { rpm: 5 })).admitted).toBe(true);
      const refused = await admit(k, { rpm: 5 });
      expect([refused.admitted, refused.refusedBy]).toEqual([false, 'rpm']);
    });

    it('keeps keys apart', async () => {
      const [a, b] = [key(), key()];
      expect((await admit(a, { rpm: 1 })).admitted).toBe(true);
      expect((await admit(a, { rpm: 1 })).admitted).toBe(false);
      expect((await admit(b, { rpm: 1 })).admitted).toBe(true);
    });

    it('counts without limiting when every limit is 0 (unlimited)', async () => {
      const k = key();
      for (let i = 0; i < 5; i++) expect((await admit(k, {}, 10)).admitted).toBe(true);
      const state = await store.peek(k);
      expect([state.requests.current, state.tokens.current, state.inFlight]).toEqual([5, 50, 5]);
      expect(state.elapsedMs).toBeGreaterThanOrEqual(0);
      expect(state.elapsedMs).toBeLessThanOrEqual(WINDOW_MS);
    });

    it('serialises concurrent admissions: exactly the limit gets through', async () => {
      const k = key();
      const results = await Promise.all(
        Array.from({ length: 25 }, () => admit(k, { rpm: 10, concurrency: 50 })),
      );
      expect(results.filter((r) => r.admitted)).toHaveLength(10);
    });
  });
}

contract('in memory', () => {
  let n = 0;
  return { store: new MemoryLimitStore(), key: () => `k${++n}` };
});

describe('in memory: the window slides with the clock', () => {
  it('moves the current minute into the previous one, which then decays', async () => {
    let now = 10 * WINDOW_MS;
    const store = new MemoryLimitStore(() => now);
    const admit = () =>
      store.admit({ key: 'k', limits: { ...NONE, rpm: 4 }, tokens: 0, leaseId: randomUUID() });
    for (let i = 0; i < 4; i++) expect((await admit()).admitted).toBe(true);
    expect((await admit()).admitted).toBe(false);
    now += WINDOW_MS; // start of the next minute: the 4 still weigh fully
    expect((await admit()).admitted).toBe(false);
    now += WINDOW_MS / 2; // half-way: 4·½ = 2 weigh, room for 2
    expect((await admit()).admitted).toBe(true);
    expect((await admit()).admitted).toBe(true);
    expect((await admit()).admitted).toBe(false);
    now += 2 * WINDOW_MS; // two minutes of silence: everything is forgotten
    expect((await store.peek('k')).requests).toEqual({ previous: 0, current: 0 });
  });

  it('settles a reservation made in the previous minute into that minute', async () => {
    let now = 5 * WINDOW_MS + 59_000;
    const store = new MemoryLimitStore(() => now);
    const admitted = await store.admit({ key: 'k', limits: NONE, tokens: 100, leaseId: 'l' });
    now += 2_000;
    await store.peek('k');
    await store.settle({ key: 'k', window: admitted.state.window, tokenDelta: 50, leaseId: 'l' });
    expect((await store.peek('k')).tokens).toEqual({ previous: 150, current: 0 });
  });
});

(REDIS_URL ? describe : describe.skip)('on Redis (needs REDIS_URL; skipped without it)', () => {
  const prefix = `tiergate-test:${process.pid}:${Date.now()}:`;
  const stores: RedisLimitStore[] = [];
  let n = 0;
  const connect = (options: Partial<{ leaseTtlMs: number; leaseRenewMs: number }> = {}) => {
    const store = RedisLimitStore.connect(REDIS_URL as string, {
      keyPrefix: prefix,
      onError: 'open',
      timeoutMs: 2000,
      ...options,
    });
    stores.push(store);
    return store;
  };
  let shared: RedisLimitStore;

  beforeAll(async () => {
    shared = connect();
    await shared.onModuleInit();
  });
  afterAll(async () => {
    const admin = new Redis(REDIS_URL as string);
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
    await Promise.all(stores.map((s) => s.onApplicationShutdown()));
  });

  contract('Redis', () => ({ store: shared, key: () => `k${++n}` }));

  it('reports itself healthy once connected', () => {
    expect(shared.healthy).toBe(true);
  });

  it('frees the slot of a process that died holding it, once its lease expires', async () => {
    const dying = connect({ leaseTtlMs: 300, leaseRenewMs: 60_000 });
    await dying.onModuleInit();
    const key = `crash-${++n}`;
    const limits = { ...NONE, concurrency: 1 };
    expect((await dying.admit({ key, limits, tokens: 0, leaseId: 'held' })).admitted).toBe(true);
    await dying.onApplicationShutdown(); // "crashes": never settles
    expect((await shared.admit({ key, limits, tokens: 0, leaseId: 'x' })).admitted).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await shared.admit({ key, limits, tokens: 0, leaseId: 'y' })).admitted).toBe(true);
  });

  it('keeps the lease of a long request alive by renewing it', async () => {
    const living = connect({ leaseTtlMs: 300, leaseRenewMs: 100 });
    await living.onModuleInit();
    const key = `long-${++n}`;
    const limits = { ...NONE, concurrency: 1 };
    expect((await living.admit({ key, limits, tokens: 0, leaseId: 'long' })).admitted).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect((await shared.admit({ key, limits, tokens: 0, leaseId: 'z' })).admitted).toBe(false);
    await living.settle({ key, window: 0, tokenDelta: 0, leaseId: 'long' });
    expect((await shared.admit({ key, limits, tokens: 0, leaseId: 'z' })).admitted).toBe(true);
  });

  it('fails fast, and says so, while Redis is unreachable', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const down = RedisLimitStore.connect('redis://127.0.0.1:1', {
      keyPrefix: prefix,
      onError: 'open',
      timeoutMs: 200,
    });
    stores.push(down);
    await down.onModuleInit();
    expect(down.healthy).toBe(false);
    const started = Date.now();
    await expect(down.admit({ key: 'k', limits: NONE, tokens: 0, leaseId: 'l' })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(500);
    // Said once per outage, with what happens meanwhile.
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(
      /^Redis \(rate limits\) unreachable: .*admitting requests without rate limits/,
    );
    warn.mockRestore();
  });
});
