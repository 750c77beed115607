import { Observable, type Subscriber } from 'rxjs';
import { ErrorCode, ErrorMessages, GatewayException } from '../common/errors';
import type { ChatCompletion, ChatCompletionChunk } from '../common/openai/chat.types';
import type { PoolConfig } from '../config';
import { upstreamStatusError } from './openai-wire.mapper';
import type { PoolObserver } from './pool-observer';
import type { ReplicaState, ReplicaTransport } from './replica';
import type { ProbeResult, ReplicaProber } from './replica-probe';
import type { UpstreamCallOptions, UpstreamChunk, UpstreamJson } from './upstream.interface';
import { UpstreamPool, type UpstreamPoolOptions } from './upstream-pool';

type Answer = () => Promise<UpstreamJson<ChatCompletion>>;
type StreamScript = (subscriber: Subscriber<UpstreamChunk<ChatCompletionChunk>>) => void;

/** A replica that answers what the test scripts, and records what it was asked. */
class FakeTransport implements ReplicaTransport {
  calls: UpstreamCallOptions[] = [];
  answers: Answer[] = [];
  streams: StreamScript[] = [];
  unsubscribed = 0;

  constructor(readonly name: string) {}

  chat(_body: unknown, options: UpstreamCallOptions): Promise<UpstreamJson<ChatCompletion>> {
    this.calls.push(options);
    const next = this.answers.length > 1 ? this.answers.shift()! : this.answers[0];
    return next ? next() : Promise.resolve(completion(this.name));
  }

  chatStream(_body: unknown, options: UpstreamCallOptions): Observable<UpstreamChunk<any>> {
    return new Observable((subscriber) => {
      this.calls.push(options);
      const script = this.streams.length > 1 ? this.streams.shift()! : this.streams[0];
      if (script) script(subscriber);
      else {
        subscriber.next(chunk({ role: 'assistant', content: '' }));
        subscriber.next(chunk({ content: this.name }));
        subscriber.complete();
      }
      return () => this.unsubscribed++;
    });
  }

  completions = (): never => {
    throw new Error('not used');
  };
  completionsStream = (): never => {
    throw new Error('not used');
  };
  embeddings = (): never => {
    throw new Error('not used');
  };
  close = (): Promise<void> => Promise.resolve();
  destroy = (): Promise<void> => Promise.resolve();
}

class FakeProbe implements ReplicaProber {
  result: ProbeResult = { ok: true, status: 200 };
  body = '';
  get(_path: string, _timeoutMs: number, readBody: boolean): Promise<ProbeResult> {
    return Promise.resolve(readBody ? { ...this.result, body: this.body } : this.result);
  }
  close = (): Promise<void> => Promise.resolve();
}

function completion(content: string): UpstreamJson<ChatCompletion> {
  const value = {
    id: 'c',
    object: 'chat.completion',
    created: 0,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  } as unknown as ChatCompletion;
  return { raw: JSON.stringify(value), value };
}

