import { startSimulator, type RunningSimulator } from '../simulator';
import {
  chat,
  expectErrorEnvelope,
  postJson,
  startYamlGateway,
  TEST_KEY,
  type YamlGateway,
} from './harness';

/*
 * Issue 15: the provider registry (`GET /v1/providers`, C5) with what model discovery read
 * from each replica's `/v1/models`, admin keys only (C3); a replica serving another model id is
 * out of rotation; the context window the router checks comes from discovery.
 */

const ADMIN_KEY = 'tg-admin-key-0123456789';
const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
const client = { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' };

type Sims = Record<'instant' | 'thinking', RunningSimulator[]>;

const FAST = { health_check: { interval_ms: 100, verify_interval_ms: 200, timeout_ms: 1_000 } };

async function get(
  url: string,
  headers: Record<string, string> = admin,
): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: await res.json() };
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('GET /v1/providers: the provider registry (issue 15)', () => {
  jest.setTimeout(60_000);
  let gw: YamlGateway<Sims>;

  beforeAll(async () => {
    const sims: Sims = {
      instant: [
        await startSimulator({ model: 'sim-instant', name: 'instant-0', contextWindow: 4096 }),
        await startSimulator({ model: 'wrong-model', name: 'instant-1' }),
      ],
      thinking: [
        await startSimulator({ model: 'sim-thinking', name: 'thinking-0', contextWindow: 65536 }),
      ],
    };
    gw = await startYamlGateway(
      {
        auth: {
          keys: [
            { name: 'ops', key: ADMIN_KEY, role: 'admin' },
            { name: 'app', key: TEST_KEY },
          ],
        },
        pools: {
          instant: { ...FAST, upstreams: sims.instant.map((s) => ({ url: s.url })) },
          thinking: { ...FAST, upstreams: sims.thinking.map((s) => ({ url: s.url })) },
        },
        tiers: {
          instant: { pool: 'instant', model: 'sim-instant', fallback: true },
          thinking: { pool: 'thinking', model: 'sim-thinking' },
        },
      },
      sims,
      { GATEWAY_API_KEYS: '' },
    );
    // Discovery runs at start-up: wait until every replica has been read.
    await waitFor('discovery of every replica', async () => {
      const { body } = await get(`${gw.url}/v1/providers`);
      const replicas = (body.data ?? []).flatMap((p: any) => p.replicas);
      return replicas.length === 3 && replicas.every((r: any) => r.discovered_at !== null)
        ? true
        : undefined;
    });
  });

  afterAll(() => gw?.close());

  it('lists every pool and replica in the C5 shape, with the discovered context lengths', async () => {
    const { status, body } = await get(`${gw.url}/v1/providers`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ object: 'list', scope: 'process', currency: 'USD' });
    const instant = body.data.find((p: any) => p.pool === 'instant');
    expect(instant).toMatchObject({
      pool: 'instant',
      tiers: ['instant'],
      balancing: 'least-outstanding',
      model: 'sim-instant',
      price: null,
    });
    const [good, wrong] = instant.replicas;
    expect(good).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{12}$/),
      url: gw.sims.instant[0].url,
      health: 'healthy',
      circuit: 'closed',
      models: [
        {
          id: 'sim-instant',
          context_length: 4096,
          serves_configured_model: true,
          capabilities: { chat: true, stream: true, embeddings: false, tools: null },
        },
      ],
      discovered_at: expect.any(String),
      load: {
        in_flight: 0,
        queued: 0,
        server_running: null,
        server_waiting: null,
        kv_cache_usage: null,
      },
      performance: expect.objectContaining({ window: '5m' }),
    });
    expect(Date.parse(good.discovered_at)).not.toBeNaN();
    // A replica serving another model: reported, and out of rotation.
    expect(wrong).toMatchObject({
      health: 'unhealthy',
      models: [{ id: 'wrong-model', serves_configured_model: false }],
    });
    const thinking = body.data.find((p: any) => p.pool === 'thinking');
    expect(thinking.replicas[0].models[0].context_length).toBe(65536);
  });

  it('never sends a request to the replica that serves another model id', async () => {
    for (const sim of gw.sims.instant) sim.reset();
    for (let i = 0; i < 8; i++) {
      const res = await postJson(
        `${gw.url}/v1/chat/completions`,
        chat(`hi ${i}`, { model: 'instant' }),
        client,
      );
      expect(res.status).toBe(200);
    }
    expect(gw.sims.instant[0].requests()).toHaveLength(8);
    expect(gw.sims.instant[1].requests()).toHaveLength(0);
  });

  it('checks context fit against the discovered window: too long for instant goes to thinking', async () => {
    // ~6000 tokens by the gateway's estimate: over instant's 4096, within thinking's 65536.
    const long = 'word '.repeat(6_000);
    const res = await postJson(
      `${gw.url}/v1/chat/completions`,
      chat(long, { model: 'instant' }),
      client,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-route-reason')).toBe('context:instant->thinking');
  });

  it('shows each replica’s last 5 minutes once traffic has passed', async () => {
    const { body } = await waitFor('performance of the serving replica', async () => {
      const answer = await get(`${gw.url}/v1/providers`);
      const good = answer.body.data.find((p: any) => p.pool === 'instant').replicas[0];
      return good.performance.requests >= 8 ? answer : undefined;
    });
    const good = body.data.find((p: any) => p.pool === 'instant').replicas[0];
    expect(good.performance).toMatchObject({
      window: '5m',
      error_rate: 0,
      latency_ms: { p50: expect.any(Number), p95: expect.any(Number), p99: expect.any(Number) },
    });
  });

  it('probes one replica now and answers it', async () => {
    const { body } = await get(`${gw.url}/v1/providers`);
    const id = body.data.find((p: any) => p.pool === 'instant').replicas[1].id;
    const res = await postJson(`${gw.url}/v1/providers/instant/replicas/${id}/probe`, {}, admin);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, health: 'unhealthy', models: [{ id: 'wrong-model' }] });
    const missing = await postJson(`${gw.url}/v1/providers/instant/replicas/nope/probe`, {}, admin);
    expect(missing.status).toBe(404);
    expectErrorEnvelope(missing.body, 'invalid_request_error', 'not_found');
  });

  it.each([
    ['GET', '/v1/providers'],
    ['GET', '/v1/analytics'],
    ['POST', '/v1/providers/instant/replicas/x/probe'],
  ])(
    'refuses a client key on %s %s with 403 admin_required, and no key with 401',
    async (method, path) => {
      const asClient = await fetch(`${gw.url}${path}`, {
        method,
        headers: client,
        body: method === 'POST' ? '{}' : undefined,
      });
      expect(asClient.status).toBe(403);
      expectErrorEnvelope(await asClient.json(), 'permission_error', 'admin_required');
      const anonymous = await fetch(`${gw.url}${path}`, { method });
      expect(anonymous.status).toBe(401);
      expectErrorEnvelope(await anonymous.json(), 'invalid_request_error', 'invalid_api_key');
    },
  );

  it('lets the client key use the model API as before', async () => {
    const res = await postJson(`${gw.url}/v1/chat/completions`, chat('hello'), client);
    expect(res.status).toBe(200);
  });
});
