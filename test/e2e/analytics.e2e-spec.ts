import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import OpenAI from 'openai';
import { startSimulator, type RunningSimulator } from '../simulator';
import { chat, expectErrorEnvelope, postJson, startYamlGateway, type YamlGateway } from './harness';

/*
 * Issue 15: `GET /v1/analytics` (C5). Figures change with traffic by exactly what passed
 * (requests, tokens as the upstream reported them), per process without Redis and across
 * gateway processes sharing one Redis.
 */

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

type Sims = Record<'instant' | 'thinking', RunningSimulator[]>;

interface Keys {
  admin: string;
  client: string;
  /** Unique per run, so figures of earlier runs on a shared Redis never mix in. */
  clientName: string;
}

function newKeys(): Keys {
  const id = randomUUID();
  return { admin: `tg-admin-${id}`, client: `tg-client-${id}`, clientName: `e2e-${id}` };
}

async function startGateway(sims: Sims, keys: Keys, env: Record<string, string> = {}) {
  return startYamlGateway(
    {
      auth: {
        keys: [
          { name: 'ops', key: keys.admin, role: 'admin' },
          { name: keys.clientName, key: keys.client },
        ],
      },
      pools: {
        instant: { upstreams: sims.instant.map((s) => ({ url: s.url })) },
        thinking: { upstreams: sims.thinking.map((s) => ({ url: s.url })) },
      },
      tiers: {
        instant: { pool: 'instant', model: 'sim-instant' },
        thinking: { pool: 'thinking', model: 'sim-thinking' },
      },
    },
    sims,
    { GATEWAY_API_KEYS: '', ...env },
  );
}

async function startSims(): Promise<Sims> {
  return {
    instant: [await startSimulator({ model: 'sim-instant', name: 'instant' })],
    thinking: [
      await startSimulator({
        model: 'sim-thinking',
        name: 'thinking',
        behavior: { reasoning: 'reasoning_content' },
      }),
    ],
  };
}

async function analytics(url: string, admin: string, query = ''): Promise<any> {
  const res = await fetch(`${url}/v1/analytics${query}`, {
    headers: { authorization: `Bearer ${admin}` },
  });
  expect(res.status).toBe(200);
  return res.json();
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Sent {
  requests: number;
  input: number;
  output: number;
}

/** Sends `n` non-streamed and `m` streamed chats with the official client; sums the usage it got. */
async function traffic(client: OpenAI, n: number, m: number, model = 'instant'): Promise<Sent> {
  const sent: Sent = { requests: 0, input: 0, output: 0 };
  for (let i = 0; i < n; i++) {
    const answer = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: `question ${i}` }],
    });
    sent.requests++;
    sent.input += answer.usage?.prompt_tokens ?? 0;
    sent.output += answer.usage?.completion_tokens ?? 0;
  }
  for (let i = 0; i < m; i++) {
    const stream = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: `streamed ${i}` }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) {
      if (chunk.usage) {
        sent.input += chunk.usage.prompt_tokens;
        sent.output += chunk.usage.completion_tokens;
      }
    }
    sent.requests++;
  }
  return sent;
}

function clientFor(url: string, key: string): OpenAI {
  return new OpenAI({ apiKey: key, baseURL: `${url}/v1`, maxRetries: 0, timeout: 20_000 });
}