function chunk(delta: Record<string, unknown>, finish: string | null = null): UpstreamChunk<any> {
  const value = {
    id: 'c',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'm',
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
  return { raw: JSON.stringify(value), chunk: value };
}

const unreachable = (): GatewayException =>
  new GatewayException(ErrorCode.UpstreamError, ErrorMessages.upstreamUnreachable(), {
    upstream: { origin: 'x' },
  });
const failWith =
  (error: unknown): Answer =>
  () =>
    Promise.reject(error);
const pending = (): { answer: Answer; resolve: () => void } => {
  let resolve!: () => void;
  const promise = new Promise<UpstreamJson<ChatCompletion>>(
    (r) => (resolve = () => r(completion('late'))),
  );
  return { answer: () => promise, resolve };
};

function poolConfig(replicas: number, over: Partial<PoolConfig> = {}): PoolConfig {
  return {
    name: 'p',
    maxConnections: 64,
    connectTimeoutMs: 1000,
    maxResponseBytes: 1024 * 1024,
    maxStreamLineBytes: 64 * 1024,
    streaming: true,
    upstreams: Array.from({ length: replicas }, (_, i) => ({
      url: `http://10.0.0.${i + 1}:8000/v1`,
      weight: 1,
      tls: { rejectUnauthorized: true },
    })),
    balancing: 'least-outstanding',
    maxConcurrency: 64,
    queueSize: 16,
    healthCheck: {
      enabled: false,
      path: '/health',
      intervalMs: 60_000,
      timeoutMs: 100,
      healthyThreshold: 1,
      unhealthyThreshold: 1,
      verifyIntervalMs: 0,
    },
    outlier: { consecutiveFailures: 3, ejectionMs: 1000, maxEjectionMs: 8000 },
    retries: { maxAttempts: 3, backoffBaseMs: 0, backoffMaxMs: 0, maxRetryAfterMs: 10_000 },
    loadAware: { metricsPath: '/metrics', scrapeIntervalMs: 60_000, staleAfterMs: 1000 },
    prefixAffinity: { enabled: false, loadFactor: 1.25 },
    ...over,
  };
}

interface Harness {
  pool: UpstreamPool;
  transports: FakeTransport[];
  probes: FakeProbe[];
  events: string[];
  clock: { now: number };
}

function harness(config: PoolConfig, options: UpstreamPoolOptions = {}): Harness {
  const transports: FakeTransport[] = [];
  const probes: FakeProbe[] = [];
  const events: string[] = [];
  const clock = { now: 1_000_000 };
  const observer: PoolObserver = {
    stateChanged: (_pool, replica, from: ReplicaState, to: ReplicaState) =>
      events.push(`${transports[replica.index].name}:${from}->${to}`),
    retried: (_pool, kind) => events.push(`retry:${kind}`),
    shed: (_pool, reason) => events.push(`shed:${reason}`),
  };
  const pool = new UpstreamPool(config, {
    observer,
    now: () => clock.now,
    createTransport: () => {
      const t = new FakeTransport(String.fromCharCode(65 + transports.length));
      transports.push(t);
      return t;
    },
    createProbe: () => {
      const p = new FakeProbe();
      probes.push(p);
      return p;
    },
    ...options,
  });
  return { pool, transports, probes, events, clock };
}

const call = (extra: Partial<UpstreamCallOptions> = {}): UpstreamCallOptions => ({
  signal: new AbortController().signal,
  requestId: 'r',
  timeoutMs: 5000,
  ...extra,
});
const body = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };
const answerOf = (json: UpstreamJson<ChatCompletion>): string =>
  String(json.value.choices[0].message.content);

/** Collects a stream's items (their content) and its end. */
function collect(source: Observable<UpstreamChunk<ChatCompletionChunk>>): Promise<{
  items: string[];
  error?: unknown;
}> {
  return new Promise((resolve) => {
    const items: string[] = [];
    source.subscribe({
      next: (item) => {
        const delta = item.chunk.choices[0]?.delta as { role?: string; content?: string };
        items.push(delta.role ? `role:${delta.content ?? ''}` : String(delta.content));
      },
      error: (error: unknown) => resolve({ items, error }),
      complete: () => resolve({ items }),
    });
  });
}

