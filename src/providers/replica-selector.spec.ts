import { ErrorCode } from '../common/errors';
import {
  completion,
  poolConfig,
  harness,
  pending,
  call,
  body,
  answerOf,
} from '../../test/support/pool-harness';

describe('UpstreamPool: replica selection (replica-selector.ts)', () => {
  describe('balancing', () => {
    it.each([
      [[1, 1], 100, [50, 50]],
      [[3, 1], 100, [75, 25]],
      [[5, 1, 1], 70, [50, 10, 10]],
      [[1], 10, [10]],
    ])('round-robin with weights %j over %d requests → %j', async (weights, requests, expected) => {
      const config = poolConfig(weights.length, { balancing: 'round-robin' });
      config.upstreams.forEach((u, i) => (u.weight = weights[i]));
      const { pool, transports } = harness(config);
      for (let i = 0; i < requests; i++) await pool.chat(body, call());
      expect(transports.map((t) => t.calls.length)).toEqual(expected);
    });

    it('round-robin spreads evenly instead of in bursts', async () => {
      const config = poolConfig(2, { balancing: 'round-robin' });
      config.upstreams[0].weight = 2;
      const { pool } = harness(config);
      const order: string[] = [];
      for (let i = 0; i < 6; i++) order.push(answerOf(await pool.chat(body, call())));
      expect(order).toEqual(['A', 'B', 'A', 'A', 'B', 'A']);
    });

    it('least-outstanding sends new requests away from a replica with requests in flight', async () => {
      const { pool, transports } = harness(poolConfig(2));
      const slow = pending();
      transports[0].answers = [slow.answer];
      transports[1].answers = [slow.answer];
      // Whichever replica takes the first (held) request, the next ones go to the other.
      const first = pool.chat(body, call());
      const busy = transports.findIndex((t) => t.calls.length === 1);
      transports[1 - busy].answers = [];
      for (let i = 0; i < 5; i++) await pool.chat(body, call());
      expect(transports[busy].calls).toHaveLength(1);
      expect(transports[1 - busy].calls).toHaveLength(5);
      slow.resolve();
      await first;
    });

    it('load-aware prefers the replica that reports the shorter queue, and falls back when metrics are stale', async () => {
      const { pool, transports, clock } = harness(poolConfig(2, { balancing: 'load-aware' }));
      const [a, b] = pool.replicas;
      a.load = { running: 8, waiting: 4, kvUsage: 0.9, at: clock.now, localInFlight: 0 };
      b.load = { running: 2, waiting: 0, kvUsage: 0.1, at: clock.now, localInFlight: 0 };
      for (let i = 0; i < 10; i++) await pool.chat(body, call());
      expect(transports.map((t) => t.calls.length)).toEqual([0, 10]);
      clock.now += 5000; // older than staleAfterMs: least-outstanding over both
      for (let i = 0; i < 40; i++) await pool.chat(body, call());
      expect(transports[0].calls.length).toBeGreaterThan(5);
    });

    it('prefix affinity keeps a system prompt + first turn on one replica, within the load bound', async () => {
      const config = poolConfig(4, {
        prefixAffinity: { enabled: true, loadFactor: 1.25 },
      });
      const { pool, transports } = harness(config);
      const shared = {
        model: 'm',
        messages: [
          { role: 'system' as const, content: 'You are a pirate.' },
          { role: 'user' as const, content: 'Tell me about ships.' },
        ],
      };
      for (let i = 0; i < 12; i++) {
        await pool.chat(
          { ...shared, messages: [...shared.messages, { role: 'user', content: `q${i}` }] },
          call(),
        );
      }
      expect(transports.filter((t) => t.calls.length > 0)).toHaveLength(1);
      // With requests piling up on that replica, the bound sends the next ones elsewhere.
      const held = pending();
      for (const t of transports) t.answers = [held.answer];
      const inFlight = Array.from({ length: 8 }, () => pool.chat(shared, call()));
      expect(transports.filter((t) => t.calls.length > 0).length).toBeGreaterThan(1);
      held.resolve();
      await Promise.all(inFlight);
    });
  });

  describe('protection: concurrency limit, wait queue, shedding', () => {
    it('queues beyond max_concurrency, serves in order, and sheds with 503 overloaded + Retry-After when the queue is full', async () => {
      const { pool, transports, events } = harness(
        poolConfig(1, { maxConcurrency: 1, queueSize: 1 }),
      );
      const held = pending();
      transports[0].answers = [held.answer, () => Promise.resolve(completion('second'))];
      const first = pool.chat(body, call());
      const second = pool.chat(body, call());
      expect(pool.queueDepth).toBe(1);
      expect(pool.saturated).toBe(true);
      const third = await pool.chat(body, call()).catch((e: unknown) => e);
      expect(third).toMatchObject({
        code: ErrorCode.Overloaded,
        status: 503,
        headers: { 'retry-after': '1' },
      });
      expect(events).toContain('shed:queue_full');
      held.resolve();
      expect(answerOf(await first)).toBe('late');
      expect(answerOf(await second)).toBe('second');
      expect(pool.replicas[0].inFlight).toBe(0);
    });

    it("sheds a queued request when its tier's queue_ms is over", async () => {
      const { pool, transports, events } = harness(poolConfig(1, { maxConcurrency: 1 }));
      const held = pending();
      transports[0].answers = [held.answer];
      const first = pool.chat(body, call());
      await expect(pool.chat(body, call({ queueMs: 20 }))).rejects.toMatchObject({
        code: ErrorCode.Overloaded,
      });
      expect(events).toContain('shed:queue_timeout');
      held.resolve();
      await first;
    });

    it('a queued request whose caller leaves is dropped from the queue', async () => {
      const { pool, transports } = harness(poolConfig(1, { maxConcurrency: 1 }));
      const held = pending();
      transports[0].answers = [held.answer];
      const first = pool.chat(body, call());
      const controller = new AbortController();
      const queued = pool.chat(body, call({ signal: controller.signal }));
      controller.abort(new Error('gone'));
      await expect(queued).rejects.toThrow('gone');
      expect(pool.queueDepth).toBe(0);
      held.resolve();
      await first;
      expect(transports[0].calls).toHaveLength(1);
    });
  });
});
