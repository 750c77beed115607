import { ErrorCode } from '../common/errors';
import { upstreamStatusError } from './openai-wire.mapper';
import {
  poolConfig,
  harness,
  waitUntil,
  unreachable,
  failWith,
  call,
  body,
  answerOf,
} from '../../test/support/pool-harness';

describe('UpstreamPool', () => {
  describe('circuit (passive outlier ejection)', () => {
    it('opens after consecutive failures, half-opens after the ejection time, closes on a successful trial', async () => {
      const config = poolConfig(2, { balancing: 'round-robin' });
      config.retries.maxAttempts = 1;
      const { pool, transports, events, clock } = harness(config);
      transports[0].answers = [failWith(unreachable())];
      for (let i = 0; i < 6; i++) await pool.chat(body, call()).catch(() => undefined);
      expect(pool.replicas[0].state).toBe('ejected');
      expect(events).toContain('A:healthy->ejected');
      const before = transports[0].calls.length;
      for (let i = 0; i < 4; i++) await pool.chat(body, call());
      expect(transports[0].calls.length).toBe(before);

      clock.now += 1000;
      transports[0].answers = [];
      for (let i = 0; i < 4; i++) await pool.chat(body, call());
      expect(events).toEqual(
        expect.arrayContaining(['A:ejected->half-open', 'A:half-open->healthy']),
      );
      expect(pool.replicas[0].state).toBe('healthy');
    });

    it('a failed trial opens the circuit again, for twice as long', async () => {
      const config = poolConfig(2, { balancing: 'round-robin' });
      config.retries.maxAttempts = 1;
      const { pool, transports, clock } = harness(config);
      transports[0].answers = [failWith(unreachable())];
      for (let i = 0; i < 6; i++) await pool.chat(body, call()).catch(() => undefined);
      clock.now += 1000;
      for (let i = 0; i < 2; i++) await pool.chat(body, call()).catch(() => undefined);
      expect(pool.replicas[0].state).toBe('ejected');
      clock.now += 1000;
      expect(pool.replicas[0].selectable(clock.now)).toBe(false);
      clock.now += 1000;
      expect(pool.replicas[0].selectable(clock.now)).toBe(true);
    });

    it('routes to ejected replicas when nothing else is left (panic), and they can close again', async () => {
      const config = poolConfig(1);
      config.retries.maxAttempts = 1;
      const { pool, transports } = harness(config);
      transports[0].answers = [failWith(unreachable())];
      for (let i = 0; i < 3; i++) await pool.chat(body, call()).catch(() => undefined);
      expect(pool.replicas[0].state).toBe('ejected');
      expect(pool.available).toBe(false);
      expect(pool.serving).toBe(true);
      transports[0].answers = [];
      expect(answerOf(await pool.chat(body, call()))).toBe('A');
      expect(pool.replicas[0].state).toBe('healthy');
    });

    it("the caller's 4xx says nothing of the replica: it neither counts nor resets failures", async () => {
      const config = poolConfig(1);
      config.retries.maxAttempts = 1;
      const { pool, transports } = harness(config);
      transports[0].answers = [
        failWith(unreachable()),
        failWith(unreachable()),
        failWith(upstreamStatusError(400, '{}', 'x')),
        failWith(unreachable()),
      ];
      for (let i = 0; i < 3; i++) await pool.chat(body, call()).catch(() => undefined);
      expect(pool.replicas[0]).toMatchObject({ state: 'healthy', consecutiveFailures: 2 });
      await pool.chat(body, call()).catch(() => undefined);
      expect(pool.replicas[0].state).toBe('ejected');
    });
  });

  describe('active health checks', () => {
    it('marks a replica unhealthy after the threshold, takes it out, and back after passing checks', async () => {
      const config = poolConfig(2, {
        healthCheck: {
          enabled: true,
          path: '/health',
          intervalMs: 5,
          timeoutMs: 5,
          healthyThreshold: 2,
          unhealthyThreshold: 2,
          verifyIntervalMs: 0,
        },
      });
      const { pool, transports, probes, events } = harness(config);
      probes[0].result = { ok: false, error: 'ECONNREFUSED' };
      pool.start();
      try {
        await waitUntil(() => pool.replicas[0].state === 'unhealthy');
        expect(pool.replicas[0].describe(Date.now())).toMatchObject({
          state: 'unhealthy',
          checked: true,
          lastCheckError: 'ECONNREFUSED',
        });
        for (let i = 0; i < 6; i++) await pool.chat(body, call());
        expect(transports[0].calls).toHaveLength(0);
        probes[0].result = { ok: true, status: 200 };
        await waitUntil(() => pool.replicas[0].state === 'healthy');
        expect(events).toEqual(['A:healthy->unhealthy', 'A:unhealthy->healthy']);
      } finally {
        await pool.close();
      }
    });

    it('with every replica down: 503 tier_unavailable, without calling anyone', async () => {
      const { pool, transports } = harness(poolConfig(2));
      for (const replica of pool.replicas) replica.recordCheck(false, 'down');
      expect(pool.serving).toBe(false);
      await expect(pool.chat(body, call())).rejects.toMatchObject({
        code: ErrorCode.TierUnavailable,
        status: 503,
      });
      expect(transports.flatMap((t) => t.calls)).toHaveLength(0);
    });

    it('load-aware scrapes vLLM metrics into each replica', async () => {
      const config = poolConfig(1, { balancing: 'load-aware' });
      const { pool, probes } = harness(config);
      probes[0].body =
        'vllm:num_requests_running{model_name="m"} 3.0\nvllm:num_requests_waiting{model_name="m"} 2.0\n' +
        'vllm:kv_cache_usage_perc{model_name="m"} 0.5\n';
      pool.start();
      try {
        await waitUntil(() => pool.replicas[0].load !== undefined);
        expect(pool.replicas[0].load).toMatchObject({ running: 3, waiting: 2, kvUsage: 0.5 });
      } finally {
        await pool.close();
      }
    });
  });
});

describe('UpstreamPool.contextWindow (model discovery)', () => {
  const discovered = (id: string, contextLength: number | null) => ({
    models: [{ id, contextLength }],
    at: 1,
  });

  it('is the smallest window its serving replicas report for the model', () => {
    const { pool } = harness(poolConfig(3));
    expect(pool.contextWindow('m')).toBeUndefined();
    pool.replicas[0].discovery = discovered('m', 8192);
    pool.replicas[1].discovery = discovered('m', 4096);
    pool.replicas[2].discovery = discovered('m', null);
    expect(pool.contextWindow('m')).toBe(4096);
    expect(pool.contextWindow('other')).toBeUndefined();
  });

  it('ignores a replica out of rotation, and reads a verified alias (llama.cpp)', () => {
    const { pool } = harness(poolConfig(2));
    pool.replicas[0].discovery = discovered('m', 1024);
    pool.replicas[0].recordVerification({ kind: 'model', reason: 'x' }, 1);
    pool.replicas[1].discovery = discovered('tiny', 2048);
    expect(pool.contextWindow('m')).toBeUndefined();
    pool.replicas[1].recordVerification(undefined, 1);
    expect(pool.contextWindow('m')).toBe(2048);
  });
});