describe('UpstreamPool', () => {
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

  describe('request faults versus replica faults (SPEC §6)', () => {
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
      'input (4000 tokens) is too large to process. increase the physical batch size',
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

  describe('streams and the commit point', () => {
    it('retries a stream that fails after its role chunk, and the caller sees one clean stream', async () => {
      const { pool, transports, events } = harness(poolConfig(2, { balancing: 'round-robin' }));
      transports[0].streams = [
        (s) => {
          s.next(chunk({ role: 'assistant', content: '' }));
          s.error(
            new GatewayException(
              ErrorCode.UpstreamError,
              ErrorMessages.upstreamStreamBroken('cut'),
            ),
          );
        },
      ];
      const { items, error } = await collect(pool.chatStream(body, call()));
      expect(error).toBeUndefined();
      expect(items).toEqual(['role:', 'B']);
      expect(events).toContain('retry:broken');
    });

    it('retries a stream that stalls before its first content delta', async () => {
      const { pool, transports } = harness(poolConfig(2, { balancing: 'round-robin' }));
      transports[0].streams = [
        (s) => {
          s.next(chunk({ role: 'assistant', content: '' }));
          s.error(
            new GatewayException(ErrorCode.UpstreamTimeout, ErrorMessages.upstreamStalled(10)),
          );
        },
      ];
      const { items } = await collect(pool.chatStream(body, call()));
      expect(items).toEqual(['role:', 'B']);
    });

    it('after the first content delta, an error goes to the caller and nothing is retried', async () => {
      const { pool, transports } = harness(poolConfig(2, { balancing: 'round-robin' }));
      transports[0].streams = [
        (s) => {
          s.next(chunk({ role: 'assistant', content: '' }));
          s.next(chunk({ content: 'Hel' }));
          s.error(
            new GatewayException(
              ErrorCode.UpstreamError,
              ErrorMessages.upstreamStreamBroken('cut'),
            ),
          );
        },
      ];
      const { items, error } = await collect(pool.chatStream(body, call()));
      expect(items).toEqual(['role:', 'Hel']);
      expect(error).toBeInstanceOf(GatewayException);
      expect(transports[1].calls).toHaveLength(0);
      expect(pool.replicas[0].inFlight).toBe(0);
    });

    it('a tool-call delta is a commit point too', async () => {
      const { pool, transports } = harness(poolConfig(2, { balancing: 'round-robin' }));
      transports[0].streams = [
        (s) => {
          s.next(chunk({ role: 'assistant', content: '' }));
          s.next(chunk({ tool_calls: [{ index: 0, id: 'c', function: { name: 'f' } }] }));
          s.error(unreachable());
        },
      ];
      const { error } = await collect(pool.chatStream(body, call()));
      expect(error).toBeDefined();
      expect(transports[1].calls).toHaveLength(0);
    });

    it('unsubscribing aborts the attempt and frees the replica', async () => {
      const { pool, transports } = harness(poolConfig(1));
      transports[0].streams = [(s) => s.next(chunk({ role: 'assistant', content: '' }))];
      const subscription = pool.chatStream(body, call()).subscribe();
      expect(pool.replicas[0].inFlight).toBe(1);
      subscription.unsubscribe();
      expect(transports[0].unsubscribed).toBe(1);
      expect(pool.replicas[0].inFlight).toBe(0);
    });

    it('a stream that waited in the queue runs when a replica frees, and completes', async () => {
      const { pool, transports } = harness(poolConfig(1, { maxConcurrency: 1 }));
      transports[0].streams = [
        (s) => s.next(chunk({ content: 'first' })),
        (s) => {
          s.next(chunk({ role: 'assistant', content: '' }));
          s.next(chunk({ content: 'second' }));
          s.complete();
        },
      ];
      const holding = pool.chatStream(body, call()).subscribe();
      const waiting = collect(pool.chatStream(body, call()));
      expect(pool.queueDepth).toBe(1);
      holding.unsubscribe();
      expect(await waiting).toEqual({ items: ['role:', 'second'] });
      expect(pool.replicas[0].inFlight).toBe(0);
    });

    it('leaving while queued or during a retry backoff frees everything', async () => {
      const { pool, transports, events } = harness(poolConfig(1, { maxConcurrency: 1 }));
      transports[0].streams = [(s) => s.next(chunk({ content: 'held' }))];
      const holding = pool.chatStream(body, call()).subscribe();
      const queued = pool.chatStream(body, call()).subscribe();
      expect(pool.queueDepth).toBe(1);
      queued.unsubscribe();
      holding.unsubscribe();
      await waitUntil(() => pool.queueDepth === 0);
      expect(pool.replicas[0].inFlight).toBe(0);

      transports[0].streams = [
        (s) =>
          s.error(
            new GatewayException(ErrorCode.UpstreamTimeout, ErrorMessages.upstreamStalled(10)),
          ),
        (s) => s.next(chunk({ content: 'never' })),
      ];
      const calls = transports[0].calls.length;
      const backingOff = pool.chatStream(body, call()).subscribe();
      expect(transports[0].calls.length).toBe(calls + 1);
      expect(events).toContain('retry:timeout');
      backingOff.unsubscribe();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(transports[0].calls.length).toBe(calls + 1);
      expect(pool.replicas[0].inFlight).toBe(0);
    });
  });
});

async function waitUntil(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
