import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../simulator';
import { authHeaders, chat, postJson, startYamlGateway, type YamlGateway } from './harness';

/*
 * Issue 12: what `/health` says of upstreams must be true. Load-aware balancing reads llama.cpp
 * and SGLang gauges (and says when a replica has none), a replica that rejects the gateway's
 * key or lacks the configured model is out of rotation with the reason, and readiness holds
 * while any chat tier is served (docs/api.md §5).
 */

type Tier = 'instant' | 'thinking';

interface Setup {
  sims: Record<Tier, Partial<SimulatorOptions>[]>;
  pool?: Partial<Record<Tier, Record<string, unknown>>>;
  tier?: Partial<Record<Tier, Record<string, unknown>>>;
  env?: Record<string, string>;
}

type Running = YamlGateway<Record<Tier, RunningSimulator[]>>;

const FAST = {
  health_check: { interval_ms: 50, timeout_ms: 500, healthy_threshold: 1, unhealthy_threshold: 2 },
  load_aware: { scrape_interval_ms: 50, stale_after_ms: 2_000 },
};

async function start(setup: Setup): Promise<Running> {
  const sims: Record<Tier, RunningSimulator[]> = { instant: [], thinking: [] };
  for (const tier of ['instant', 'thinking'] as const) {
    for (const [i, options] of setup.sims[tier].entries()) {
      sims[tier].push(
        await startSimulator({ model: `sim-${tier}`, name: `${tier}-${i}`, ...options }),
      );
    }
  }
  const pool = (tier: Tier) => ({
    ...FAST,
    ...setup.pool?.[tier],
    upstreams: sims[tier].map((sim) => ({ url: sim.url })),
  });
  const tier = (name: Tier) => ({ pool: name, model: `sim-${name}`, ...setup.tier?.[name] });
  return startYamlGateway(
    {
      pools: { instant: pool('instant'), thinking: pool('thinking') },
      tiers: { instant: tier('instant'), thinking: tier('thinking') },
    },
    sims,
    setup.env,
  );
}

async function health(url: string, path = '/health'): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`);
  return { status: res.status, body: await res.json() };
}

async function upstreamOf(url: string, tier: Tier, sim: RunningSimulator): Promise<any> {
  const { body } = await health(url);
  return body.details[`pool:${tier}`].upstreams.find((u: { url: string }) => u.url === sim.url);
}

async function waitFor(
  what: string,
  predicate: () => Promise<boolean> | boolean,
  timeoutMs = 5_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Streams straight at a replica (not through the gateway) that stay open until aborted. */
function saturate(sim: RunningSimulator, count: number): AbortController {
  const controller = new AbortController();
  for (let i = 0; i < count; i++) {
    void fetch(`${sim.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: sim.model,
        messages: [{ role: 'user', content: 'busy' }],
        stream: true,
        x_sim: { tokens: 100_000, token_interval_ms: 1_000 },
      }),
      signal: controller.signal,
    })
      // Read to the end (the abort ends it): a cancelled body would close the stream.
      .then((res) => res.text())
      .catch(() => undefined);
  }
  return controller;
}

