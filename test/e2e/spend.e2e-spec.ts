import { Logger } from '@nestjs/common';
import OpenAI from 'openai';
import { startSimulator, type RunningSimulator } from '../simulator';
import {
  authHeaders,
  chat,
  expectErrorEnvelope,
  postJson,
  readSse,
  TEST_KEY,
  withSim,
} from './harness';
import {
  expectedCost,
  metricValue,
  requestLine,
  startSpendGateway,
  type SpendGateway,
} from './spend-harness';

const INSTANT = { input: 1.5, output: 6 };
const CHEAP = { input: 0.5, output: 2 };
const EMBED = { input: 0.02, output: 0 };

/** docs/spend.md: prices, the cost of each request and where it shows (issue 15, points 1-2). */
describe('spend: the cost of each request (docs/spend.md)', () => {
  let gateway: SpendGateway;
  let sims: Record<'instant' | 'thinking' | 'embed', RunningSimulator>;

  beforeAll(async () => {
    sims = {
      instant: await startSimulator({ model: 'sim-instant', name: 'instant' }),
      thinking: await startSimulator({ model: 'sim-thinking', name: 'thinking' }),
      embed: await startSimulator({ model: 'sim-embed', name: 'embed' }),
    };
    gateway = await startSpendGateway(
      {
        pools: {
          instant: { upstreams: [{ url: sims.instant.url }] },
          thinking: { upstreams: [{ url: sims.thinking.url }] },
          embed: { upstreams: [{ url: sims.embed.url }] },
        },
        tiers: {
          instant: { pool: 'instant', model: 'sim-instant' },
          thinking: { pool: 'thinking', model: 'sim-thinking' },
        },
        embeddings: { pool: 'embed', model: 'sim-embed' },
        aliases: { cheap: 'instant' },
        // No escalation: every round stays on the priced instant tier.
        tools: { max_rounds: 4, escalation: { enabled: false } },
        pricing: {
          currency: 'EUR',
          tiers: { instant: INSTANT, embeddings: EMBED },
          aliases: { cheap: CHEAP },
        },
      },
      Object.values(sims),
    );
  });
  afterAll(() => gateway?.close());

  it('a non-streamed answer carries its exact cost in x-gateway-cost, the log line and /metrics', async () => {
    const res = await postJson(
      `${gateway.url}/v1/chat/completions`,
      chat('price me', { model: 'instant' }),
    );
    expect(res.status).toBe(200);
    const cost = expectedCost(res.body.usage, INSTANT);
    expect(cost).toBeGreaterThan(0);
    expect(res.headers.get('x-gateway-cost')).toBe(`${cost} EUR`);
    const line = await requestLine(gateway, res.headers.get('x-request-id') as string);
    expect(line.cost).toBe(cost);
    expect(line.pricing).toBeUndefined();
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    // GATEWAY_API_KEYS names its keys env-1, env-2, …
    const labels = { key: 'env-1', tier: 'instant', model: 'sim-instant' };
    expect(metricValue(metrics, 'tiergate_cost_total', labels)).toBeGreaterThanOrEqual(cost);
    expect(
      metricValue(metrics, 'tiergate_tokens_total', { ...labels, kind: 'output' }),
    ).toBeGreaterThanOrEqual(res.body.usage.completion_tokens);
    expect(
      metricValue(metrics, 'tiergate_tokens_total', { ...labels, kind: 'input' }),
    ).toBeGreaterThanOrEqual(res.body.usage.prompt_tokens);
  });

  it('an alias with its own price is charged at it on its tier', async () => {
    const res = await postJson(
      `${gateway.url}/v1/chat/completions`,
      chat('cheaper', { model: 'cheap' }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-tier')).toBe('instant');
    expect(res.headers.get('x-gateway-cost')).toBe(`${expectedCost(res.body.usage, CHEAP)} EUR`);
  });

  it('an unpriced model costs 0 and says so', async () => {
    const res = await postJson(
      `${gateway.url}/v1/chat/completions`,
      chat('think', { model: 'thinking' }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-cost')).toBe('0 EUR; unpriced');
    const line = await requestLine(gateway, res.headers.get('x-request-id') as string);
    expect([line.cost, line.pricing]).toEqual([0, 'unpriced']);
  });

  it('the rounds of a server-side tool loop are summed', async () => {
    const res = await postJson(
      `${gateway.url}/v1/chat/completions`,
      withSim(
        chat('two rounds', {
          model: 'instant',
          tools: [{ type: 'function', function: { name: 'calculator' } }],
        }),
        {
          tool_calls: [{ name: 'calculator', arguments: JSON.stringify({ expression: '1 + 1' }) }],
          tool_rounds: 2,
        },
      ),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-tool-rounds')).toBe('2');
    // The answer's usage is the sum of the three calls; each was priced alike.
    const cost = expectedCost(res.body.usage, INSTANT);
    expect(res.headers.get('x-gateway-cost')).toBe(`${cost} EUR`);
    const calls = sims.instant.requests().slice(-3);
    expect(calls).toHaveLength(3);
    const line = await requestLine(gateway, res.headers.get('x-request-id') as string);
    expect([line.cost, line.tool_rounds]).toEqual([cost, 2]);
  });

  it('a stream has its cost on the log line, from the usage it reported', async () => {
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify(
        chat('stream me', {
          model: 'instant',
          stream: true,
          stream_options: { include_usage: true },
        }),
      ),
    });
    expect(res.headers.get('x-gateway-cost')).toBeNull();
    const { data } = await readSse(res);
    const usage = JSON.parse(data[data.length - 2]).usage;
    const line = await requestLine(gateway, res.headers.get('x-request-id') as string);
    expect(line.cost).toBe(expectedCost(usage, INSTANT));
  });

  it('a stream that never reported usage is charged what it streamed, with the prompt estimate', async () => {
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify(
        withSim(chat('cut me', { model: 'instant', stream: true }), {
          mode: 'cut',
          cut_after_chunks: 4,
        }),
      ),
    });
    await readSse(res).catch(() => undefined);
    const line = await requestLine(gateway, res.headers.get('x-request-id') as string);
    expect(line.usage_reported).toBe(false);
    expect(line.cost).toBeGreaterThan(0);
  });

  it('embeddings are priced at the embeddings price', async () => {
    const client = new OpenAI({ apiKey: TEST_KEY, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    const { data, response } = await client.embeddings
      .create({ input: 'embed me please', model: 'embeddings' })
      .withResponse();
    expect(response.headers.get('x-gateway-cost')).toBe(
      `${expectedCost({ ...data.usage, completion_tokens: 0 }, EMBED)} EUR`,
    );
  });

  it('GET /v1/usage reports the key’s spend in its period (no budget: null)', async () => {
    const res = await fetch(`${gateway.url}/v1/usage`, { headers: authHeaders() });
    const body = (await res.json()) as { spend: Record<string, unknown> };
    expect(body.spend).toMatchObject({
      currency: 'EUR',
      period: 'month',
      budget: null,
      remaining: null,
      mode: null,
    });
    expect(body.spend.spent as number).toBeGreaterThan(0);
    const now = new Date();
    expect(body.spend.period_start).toBe(
      new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString(),
    );
    expect(body.spend.resets_at).toBe(
      new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString(),
    );
  });
});

describe('spend: budgets (docs/spend.md)', () => {
  let gateway: SpendGateway;
  let sim: RunningSimulator;
  const HARD = 'tg-spend-hard-key-0001';
  const SOFT = 'tg-spend-soft-key-0002';
  // Output only, so a request's cost is exactly its max_tokens (the simulator writes that many).
  const PRICE = { input: 0, output: 1000 };

  beforeAll(async () => {
    sim = await startSimulator({ model: 'sim-instant', name: 'instant', behavior: { tokens: 64 } });
    gateway = await startSpendGateway(
      {
        auth: {
          keys: [
            { name: 'hard', key: HARD },
            { name: 'soft', key: SOFT },
          ],
        },
        pools: { instant: { upstreams: [{ url: sim.url }] } },
        tiers: { instant: { pool: 'instant', model: 'sim-instant' } },
        pricing: { tiers: { instant: PRICE } },
        budgets: {
          keys: {
            // 10 tokens cost 0.01; 0.035 holds three such requests.
            hard: { amount: 0.035, period: 'day', mode: 'hard', warn_at: [0.5] },
            soft: { amount: 0.02, rolling: '24h', mode: 'soft', warn_at: [0.5, 0.9] },
          },
        },
      },
      [sim],
    );
  });
  afterAll(() => gateway?.close());

  const ask = (key: string) =>
    postJson(`${gateway.url}/v1/chat/completions`, chat('budget', { max_tokens: 10 }), {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
    });

  it('a hard budget admits floor(B / C) requests, then refuses with 429 insufficient_quota and the reset time', async () => {
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await ask(HARD));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 429, 429]);
    expect(results[0].headers.get('x-gateway-cost')).toBe('0.01 USD');
    // 0.02 of 0.035 crossed the 50 % threshold.
    expect(results[0].headers.get('x-gateway-budget-warning')).toBeNull();
    expect(results[1].headers.get('x-gateway-budget-warning')).toMatch(
      /^threshold=0.5; spent=0.02; budget=0.035; currency=USD; resets_at=/,
    );
    const refused = results[3];
    expectErrorEnvelope(refused.body, 'insufficient_quota', 'insufficient_quota');
    const now = new Date();
    const tomorrow = new Date(
      Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1),
    ).toISOString();
    expect(refused.headers.get('x-gateway-budget-reset')).toBe(tomorrow);
    expect(refused.body.error.message).toContain(tomorrow);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('x-should-retry')).toBe('false');
    // Nothing reached the upstream for the refused ones.
    expect(sim.requests().filter((r) => r.path.includes('chat'))).toHaveLength(3);
  });

  it('the official client sees a 429 it does not retry', async () => {
    const client = new OpenAI({ apiKey: HARD, baseURL: `${gateway.url}/v1`, maxRetries: 2 });
    const before = sim.requests().length;
    const error = await client.chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: 'x' }], max_tokens: 10 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('insufficient_quota');
    expect(sim.requests().length).toBe(before);
  });

  it('/v1/usage shows the hard budget spent', async () => {
    const res = await fetch(`${gateway.url}/v1/usage`, {
      headers: { authorization: `Bearer ${HARD}` },
    });
    const body = (await res.json()) as { spend: Record<string, unknown> };
    expect(body.spend).toMatchObject({
      currency: 'USD',
      period: 'day',
      spent: 0.03,
      budget: 0.035,
      remaining: 0.005,
      mode: 'hard',
    });
  });

  it('a soft budget warns in a header past its thresholds and never refuses', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await ask(SOFT));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const warnings = results.map(
      (r) => r.headers.get('x-gateway-budget-warning')?.split(';')[0] ?? null,
    );
    expect(warnings).toEqual(['threshold=0.5', 'threshold=0.9', 'threshold=0.9', 'threshold=0.9']);
    const crossed = warn.mock.calls
      .map(([message]) => String(message))
      .filter((message) => message.includes("API key 'soft'"));
    warn.mockRestore();
    expect(crossed).toEqual([
      expect.stringContaining('warning threshold 50 %'),
      expect.stringContaining('warning threshold 90 %'),
    ]);
    const usage = (await (
      await fetch(`${gateway.url}/v1/usage`, { headers: { authorization: `Bearer ${SOFT}` } })
    ).json()) as {
      spend: Record<string, unknown>;
    };
    expect(usage.spend).toMatchObject({
      period: 'rolling_24h',
      spent: 0.04,
      budget: 0.02,
      remaining: 0,
      mode: 'soft',
    });
  });
});
