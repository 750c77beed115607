import { startSimulator, type RunningSimulator, type SimBehavior } from '../simulator';
import {
  authHeaders,
  chat,
  expectErrorEnvelope,
  postJson,
  readSse,
  startYamlGateway,
  type YamlGateway,
} from './harness';

/*
 * Chaos: the real gateway on a real port in front of several simulator replicas per tier, over
 * real sockets, while replicas die, stall, cut streams, come back or saturate (issue items 1–5).
 * Intervals and timeouts are short so that each scenario takes a second or two.
 */

type Tier = 'instant' | 'thinking';

interface ChaosOptions {
  instant?: number;
  thinking?: number;
  /** Merged into every pool's YAML mapping (snake_case keys). */
  pool?: Record<string, unknown>;
  /** Merged into each tier's YAML mapping. */
  tier?: Partial<Record<Tier, Record<string, unknown>>>;
  behavior?: Partial<SimBehavior>;
}

type ChaosStack = YamlGateway<Record<Tier, RunningSimulator[]>>;

const FAST_HEALTH = {
  health_check: {
    interval_ms: 50,
    timeout_ms: 200,
    healthy_threshold: 1,
    unhealthy_threshold: 2,
  },
  outlier: { consecutive_failures: 3, ejection_ms: 300, max_ejection_ms: 1000 },
  retries: { max_attempts: 3, backoff_base_ms: 5, backoff_max_ms: 50 },
};

async function startChaos(options: ChaosOptions = {}): Promise<ChaosStack> {
  const sims: Record<Tier, RunningSimulator[]> = { instant: [], thinking: [] };
  for (const tier of ['instant', 'thinking'] as const) {
    const count = options[tier] ?? 2;
    for (let i = 0; i < count; i++) {
      sims[tier].push(
        await startSimulator({
          model: `sim-${tier}`,
          name: `${tier}-${i}`,
          behavior: options.behavior,
        }),
      );
    }
  }
  const pool = (tier: Tier) => ({
    ...FAST_HEALTH,
    ...options.pool,
    upstreams: sims[tier].map((sim) => ({ url: sim.url })),
  });
  const tier = (name: Tier) => ({
    pool: name,
    model: `sim-${name}`,
    ...options.tier?.[name],
  });
  // JSON is YAML: the file goes through the same loader as production.
  return startYamlGateway(
    {
      pools: { instant: pool('instant'), thinking: pool('thinking') },
      tiers: { instant: tier('instant'), thinking: tier('thinking') },
    },
    sims,
  );
}

/**
 * `workers` callers in closed loops for at least `durationMs` and at least `atLeast` requests in
 * all (a sample that means something on a loaded machine too); every status (or network error)
 * recorded.
 */
async function load(
  url: string,
  workers: number,
  durationMs: number,
  atLeast = 0,
  body: Record<string, unknown> = chat('hi', { model: 'instant' }),
): Promise<{ statuses: number[] }> {
  const statuses: number[] = [];
  const until = Date.now() + durationMs;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (Date.now() < until || statuses.length < atLeast) {
        const res = await postJson(`${url}/v1/chat/completions`, body).catch(() => ({
          status: -1,
        }));
        statuses.push(res.status);
      }
    }),
  );
  return { statuses };
}