describe('upstream health tells the truth (issue 12)', () => {
  let running: Running | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  describe('load-aware balancing reads every common server', () => {
    it('llama.cpp: with one replica saturated by direct traffic, at least 80 % of 20 sequential requests go to the idle one', async () => {
      const llama = { behavior: { metrics: 'llamacpp' as const, maxRunning: 4 } };
      running = await start({
        sims: { instant: [llama, llama], thinking: [{}] },
        pool: { instant: { balancing: 'load-aware' } },
      });
      const [busy, idle] = running.sims.instant;
      const traffic = saturate(busy, 10);
      try {
        await busy.waitFor((s) => s.inFlight === 10);
        // Both replicas report llama.cpp gauges, and /health says load-aware is in effect.
        await waitFor('fresh llama.cpp figures from both replicas', async () => {
          const upstreams = (await health(running!.url)).body.details['pool:instant'].upstreams;
          return upstreams.every((u: any) => u.balancing.effective === 'load-aware');
        });
        expect((await upstreamOf(running.url, 'instant', busy)).balancing).toEqual({
          configured: 'load-aware',
          effective: 'load-aware',
          metrics: 'llamacpp',
        });
        // The scrape after saturation has been read.
        await new Promise((resolve) => setTimeout(resolve, 200));
        const before = idle.stats().received;
        for (let i = 0; i < 20; i++) {
          const res = await postJson(
            `${running.url}/v1/chat/completions`,
            chat('hi', { model: 'instant' }),
          );
          expect(res.status).toBe(200);
        }
        expect(idle.stats().received - before).toBeGreaterThanOrEqual(16);
      } finally {
        traffic.abort();
      }
    });

    it('SGLang gauges are read; a replica without any says why, and the pool reports least-outstanding in effect', async () => {
      running = await start({
        sims: {
          instant: [{ behavior: { metrics: 'sglang' } }, { behavior: { metrics: 'none' } }],
          thinking: [{}],
        },
        pool: { instant: { balancing: 'load-aware' } },
      });
      const [sglang, bare] = running.sims.instant;
      await waitFor('the scrapes', async () => {
        const u = await upstreamOf(running!.url, 'instant', bare);
        return u.balancing.reason !== 'no load metrics scraped yet';
      });
      const { body } = await health(running.url);
      expect(body.details['pool:instant'].balancing).toEqual({
        configured: 'load-aware',
        effective: 'least-outstanding',
      });
      expect((await upstreamOf(running.url, 'instant', bare)).balancing).toEqual({
        configured: 'load-aware',
        effective: 'least-outstanding',
        reason: expect.stringContaining('answers GET /metrics with HTTP 501'),
      });
      expect((await upstreamOf(running.url, 'instant', sglang)).balancing).toEqual({
        configured: 'load-aware',
        effective: 'least-outstanding',
        reason: `no fresh load metrics from ${bare.url}`,
        metrics: 'sglang',
      });
    });
  });

  describe('credentials and models', () => {
    it('a replica that rejects the gateway key is not serving, with the reason; its tier falls back and the pod stays ready', async () => {
      running = await start({
        sims: { instant: [{}], thinking: [{ apiKey: 'the-right-key' }] },
        env: { THINKING_API_KEY: 'a-wrong-key' },
      });
      const [thinking] = running.sims.thinking;
      await waitFor('the credentials verdict', async () => {
        return (await upstreamOf(running!.url, 'thinking', thinking)).serving === false;
      });
      const upstream = await upstreamOf(running.url, 'thinking', thinking);
      expect(upstream).toMatchObject({
        state: 'unhealthy',
        serving: false,
        notServing: {
          kind: 'credentials',
          reason: expect.stringContaining(
            "rejects the gateway's credentials (HTTP 401 on GET /v1/models)",
          ),
        },
      });
      expect(JSON.stringify(upstream)).not.toContain('a-wrong-key');
      const details = await health(running.url);
      expect(details.status).toBe(200);
      expect(details.body.status).toBe('degraded');
      expect(details.body.details['tier:thinking']).toEqual({
        status: 'up',
        pool: 'thinking',
        served: 'fallback',
        via: 'instant',
      });
      expect(details.body.error['pool:thinking'].status).toBe('down');
      expect((await health(running.url, '/health/ready')).status).toBe(200);
      // Not routed to: thinking requests go to instant instead of failing with 502.
      const res = await fetch(`${running.url}/v1/chat/completions`, {
        method: 'POST',
        headers: authHeaders(),
        body: JSON.stringify(chat('hi', { model: 'thinking' })),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-gateway-route-reason')).toBe('fallback:thinking->instant');
      await res.text();
      expect(thinking.requests()).toHaveLength(0);
    });

    it('a replica that does not serve the configured model id is not serving, with the reason', async () => {
      running = await start({
        sims: { instant: [{}], thinking: [{ model: 'some-other-model' }] },
      });
      const [thinking] = running.sims.thinking;
      await waitFor('the model verdict', async () => {
        return (await upstreamOf(running!.url, 'thinking', thinking)).serving === false;
      });
      expect((await upstreamOf(running.url, 'thinking', thinking)).notServing).toEqual({
        kind: 'model',
        reason: "does not serve model 'sim-thinking' (GET /v1/models lists 'some-other-model')",
      });
      expect((await health(running.url)).body.status).toBe('degraded');
    });

    it('matching key and model: ok, and the verification is recorded', async () => {
      running = await start({
        sims: { instant: [{ apiKey: 'k1' }], thinking: [{}] },
        env: { INSTANT_API_KEY: 'k1' },
      });
      const [instant] = running.sims.instant;
      await waitFor('the verification', async () => {
        return (await upstreamOf(running!.url, 'instant', instant)).verified === true;
      });
      const { status, body } = await health(running.url);
      expect(status).toBe(200);
      expect(body.status).toBe('ok');
    });
  });

  describe('readiness (docs/api.md §5)', () => {
    it('one chat tier with nothing serving it and no fallback: that tier is 503, the pod stays ready, /health degraded', async () => {
      running = await start({
        sims: { instant: [{}], thinking: [{}] },
        tier: { instant: { fallback: false } },
      });
      running.sims.instant[0].kill();
      await waitFor('the instant tier to be down', async () => {
        return (await health(running!.url)).body.details['tier:instant'].status === 'down';
      });
      const ready = await health(running.url, '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('ok');
      expect(ready.body.error['tier:instant']).toEqual({
        status: 'down',
        pool: 'instant',
        served: 'none',
      });
      expect(ready.body.info['tier:thinking'].served).toBe('direct');
      const details = await health(running.url);
      expect(details.status).toBe(200);
      expect(details.body.status).toBe('degraded');
      const res = await postJson(
        `${running.url}/v1/chat/completions`,
        chat('hi', { model: 'instant' }),
      );
      expect(res.status).toBe(503);
    });

    it('no chat tier served at all: readiness 503 and /health error', async () => {
      running = await start({ sims: { instant: [{}], thinking: [{}] } });
      for (const sim of [...running.sims.instant, ...running.sims.thinking]) sim.kill();
      await waitFor('readiness to turn 503', async () => {
        return (await health(running!.url, '/health/ready')).status === 503;
      });
      const details = await health(running.url);
      expect(details.status).toBe(503);
      expect(details.body.status).toBe('error');
      expect(details.body.error['tier:instant'].served).toBe('none');
      expect(details.body.error['tier:thinking'].served).toBe('none');
    });
  });
});
