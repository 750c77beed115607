import { describeLlama, LlamaServer, sleep, stopAll } from './llama-server';
import { chat, FAST_HEALTH, getJson, pool, post, startGateway, type LlamaGateway } from './gateway';

const UPSTREAM_KEY = 'llama-upstream-secret-8c1f2d';

/** The /health entry of one pool, with every replica's details. */
async function poolHealth(url: string, name: string): Promise<{ status: string; pool: any }> {
  const health = await getJson(`${url}/health`);
  return { status: health.body.status, pool: health.body.details[`pool:${name}`] };
}

/**
 * Upstream credentials and model availability against llama-server started with --api-key:
 * its /health stays open, every /v1 route answers 401 "Invalid API Key" without the key.
 */
describeLlama('against llama-server: upstream auth and model availability in /health', () => {
  let open: LlamaServer;
  let locked: LlamaServer;
  const gateways: LlamaGateway[] = [];

  /** instant: an open replica; thinking: the locked one, with `thinking` pool settings. */
  async function gatewayWith(thinking: object): Promise<LlamaGateway> {
    const gateway = await startGateway({
      pools: {
        instant: pool([open], { health_check: FAST_HEALTH }),
        thinking: pool([locked], { health_check: FAST_HEALTH, ...thinking }),
      },
      tiers: {
        instant: { pool: 'instant', model: 'tiny' },
        thinking: { pool: 'thinking', model: 'tiny', fallback: false },
      },
    });
    gateways.push(gateway);
    await sleep(1_000); // several probe rounds
    return gateway;
  }

  beforeAll(async () => {
    [open, locked] = await Promise.all([
      LlamaServer.start({ alias: 'tiny' }),
      LlamaServer.start({ alias: 'tiny', apiKey: UPSTREAM_KEY }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await stopAll([open, locked]);
  });

  it('llama-server itself: 401 without the key, open /health', async () => {
    const denied = await fetch(`${locked.v1}/models`);
    expect(denied.status).toBe(401);
    expect((await fetch(`${locked.url}/health`)).status).toBe(200);
  });

  it('with the pool’s key: chat is served and /health says ok', async () => {
    const gateway = await gatewayWith({ api_key: UPSTREAM_KEY });
    const answer = await post(
      `${gateway.url}/v1/chat/completions`,
      chat('Hi', { model: 'thinking' }),
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-gateway-tier')).toBe('thinking');
    const { status, pool: thinking } = await poolHealth(gateway.url, 'thinking');
    expect(status).toBe('ok');
    expect(thinking.status).toBe('up');
    expect(thinking.upstreams.map((u: any) => u.state)).toEqual(['healthy']);
  });

  it('with a wrong key: the caller is refused (502 naming the credentials, or 503), never given the key', async () => {
    const gateway = await gatewayWith({ api_key: 'wrong-key-5d1e' });
    const answer = await post(
      `${gateway.url}/v1/chat/completions`,
      chat('Hi', { model: 'thinking' }),
    );
    expect([502, 503]).toContain(answer.status);
    if (answer.status === 502) expect(answer.body.error.message).toMatch(/credentials/);
    expect(JSON.stringify(answer.body)).not.toContain('wrong-key-5d1e');
    expect(JSON.stringify(answer.body)).not.toContain(UPSTREAM_KEY);
  });

  // Defect 5: with a wrong (or no) upstream key every thinking request got 502 while /health
  // said ok and the replica healthy. Probes must carry the pool's key, and a replica that
  // rejects it is reported as not serving, with the reason.
  it.each([
    ['a wrong key', { api_key: 'wrong-key-5d1e' }],
    ['no key', {}],
  ])('with %s: /health shows the rejection', async (_what, settings) => {
    const gateway = await gatewayWith(settings);
    const { status, pool: thinking } = await poolHealth(gateway.url, 'thinking');
    expect(status).not.toBe('ok');
    const [replica] = thinking.upstreams;
    expect(replica.state).not.toBe('healthy');
    expect(JSON.stringify(replica)).toMatch(/401|credential|api key|unauthori[sz]ed/i);
    expect(JSON.stringify(thinking)).not.toContain('wrong-key-5d1e');
  });

  // Issue 12, point 5 (seed requirement "model availability verification"): a replica that
  // does not serve the configured model id (its /v1/models) is reported as not serving.
  it('a replica that does not serve the configured model is reported, with the reason', async () => {
    const gateway = await startGateway({
      pools: {
        instant: pool([open], { health_check: FAST_HEALTH }),
        thinking: pool([locked], { health_check: FAST_HEALTH, api_key: UPSTREAM_KEY }),
      },
      tiers: {
        instant: { pool: 'instant', model: 'tiny' },
        thinking: { pool: 'thinking', model: 'some-other-model' },
      },
    });
    gateways.push(gateway);
    await sleep(1_000);
    const { status, pool: thinking } = await poolHealth(gateway.url, 'thinking');
    expect(status).toBe('degraded');
    expect(thinking.upstreams[0].state).not.toBe('healthy');
    expect(JSON.stringify(thinking.upstreams[0])).toMatch(/some-other-model/);
  });
});
