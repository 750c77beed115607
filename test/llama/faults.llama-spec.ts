import { describeLlama, LlamaServer, stopAll } from './llama-server';
import { chat, getJson, KEY, pool, post, startGateway, type LlamaGateway } from './gateway';

/** A second client key: the caller who sends what llama.cpp answers with HTTP 500. */
const CARELESS_KEY = 'tg-llama-careless-9f8e7d6c5b';

const WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

/**
 * An embeddings input of about 1,000 tokens (25 a sentence): more than a replica's default physical batch (512),
 * so llama.cpp answers 500 "input (N tokens) is too large to process", but less than a slot.
 */
const LONG_INPUT = 'the quick brown fox jumps over the lazy dog '.repeat(40);

/** The three requests llama.cpp answers with HTTP 500 although the request is at fault. */
const MALFORMED: { kind: string; path: string; body: object; detail: RegExp }[] = [
  {
    kind: 'tool-call arguments that are not JSON',
    path: '/v1/chat/completions',
    body: {
      model: 'instant',
      max_tokens: 4,
      tools: [WEATHER],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city": "Par' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
      ],
    },
    detail: /Failed to parse tool call arguments as JSON/,
  },
  {
    kind: 'an image part on a text-only model',
    path: '/v1/chat/completions',
    body: {
      model: 'instant',
      max_tokens: 4,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
    },
    detail: /image/i,
  },
  {
    kind: 'an embeddings input larger than the batch',
    path: '/v1/embeddings',
    body: { model: 'tiny', input: LONG_INPUT },
    detail: /too large to process/,
  },
];

describeLlama('against llama-server: request faults never punish a replica', () => {
  let a: LlamaServer;
  let b: LlamaServer;
  let c: LlamaServer;
  let small: LlamaServer;
  let gateway: LlamaGateway;
  let url: string;

  beforeAll(async () => {
    [a, b, c, small] = await Promise.all([
      LlamaServer.start({ alias: 'tiny' }),
      LlamaServer.start({ alias: 'tiny' }),
      LlamaServer.start({ alias: 'tiny' }),
      // A physical batch of 64 tokens: embeddings inputs above it fail here and only here.
      LlamaServer.start({ alias: 'tiny', args: ['-b', '64', '-ub', '64'] }),
    ]);
    gateway = await startGateway(
      {
        pools: {
          instant: pool([a, b]),
          thinking: pool([c]),
          embed: pool([a, b]),
        },
        tiers: {
          instant: { pool: 'instant', model: 'tiny' },
          thinking: { pool: 'thinking', model: 'tiny' },
        },
        embeddings: { pool: 'embed', model: 'tiny' },
      },
      { GATEWAY_API_KEYS: `${KEY},${CARELESS_KEY}` },
    );
    url = gateway.url;
  }, 120_000);

  afterAll(async () => {
    await gateway?.stop();
    await stopAll([a, b, c, small]);
  });

  it.each(MALFORMED)('llama.cpp itself answers 500 for $kind', async ({ path, body, detail }) => {
    const res = await fetch(`${a.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, model: 'tiny' }),
    });
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(detail);
  });

  // Defect 1: llama.cpp's 500s for invalid requests counted as replica failures: 5 ejected a
  // replica for 30 s and moved every other caller to the other tier, and the caller saw only
  // "The upstream model server failed (HTTP 500)". Required: the caller gets llama.cpp's
  // message; no replica, circuit or fallback state changes; the other key sees 0 errors.
  it('102 malformed requests from one key, interleaved with normal traffic from another: 0 ejections, 0 fallbacks, 0 errors', async () => {
    const careless = { authorization: `Bearer ${CARELESS_KEY}` };
    const otherStatuses: number[] = [];
    const fallbacks: string[] = [];
    const lostMessages: { kind: string; status: number; message: string }[] = [];
    for (let round = 0; round < 34; round++) {
      for (const { kind, path, body, detail } of MALFORMED) {
        const bad = await post(`${url}${path}`, body, careless);
        const message: string = bad.body?.error?.message ?? '';
        // The caller gets llama.cpp's own message, not "The upstream model server failed".
        if (bad.status < 400 || !detail.test(message)) {
          lostMessages.push({ kind, status: bad.status, message });
        }
      }
      for (const model of ['instant', 'thinking']) {
        const good = await post(
          `${url}/v1/chat/completions`,
          chat('Hello', { model, max_tokens: 4 }),
        );
        otherStatuses.push(good.status);
        const reason = good.headers.get('x-gateway-route-reason') ?? '';
        if (/fallback/.test(reason)) fallbacks.push(reason);
      }
      const embedding = await post(`${url}/v1/embeddings`, { model: 'tiny', input: 'hello' });
      otherStatuses.push(embedding.status);
    }
    expect(otherStatuses.filter((s) => s !== 200)).toEqual([]);
    expect(fallbacks).toEqual([]);

    const health = await getJson(`${url}/health`);
    for (const name of ['instant', 'thinking', 'embed']) {
      for (const replica of health.body.details[`pool:${name}`].upstreams) {
        expect({ name, state: replica.state, failures: replica.consecutiveFailures }).toEqual({
          name,
          state: 'healthy',
          failures: undefined,
        });
      }
    }
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).not.toMatch(/tiergate_upstream_state_transitions_total\{[^}]*to="ejected"/);
    expect(lostMessages.slice(0, 3)).toEqual([]);
  }, 120_000);

  // Defect 11: a single upstream 500 was never retried on another replica, although the
  // request has no side effect. Here one replica has a small batch: an input of ~250 tokens
  // fails there with 500 and succeeds on the other. Round-robin sends every other request to
  // the small one first; each must still succeed, retried once on the other replica.
  it('retries a 500 once on another replica: every request succeeds', async () => {
    const mixed = await startGateway({
      pools: { instant: pool([a]), mixed: pool([a, small], { balancing: 'round-robin' }) },
      tiers: { instant: { pool: 'instant', model: 'tiny' } },
      embeddings: { pool: 'mixed', model: 'tiny' },
    });
    try {
      const input = 'the quick brown fox jumps over the lazy dog '.repeat(10);
      const direct = await fetch(`${small.v1}/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'tiny', input }),
      });
      expect(direct.status).toBe(500);
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) {
        statuses.push((await post(`${mixed.url}/v1/embeddings`, { model: 'tiny', input })).status);
      }
      expect(statuses).toEqual(Array(10).fill(200));
    } finally {
      await mixed.stop();
    }
  }, 60_000);
});