describe('GET /v1/analytics, one process (no Redis)', () => {
  jest.setTimeout(60_000);
  const keys = newKeys();
  let gw: YamlGateway<Sims>;

  beforeAll(async () => {
    gw = await startGateway(await startSims(), keys);
  });
  afterAll(() => gw?.close());

  it('answers the C5 shape with defaults (1h, by tier), scope process', async () => {
    const body = await analytics(gw.url, keys.admin);
    expect(body).toMatchObject({
      object: 'analytics',
      window: '1h',
      by: 'tier',
      scope: 'process',
      bucket_seconds: 60,
      currency: 'USD',
      routing: { auto_requests: expect.any(Number), tier_share: expect.any(Object) },
    });
    expect(body.totals.series).toHaveLength(61);
    expect(Date.parse(body.to) - Date.parse(body.from)).toBeGreaterThanOrEqual(3_600_000);
  });

  it('counts exactly the requests and tokens that passed, by key, tier, model and pool', async () => {
    const sent = await traffic(clientFor(gw.url, keys.client), 4, 3);
    const body = await waitFor('the traffic in the figures', async () => {
      const answer = await analytics(gw.url, keys.admin, '?window=5m&by=key');
      const group = answer.groups.find((g: any) => g.key === keys.clientName);
      return group?.requests === sent.requests ? answer : undefined;
    });
    const group = body.groups.find((g: any) => g.key === keys.clientName);
    expect(group).toMatchObject({
      requests: 7,
      errors: {},
      error_rate: 0,
      tokens: { input: sent.input, output: sent.output, cached_input: 0, reasoning: 0 },
      cost: 0,
      fallbacks: 0,
      spills: 0,
      budget: null,
      latency_ms: { p50: expect.any(Number), p95: expect.any(Number), p99: expect.any(Number) },
      ttft_ms: { p50: expect.any(Number), p95: expect.any(Number), p99: expect.any(Number) },
    });
    expect(group.series.reduce((n: number, p: any) => n + p.requests, 0)).toBe(7);
    for (const [by, key] of [
      ['tier', 'instant'],
      ['model', 'sim-instant'],
      ['pool', 'instant'],
    ]) {
      const answer = await analytics(gw.url, keys.admin, `?window=5m&by=${by}`);
      expect(answer.groups.find((g: any) => g.key === key)?.requests).toBe(7);
    }
    const replicas = await analytics(gw.url, keys.admin, '?window=5m&by=replica');
    expect(replicas.groups).toEqual([
      expect.objectContaining({
        key: expect.stringMatching(/^instant\/[0-9a-f]{12}$/),
        requests: 7,
      }),
    ]);
  });

  it('counts errors by code, and the routing mix of auto', async () => {
    const before = await analytics(gw.url, keys.admin, '?window=5m');
    const bad = await postJson(
      `${gw.url}/v1/chat/completions`,
      chat('x', { model: 'no-such-model' }),
      { authorization: `Bearer ${keys.client}`, 'content-type': 'application/json' },
    );
    expect(bad.status).toBe(404);
    const refused = (bad.body as { error: { code: string } }).error.code;
    expect(refused).toBe('model_not_found');
    const client = clientFor(gw.url, keys.client);
    await client.chat.completions.create({
      model: 'auto',
      messages: [{ role: 'user', content: 'hi' }],
    });
    await client.chat.completions.create({
      model: 'auto',
      reasoning_effort: 'high',
      messages: [{ role: 'user', content: 'prove it' }],
    });
    const after = await waitFor('the auto requests', async () => {
      const answer = await analytics(gw.url, keys.admin, '?window=5m');
      return answer.routing.auto_requests === before.routing.auto_requests + 2 ? answer : undefined;
    });
    expect(after.totals.requests).toBe(before.totals.requests + 3);
    const errors = (code: string, body: any) => body.totals.errors[code] ?? 0;
    // A refusal counts by the code in the envelope its caller saw, not by its status.
    expect(errors(refused, after)).toBe(errors(refused, before) + 1);
    expect(errors('http_404', after)).toBe(errors('http_404', before));
    expect(after.routing.decisions['hint:reasoning_effort']).toBeGreaterThanOrEqual(1);
    const share = after.routing.tier_share;
    expect(share.instant + share.thinking).toBeCloseTo(1, 5);
    expect(after.routing.series.at(-1)).toEqual(
      expect.objectContaining({ t: expect.any(String), instant: expect.any(Number) }),
    );
  });

  it.each([
    ['?window=2h', 'window'],
    ['?by=color', 'by'],
  ])('refuses %s with 400 invalid_value naming %s', async (query, param) => {
    const res = await fetch(`${gw.url}/v1/analytics${query}`, {
      headers: { authorization: `Bearer ${keys.admin}` },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as any;
    expectErrorEnvelope(body, 'invalid_request_error', 'invalid_value');
    expect(body.error.param).toBe(param);
  });
});

describe('GET /v1/analytics, two gateway processes on one Redis', () => {
  jest.setTimeout(60_000);
  const keys = newKeys();
  let a: YamlGateway<Sims>;
  let b: YamlGateway<Sims>;

  beforeAll(async () => {
    const redis = new Redis(REDIS_URL);
    expect(await redis.ping()).toBe('PONG');
    await redis.quit();
    a = await startGateway(await startSims(), keys, { REDIS_URL });
    b = await startGateway(await startSims(), keys, { REDIS_URL });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('answers cluster-wide figures from either process', async () => {
    const fromA = await traffic(clientFor(a.url, keys.client), 3, 1);
    const fromB = await traffic(clientFor(b.url, keys.client), 2, 2);
    const total = fromA.requests + fromB.requests;
    for (const gw of [a, b]) {
      const body = await waitFor('both processes’ figures', async () => {
        const answer = await analytics(gw.url, keys.admin, '?window=5m&by=key');
        const group = answer.groups.find((g: any) => g.key === keys.clientName);
        return group?.requests === total ? answer : undefined;
      });
      expect(body.scope).toBe('cluster');
      const group = body.groups.find((g: any) => g.key === keys.clientName);
      expect(group.tokens.input).toBe(fromA.input + fromB.input);
      expect(group.tokens.output).toBe(fromA.output + fromB.output);
    }
  });
});
