import { ErrorCode, ErrorMessages, GatewayException } from '../common/errors';
import { upstreamStatusError } from './openai-wire.mapper';
import {
  completion,
  poolConfig,
  harness,
  collect,
  unreachable,
  failWith,
  call,
  body,
  answerOf,
} from '../../test/support/pool-harness';

describe('UpstreamPool: attempts (attempt-runner.ts)', () => {
  describe('retries', () => {
    it.each([
      ['a connection error', unreachable(), 'connection'],
      ['a 503', upstreamStatusError(503, 'busy', 'x'), 'unavailable'],
      ['a 502', upstreamStatusError(502, '<html>', 'x'), 'unavailable'],
      ['a 429', upstreamStatusError(429, '{}', 'x'), 'rate_limited'],
      [
        'a timeout',
        new GatewayException(ErrorCode.UpstreamTimeout, ErrorMessages.upstreamTimeout(1), {
          upstream: { origin: 'x' },
        }),
        'timeout',
      ],
    ])('retries %s on the other replica', async (_what, error, kind) => {
      const { pool, transports, events } = harness(poolConfig(2, { balancing: 'round-robin' }));
      transports[0].answers = [failWith(error)];
      expect(answerOf(await pool.chat(body, call()))).toBe('B');
      expect(transports.map((t) => t.calls.length)).toEqual([1, 1]);
      expect(events).toContain(`retry:${kind}`);
    });

    it.each([
      ['a 400 of the caller', upstreamStatusError(400, '{"error":{"message":"bad"}}', 'x'), 400],
      ['rejected credentials', upstreamStatusError(401, '', 'x'), 502],
    ])('does not retry %s', async (_what, error, status) => {
      const { pool, transports } = harness(poolConfig(2, { balancing: 'round-robin' }));
      transports[0].answers = [failWith(error)];
      await expect(pool.chat(body, call())).rejects.toMatchObject({ status });
      expect(transports[1].calls).toHaveLength(0);
    });

    it('gives up after max_attempts with the last upstream error', async () => {
      const { pool, transports } = harness(poolConfig(2));
      for (const t of transports) t.answers = [failWith(upstreamStatusError(503, '', 'x'))];
      await expect(pool.chat(body, call())).rejects.toMatchObject({
        code: ErrorCode.UpstreamError,
        status: 502,
      });
      expect(transports[0].calls.length + transports[1].calls.length).toBe(3);
    });

    it('retries on the same replica when it is the only one, after the backoff', async () => {
      const config = poolConfig(1, {
        retries: { maxAttempts: 3, backoffBaseMs: 5, backoffMaxMs: 5, maxRetryAfterMs: 0 },
      });
      const { pool, transports } = harness(config, { random: () => 1 });
      transports[0].answers = [failWith(unreachable()), () => Promise.resolve(completion('ok'))];
      const started = Date.now();
      expect(answerOf(await pool.chat(body, call()))).toBe('ok');
      expect(Date.now() - started).toBeGreaterThanOrEqual(4);
      expect(transports[0].calls).toHaveLength(2);
    });

    it('honours Retry-After: another replica takes the retry; alone, it waits only within max_retry_after_ms', async () => {
      const busy = (): GatewayException => upstreamStatusError(503, '', 'x', '30');
      const two = harness(poolConfig(2, { balancing: 'round-robin' }));
      two.transports[0].answers = [failWith(busy())];
      expect(answerOf(await two.pool.chat(body, call()))).toBe('B');
      // A is set aside for 30 s: the next requests all go to B.
      for (let i = 0; i < 4; i++) await two.pool.chat(body, call());
      expect(two.transports[0].calls).toHaveLength(1);

      const one = harness(poolConfig(1));
      one.transports[0].answers = [failWith(busy())];
      const error = await one.pool.chat(body, call()).catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 502, headers: { 'retry-after': '30' } });
      expect(one.transports[0].calls).toHaveLength(1);
    });

    it('never retries past the deadline, and shortens each attempt to what is left of it', async () => {
      const config = poolConfig(2, {
        retries: { maxAttempts: 3, backoffBaseMs: 1000, backoffMaxMs: 1000, maxRetryAfterMs: 0 },
      });
      const { pool, transports } = harness(config, { random: () => 1 });
      for (const t of transports) t.answers = [failWith(unreachable())];
      await expect(
        pool.chat(body, call({ timeoutMs: 500, ttfbMs: 10_000 })),
      ).rejects.toBeInstanceOf(GatewayException);
      const attempts = transports.flatMap((t) => t.calls);
      expect(attempts).toHaveLength(1);
      expect(attempts[0].ttfbMs).toBeLessThanOrEqual(500);
    });

    it('stops at once when the caller goes away, even in the middle of a backoff', async () => {
      const config = poolConfig(1, {
        retries: { maxAttempts: 5, backoffBaseMs: 200, backoffMaxMs: 200, maxRetryAfterMs: 0 },
      });
      const { pool, transports } = harness(config, { random: () => 1 });
      transports[0].answers = [failWith(unreachable())];
      const controller = new AbortController();
      const result = pool.chat(body, call({ signal: controller.signal }));
      setTimeout(() => controller.abort(new Error('client gone')), 20);
      await expect(result).rejects.toThrow('client gone');
      expect(transports[0].calls).toHaveLength(1);
    });
  });

  describe('request faults versus replica faults (docs/api.md §6)', () => {
    const llama500 = (message: string): GatewayException =>
      upstreamStatusError(
        500,
        JSON.stringify({ error: { code: 500, message, type: 'server_error' } }),
        'x',
      );
    const refused = (): GatewayException =>
      new GatewayException(ErrorCode.UpstreamError, ErrorMessages.upstreamUnreachable(), {
        upstream: { origin: 'x' },
        cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      });
    const flush = () => new Promise((resolve) => setImmediate(resolve));

    it.each([
      'Failed to parse tool call arguments as JSON: parse error',
      'image input is not supported - hint: you may need to provide the mmproj',
    ])(
      'a 500 that says the input is invalid (%s): the caller gets a 400, no retry, no state change',
      async (message) => {
        const { pool, transports, events } = harness(poolConfig(2, { balancing: 'round-robin' }));
        for (const t of transports) t.answers = [failWith(llama500(message))];
        for (let i = 0; i < 20; i++) {
          await expect(pool.chat(body, call())).rejects.toMatchObject({ status: 400, message });
        }
        expect(transports[0].calls.length + transports[1].calls.length).toBe(20);
        expect(pool.replicas.map((r) => [r.state, r.consecutiveFailures])).toEqual([
          ['healthy', 0],
          ['healthy', 0],
        ]);
        expect(events.filter((e) => !e.startsWith('retry'))).toEqual([]);
      },
    );

    it("a 500 over one replica's own limits is tried once elsewhere; it is the caller's 400 when that fails the same way, and never a replica failure", async () => {
      const message =
        'input (4000 tokens) is too large to process. increase the physical batch size';
      const { pool, transports } = harness(poolConfig(2, { balancing: 'round-robin' }));
      for (const t of transports) t.answers = [failWith(llama500(message))];
      for (let i = 0; i < 10; i++) {
        await expect(pool.chat(body, call())).rejects.toMatchObject({ status: 400, message });
      }
      expect(transports[0].calls.length + transports[1].calls.length).toBe(20);
      expect(pool.replicas.map((r) => [r.state, r.consecutiveFailures])).toEqual([
        ['healthy', 0],
        ['healthy', 0],
      ]);
    });

    it("a 500 over one replica's own limits succeeds on a replica configured otherwise, and counts against neither", async () => {
      const message =
        'input (4000 tokens) is too large to process. increase the physical batch size';
      const { pool, transports } = harness(poolConfig(2, { balancing: 'round-robin' }));
      transports[0].answers = [failWith(llama500(message))];
      for (let i = 0; i < 10; i++) expect(answerOf(await pool.chat(body, call()))).toBe('B');
      expect(pool.replicas.map((r) => [r.state, r.consecutiveFailures])).toEqual([
        ['healthy', 0],
        ['healthy', 0],
      ]);
    });

    it('a plain 500 is retried once on another replica, and counts against the first when the other succeeds', async () => {
      const { pool, transports, events } = harness(poolConfig(2, { balancing: 'round-robin' }));
      transports[0].answers = [failWith(llama500('CUDA error: out of memory'))];
      expect(answerOf(await pool.chat(body, call()))).toBe('B');
      expect(events).toContain('retry:server_error');
      expect(pool.replicas[0].consecutiveFailures).toBe(1);
      expect(pool.replicas[1].consecutiveFailures).toBe(0);
    });

    it('a 500 that follows the request (the same on the other replica) counts against neither, and is not tried a third time', async () => {
      const { pool, transports } = harness(poolConfig(3, { balancing: 'round-robin' }));
      for (const t of transports)
        t.answers = [failWith(llama500('the request broke the template'))];
      for (let i = 0; i < 10; i++) {
        await expect(pool.chat(body, call())).rejects.toMatchObject({
          status: 502,
          message: 'The upstream model server failed (HTTP 500): the request broke the template',
        });
      }
      await flush();
      expect(transports.reduce((n, t) => n + t.calls.length, 0)).toBe(20);
      expect(pool.replicas.map((r) => r.state)).toEqual(['healthy', 'healthy', 'healthy']);
      expect(pool.replicas.map((r) => r.consecutiveFailures)).toEqual([0, 0, 0]);
    });

    it("a single replica's 500 counts only when its own health probe fails too", async () => {
      const { pool, transports, probes } = harness(poolConfig(1));
      transports[0].answers = [failWith(llama500('boom'))];
      for (let i = 0; i < 10; i++) {
        await expect(pool.chat(body, call())).rejects.toMatchObject({ status: 502 });
        await flush();
      }
      expect(transports[0].calls).toHaveLength(10);
      expect(pool.replicas[0]).toMatchObject({ state: 'healthy', consecutiveFailures: 0 });
      probes[0].result = { ok: false, error: 'HTTP 503' };
      for (let i = 0; i < 3; i++) {
        await pool.chat(body, call()).catch(() => undefined);
        await flush();
      }
      expect(pool.replicas[0].state).toBe('ejected');
    });

    it('a refused connection is never retried on the same replica: the other one answers at once', async () => {
      const config = poolConfig(2, {
        balancing: 'round-robin',
        retries: { maxAttempts: 3, backoffBaseMs: 1000, backoffMaxMs: 1000, maxRetryAfterMs: 0 },
      });
      const { pool, transports } = harness(config);
      transports[0].answers = [failWith(refused())];
      const started = Date.now();
      expect(answerOf(await pool.chat(body, call()))).toBe('B');
      expect(Date.now() - started).toBeLessThan(100);
      expect(transports.map((t) => t.calls.length)).toEqual([1, 1]);
      // Out of rotation at once, not after consecutive_failures requests.
      expect(pool.replicas[0].state).toBe('ejected');
      for (let i = 0; i < 4; i++) expect(answerOf(await pool.chat(body, call()))).toBe('B');
      expect(transports[0].calls).toHaveLength(1);
    });

    it('a refused single replica: one attempt, then 503 tier_unavailable with Retry-After, never 502', async () => {
      const { pool, transports } = harness(poolConfig(1));
      transports[0].answers = [failWith(refused())];
      const error = await pool.chat(body, call()).catch((e: GatewayException) => e);
      expect(error).toMatchObject({ code: ErrorCode.TierUnavailable, status: 503 });
      expect((error as GatewayException).headers?.['retry-after']).toMatch(/^\d+$/);
      expect(transports[0].calls).toHaveLength(1);
      expect(pool.available).toBe(false);
    });

    it('a refused single replica under active checks is unhealthy at once, and the pool says so', async () => {
      const config = poolConfig(1);
      config.healthCheck = {
        ...config.healthCheck,
        enabled: true,
        intervalMs: 2000,
        healthyThreshold: 2,
      };
      const { pool, transports } = harness(config);
      transports[0].answers = [failWith(refused())];
      await expect(pool.chat(body, call())).rejects.toMatchObject({
        status: 503,
        headers: { 'retry-after': '4' },
      });
      expect(pool.replicas[0].state).toBe('unhealthy');
      expect(pool.serving).toBe(false);
    });

    it('a stream: a 500 before the commit point is retried once on another replica', async () => {
      const { pool, transports, events } = harness(poolConfig(2, { balancing: 'round-robin' }));
      transports[0].streams = [(s) => s.error(llama500('CUDA error'))];
      const { items, error } = await collect(pool.chatStream(body, call()));
      expect(error).toBeUndefined();
      expect(items).toEqual(['role:', 'B']);
      expect(events).toContain('retry:server_error');
      expect(pool.replicas[0].consecutiveFailures).toBe(1);
    });
  });
});