async function health(url: string, path = '/health'): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`);
  return { status: res.status, body: await res.json() };
}

async function waitFor(
  what: string,
  predicate: () => Promise<boolean> | boolean,
  timeoutMs = 5000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The state `/health` reports for the replica behind `sim`. */
async function stateOf(url: string, tier: Tier, sim: RunningSimulator): Promise<string> {
  const { body } = await health(url);
  const upstreams = body.details[`pool:${tier}`].upstreams as { url: string; state: string }[];
  return upstreams.find((u) => u.url === sim.url)?.state ?? 'missing';
}

async function metricsText(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

async function stream(
  url: string,
  body: Record<string, unknown>,
): Promise<{ status: number; data: string[]; json?: any }> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: authHeaders(),
    body: JSON.stringify({ ...body, stream: true }),
  });
  if (!res.headers.get('content-type')?.includes('event-stream')) {
    return { status: res.status, data: [], json: await res.json() };
  }
  const { data } = await readSse(res);
  return { status: res.status, data };
}

/** The text a stream's chunks carry, for comparing a retried stream with a clean one. */
function streamedText(data: string[]): string {
  return data
    .filter((d) => d !== '[DONE]')
    .map((d) => JSON.parse(d).choices?.[0]?.delta?.content ?? '')
    .join('');
}

// A few scenarios wait for health checks and ejections; the e2e default of 5 s is tight for them.
jest.setTimeout(20_000);

describe('chaos: replicas die, stall, fail and come back (real sockets)', () => {
  let stack: ChaosStack | undefined;
  afterEach(async () => {
    await stack?.close();
    stack = undefined;
  });

  it('kill one of two replicas under load: no caller sees an error', async () => {
    stack = await startChaos({ behavior: { latencyMs: 15 } });
    const [a, b] = stack.sims.instant;
    setTimeout(() => a.kill(), 300);
    const { statuses } = await load(stack.url, 12, 1200, 120);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(b.stats().completed).toBeGreaterThan(a.stats().completed);
    await waitFor('the dead replica to be taken out', async () =>
      ['unhealthy', 'ejected'].includes(await stateOf(stack!.url, 'instant', a)),
    );
    const { body } = await health(stack.url);
    expect(body.status).toBe('degraded');
    expect(body.details['pool:instant'].status).toBe('up');
    expect(await metricsText(stack.url)).toMatch(
      /tiergate_upstream_retries_total\{pool="instant",reason="(connection|refused|broken)"\} [1-9]/,
    );
  });

  it('a replica that comes back: its circuit closes and it gets traffic again', async () => {
    stack = await startChaos();
    const [a] = stack.sims.instant;
    a.kill();
    await load(stack.url, 4, 300);
    await waitFor(
      'the dead replica to be unhealthy',
      async () => (await stateOf(stack!.url, 'instant', a)) === 'unhealthy',
    );
    await a.revive();
    a.reset();
    await waitFor(
      'the replica to be healthy again',
      async () => {
        await postJson(`${stack!.url}/v1/chat/completions`, chat('hi', { model: 'instant' }));
        return (await stateOf(stack!.url, 'instant', a)) === 'healthy';
      },
      5000,
    );
    const { statuses } = await load(stack.url, 4, 300);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(a.stats().completed).toBeGreaterThan(0);
    const metrics = await metricsText(stack.url);
    expect(metrics).toMatch(
      new RegExp(
        `tiergate_upstream_state_transitions_total\\{pool="instant",upstream="${a.url}",from="[a-z-]+",to="healthy"\\} [1-9]`,
      ),
    );
    expect(metrics).toContain(
      `tiergate_upstream_state{pool="instant",upstream="${a.url}",state="healthy"} 1`,
    );
  });

  it('a replica answering 503 for 20% of requests: no caller sees an error', async () => {
    stack = await startChaos();
    stack.sims.instant[0].configure({ failRate: 0.2, failStatus: 503 });
    const { statuses } = await load(stack.url, 8, 800, 120);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(await metricsText(stack.url)).toMatch(
      /tiergate_upstream_retries_total\{pool="instant",reason="unavailable"\} [1-9]/,
    );
  });

  it('a hanging replica: its requests time out before the first byte and are answered elsewhere', async () => {
    stack = await startChaos({
      tier: { instant: { timeouts: { ttfb_ms: 250, request_ms: 5000 } } },
    });
    const [a] = stack.sims.instant;
    a.configure({ mode: 'hang' });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        i % 2 === 0
          ? postJson(`${stack!.url}/v1/chat/completions`, chat('hi', { model: 'instant' }))
          : stream(stack!.url, chat('hi', { model: 'instant' })),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(a.stats().received).toBeGreaterThan(0);
    // Three timeouts in a row eject it; keep asking until the balancer has sent it enough.
    await waitFor('the hanging replica to be ejected', async () => {
      const res = await postJson(
        `${stack!.url}/v1/chat/completions`,
        chat('hi', { model: 'instant' }),
      );
      expect(res.status).toBe(200);
      return (await stateOf(stack!.url, 'instant', a)) !== 'healthy';
    });
    expect(await metricsText(stack.url)).toMatch(
      /tiergate_upstream_retries_total\{pool="instant",reason="timeout"\} [1-9]/,
    );
  });

  it('a stream cut or stalled before its first content delta is retried; the caller sees one clean stream', async () => {
    stack = await startChaos({
      pool: { balancing: 'round-robin' },
      tier: { instant: { timeouts: { ttfb_ms: 300 } } },
    });
    const [a, b] = stack.sims.instant;
    const clean = await stream(stack.url, chat('hi', { model: 'instant', seed: 1 }));
    const expectClean = (res: { status: number; data: string[] }): void => {
      expect(res.status).toBe(200);
      expect(res.data.at(-1)).toBe('[DONE]');
      expect(res.data.filter((d) => d.includes('"role"'))).toHaveLength(1);
      expect(streamedText(res.data)).toBe(streamedText(clean.data));
    };
    // Stalled: headers, then nothing for longer than ttfb_ms.
    a.reset();
    a.configure({ ttftMs: 5000 });
    while (a.requests().length === 0) {
      expectClean(await stream(stack.url, chat('hi', { model: 'instant', seed: 1 })));
    }
    await a.waitFor((s) => s.aborted === 1);
    // Cut right after the role chunk.
    a.reset();
    a.configure({ mode: 'cut', cutAfterChunks: 1 });
    while (a.requests().length === 0) {
      expectClean(await stream(stack.url, chat('hi', { model: 'instant', seed: 1 })));
    }
    expect(a.requests()[0].error).toBe('cut');
    expect(b.stats().completed).toBeGreaterThan(2);
  });

  it('a stream cut after its first content delta is not retried: the caller gets the error event', async () => {
    stack = await startChaos();
    for (const sim of stack.sims.instant) sim.configure({ mode: 'cut', cutAfterChunks: 3 });
    const res = await stream(stack.url, chat('hi', { model: 'instant' }));
    expect(res.status).toBe(200);
    expect(res.data).not.toContain('[DONE]');
    expect(streamedText(res.data.slice(0, -1)).length).toBeGreaterThan(0);
    expectErrorEnvelope(JSON.parse(res.data.at(-1)!), 'api_error', 'upstream_error');
    const received = stack.sims.instant.reduce((n, sim) => n + sim.stats().received, 0);
    expect(received).toBe(1);
  });

  it('all replicas of a tier down, no fallback: 503 tier_unavailable; the pod stays ready (the other tier serves), /health degraded', async () => {
    stack = await startChaos({ tier: { instant: { fallback: false } } });
    for (const sim of stack.sims.instant) sim.kill();
    await waitFor('the instant pool to be down', async () => {
      return (await health(stack!.url)).body.details['pool:instant'].status === 'down';
    });
    const res = await postJson(
      `${stack.url}/v1/chat/completions`,
      chat('hi', { model: 'instant' }),
    );
    expect(res.status).toBe(503);
    expectErrorEnvelope(res.body, 'api_error', 'tier_unavailable');
    // docs/api.md §5: one dead pool must not take every gateway pod out of its Service.
    const ready = await health(stack.url, '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ok');
    expect(ready.body.error['pool:instant'].upstreams.map((u: any) => u.state)).toEqual([
      'unhealthy',
      'unhealthy',
    ]);
    expect(ready.body.error['tier:instant'].served).toBe('none');
    const details = await health(stack.url);
    expect(details.status).toBe(200);
    expect(details.body.status).toBe('degraded');
    // The other tier still answers.
    const thinking = await postJson(
      `${stack.url}/v1/chat/completions`,
      chat('hi', { model: 'thinking' }),
    );
    expect(thinking.status).toBe(200);
  });

  it('tier fallback: with no healthy thinking replica, thinking requests go to instant and say so', async () => {
    stack = await startChaos({ thinking: 1 });
    stack.sims.thinking[0].kill();
    await waitFor(
      'the thinking replica to be down',
      async () => (await stateOf(stack!.url, 'thinking', stack!.sims.thinking[0])) === 'unhealthy',
    );
    for (const streaming of [false, true]) {
      const res = await fetch(`${stack.url}/v1/chat/completions`, {
        method: 'POST',
        headers: authHeaders(),
        body: JSON.stringify(chat('hi', { model: 'thinking', stream: streaming })),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-gateway-tier')).toBe('instant');
      expect(res.headers.get('x-gateway-route-reason')).toBe('fallback:thinking->instant');
      await res.text();
    }
    expect(await metricsText(stack.url)).toMatch(
      /tiergate_route_decisions_total\{tier="instant",reason="fallback:thinking->instant"\} [1-9]/,
    );
  });

  it('saturation: beyond the concurrency limit and the wait queue, requests are shed with 503 overloaded and Retry-After', async () => {
    stack = await startChaos({
      instant: 1,
      pool: { max_concurrency: 2, queue_size: 2 },
      behavior: { latencyMs: 400 },
    });
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        postJson(`${stack!.url}/v1/chat/completions`, chat('hi', { model: 'instant' })),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 503, 503, 503, 503]);
    const shed = results.find((r) => r.status === 503)!;
    expectErrorEnvelope(shed.body, 'api_error', 'overloaded');
    expect(shed.headers.get('retry-after')).toBe('1');
    expect(stack.sims.instant[0].stats().received).toBe(4);
    expect(await metricsText(stack.url)).toMatch(
      /tiergate_upstream_shed_total\{pool="instant",reason="queue_full"\} 4/,
    );
  });

  it('saturation with spill: auto traffic goes to the other tier instead of being shed', async () => {
    stack = await startChaos({
      instant: 1,
      pool: { max_concurrency: 1, queue_size: 0 },
      tier: { instant: { spill: true } },
      behavior: { latencyMs: 300 },
    });
    const [sim] = stack.sims.instant;
    const send = (body: Record<string, unknown>) =>
      postJson(`${stack!.url}/v1/chat/completions`, body);
    /** The second request is sent once the first holds the only slot. */
    const oneAfterTheOther = async (body: Record<string, unknown>) => {
      const first = send(body);
      await sim.waitFor((s) => s.inFlight === 1, 2000);
      const second = await send(body);
      return [await first, second];
    };
    const auto = await oneAfterTheOther(chat('hi', { model: 'auto', reasoning_effort: 'low' }));
    expect(auto.map((r) => r.status)).toEqual([200, 200]);
    expect(auto.map((r) => r.headers.get('x-gateway-route-reason'))).toEqual([
      'hint:reasoning_effort',
      'spill:instant->thinking',
    ]);
    expect(auto[1].headers.get('x-gateway-tier')).toBe('thinking');
    // An explicit model does not spill: it is shed.
    const explicit = await oneAfterTheOther(chat('hi', { model: 'instant' }));
    expect(explicit.map((r) => r.status)).toEqual([200, 503]);
  });
});
