import Anthropic from '@anthropic-ai/sdk';
import { startSimulator, type RunningSimulator } from '../simulator';
import { postJson, startYamlGateway, TEST_KEY, type YamlGateway } from './harness';

/**
 * The Anthropic front's edge, driven with `@anthropic-ai/sdk` and raw HTTP: keys as `x-api-key`
 * or `Authorization: Bearer`, `anthropic-version` accepted, Anthropic's error envelope with
 * Anthropic's statuses on every route under /v1/messages (OpenAI's everywhere else), and
 * `count_tokens` with the gateway's one token estimate.
 */

const NARROW_KEY = 'tg-messages-narrow-5a1d';

type Sims = { instant: RunningSimulator[]; thinking: RunningSimulator[] };

let gateway: YamlGateway<Sims>;
let client: Anthropic;

beforeAll(async () => {
  const sims: Sims = {
    instant: [await startSimulator({ model: 'sim-instant', name: 'instant' })],
    thinking: [await startSimulator({ model: 'sim-thinking', name: 'thinking' })],
  };
  gateway = await startYamlGateway(
    {
      pools: {
        instant: { upstreams: [{ url: sims.instant[0].url }] },
        thinking: { upstreams: [{ url: sims.thinking[0].url }] },
      },
      tiers: {
        instant: { pool: 'instant', model: 'sim-instant' },
        thinking: { pool: 'thinking', model: 'sim-thinking' },
      },
      auth: {
        keys: [
          {
            name: 'narrow',
            key: NARROW_KEY,
            allowed_tiers: ['instant'],
            allowed_models: ['instant'],
          },
        ],
      },
    },
    sims,
    { BODY_LIMIT_BYTES: '65536' },
  );
  client = new Anthropic({
    apiKey: TEST_KEY,
    baseURL: gateway.url,
    maxRetries: 0,
    timeout: 20_000,
  });
}, 60_000);

afterAll(() => gateway?.close());

const ask = { messages: [{ role: 'user' as const, content: 'Hello there' }] };

/** Exactly Anthropic's envelope: `{"type":"error","error":{"type","message"}}`. */
function expectAnthropicError(body: any, type: string): void {
  expect(Object.keys(body).sort()).toEqual(['error', 'type']);
  expect(body.type).toBe('error');
  expect(Object.keys(body.error).sort()).toEqual(['message', 'type']);
  expect(body.error.type).toBe(type);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
}

const xApiKey = (key: string, extra: Record<string, string> = {}) => ({
  'x-api-key': key,
  'anthropic-version': '2023-06-01',
  'content-type': 'application/json',
  ...extra,
});

describe('count_tokens', () => {
  it('answers the gateway’s token estimate through the official client', async () => {
    // system "Be brief." (9 ASCII → 3) + "Hello there" (11 → 3), 4 per message.
    const counted = await client.messages.countTokens({
      model: 'auto',
      system: 'Be brief.',
      ...ask,
    });
    expect(counted).toEqual({ input_tokens: 3 + 4 + 3 + 4 });
  });

  it('counts tools, tool calls and images too', async () => {
    const plain = await client.messages.countTokens({ model: 'instant', ...ask });
    const withTools = await client.messages.countTokens({
      model: 'instant',
      ...ask,
      tools: [{ name: 'weather', input_schema: { type: 'object', properties: {} } }],
    });
    expect(withTools.input_tokens).toBeGreaterThan(plain.input_tokens);
  });

  it('answers 404 not_found_error for an unknown model, listing the names', async () => {
    const error = await client.messages
      .countTokens({ model: 'claude-nope', ...ask })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expectAnthropicError(
      (error as InstanceType<typeof Anthropic.APIError>).error,
      'not_found_error',
    );
    expect(String((error as Error).message)).toMatch(/claude-nope/);
  });

  it('answers 403 permission_error for a model the key may not use', async () => {
    const narrow = new Anthropic({ apiKey: NARROW_KEY, baseURL: gateway.url, maxRetries: 0 });
    const error = await narrow.messages
      .countTokens({ model: 'thinking', ...ask })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expectAnthropicError(
      (error as InstanceType<typeof Anthropic.APIError>).error,
      'permission_error',
    );
  });

  it('refuses generation fields, as Anthropic does', async () => {
    const res = await postJson(
      `${gateway.url}/v1/messages/count_tokens`,
      { model: 'auto', max_tokens: 5, ...ask },
      xApiKey(TEST_KEY),
    );
    expect(res.status).toBe(400);
    expectAnthropicError(res.body, 'invalid_request_error');
    expect(res.body.error.message).toMatch(/^max_tokens: Extra inputs are not permitted/);
  });
});

describe('keys', () => {
  it('accepts the key as x-api-key (the official client) and as Authorization: Bearer', async () => {
    const viaHeader = await postJson(
      `${gateway.url}/v1/messages/count_tokens`,
      { model: 'auto', ...ask },
      xApiKey(TEST_KEY),
    );
    expect(viaHeader.status).toBe(200);
    const viaBearer = await postJson(
      `${gateway.url}/v1/messages/count_tokens`,
      { model: 'auto', ...ask },
      { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
    );
    expect(viaBearer.status).toBe(200);
    expect(viaBearer.body).toEqual(viaHeader.body);
  });

  it('answers a bad x-api-key with 401 authentication_error through the official client', async () => {
    const bad = new Anthropic({ apiKey: 'tg-wrong-key', baseURL: gateway.url, maxRetries: 0 });
    const error = await bad.messages
      .countTokens({ model: 'auto', ...ask })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(401);
    expectAnthropicError(
      (error as InstanceType<typeof Anthropic.APIError>).error,
      'authentication_error',
    );
    expect(JSON.stringify((error as InstanceType<typeof Anthropic.APIError>).error)).not.toContain(
      'tg-wrong-key',
    );
  });

  it('answers a missing key with 401 naming both headers, before reading the body', async () => {
    const res = await postJson(
      `${gateway.url}/v1/messages`,
      { model: 'auto', max_tokens: 5, ...ask },
      {
        'content-type': 'application/json',
      },
    );
    expect(res.status).toBe(401);
    expectAnthropicError(res.body, 'authentication_error');
    expect(res.body.error.message).toMatch(/x-api-key/);
  });

  it('takes x-api-key only under /v1/messages: the OpenAI routes keep the bearer and their envelope', async () => {
    const models = await fetch(`${gateway.url}/v1/models`, { headers: { 'x-api-key': TEST_KEY } });
    expect(models.status).toBe(401);
    const chat = await postJson(
      `${gateway.url}/v1/chat/completions`,
      { messages: [{ role: 'user', content: 'hi' }] },
      xApiKey(TEST_KEY),
    );
    expect(chat.status).toBe(401);
    expect(Object.keys(chat.body)).toEqual(['error']);
    expect(chat.body.error.code).toBe('invalid_api_key');
    expect(chat.body.error.message).not.toMatch(/x-api-key/);
  });
});

describe('errors under /v1/messages', () => {
  it.each<[string, string | object, number, string, RegExp]>([
    ['a body that is not JSON', '{"model":', 400, 'invalid_request_error', /JSON/],
    [
      'a missing max_tokens',
      { model: 'auto', ...ask },
      400,
      'invalid_request_error',
      /^max_tokens: Field required/,
    ],
    [
      'an unsupported field',
      { model: 'auto', max_tokens: 5, ...ask, mcp_servers: [] },
      400,
      'invalid_request_error',
      /mcp_servers: not supported/,
    ],
    [
      'an unsupported block',
      {
        model: 'auto',
        max_tokens: 5,
        messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }],
      },
      400,
      'invalid_request_error',
      /'document' are not supported/,
    ],
    [
      'an unknown model',
      { model: 'gpt-99', max_tokens: 5, ...ask },
      404,
      'not_found_error',
      /gpt-99/,
    ],
  ])('answers %s with its status and type', async (_name, body, status, type, message) => {
    const res = await postJson(`${gateway.url}/v1/messages`, body, xApiKey(TEST_KEY));
    expect(res.status).toBe(status);
    expectAnthropicError(res.body, type);
    expect(res.body.error.message).toMatch(message);
  });

  it('answers a body over the limit with 413 request_too_large', async () => {
    const res = await postJson(
      `${gateway.url}/v1/messages`,
      { model: 'auto', max_tokens: 5, messages: [{ role: 'user', content: 'x'.repeat(70_000) }] },
      xApiKey(TEST_KEY),
    );
    expect(res.status).toBe(413);
    expectAnthropicError(res.body, 'request_too_large');
  });

  it('answers an unknown route under /v1/messages with 404 not_found_error', async () => {
    const res = await postJson(
      `${gateway.url}/v1/messages/batches`,
      {},
      {
        authorization: `Bearer ${TEST_KEY}`,
        'content-type': 'application/json',
      },
    );
    expect(res.status).toBe(404);
    expectAnthropicError(res.body, 'not_found_error');
    const read = await fetch(`${gateway.url}/v1/messages/batches`, { headers: xApiKey(TEST_KEY) });
    expect(read.status).toBe(404);
    expectAnthropicError(await read.json(), 'not_found_error');
  });

  it('answers a non-JSON content type with 415 in Anthropic’s envelope', async () => {
    const res = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': TEST_KEY, 'content-type': 'application/xml' },
      body: '<hello/>',
    });
    expect(res.status).toBe(415);
    expectAnthropicError(await res.json(), 'invalid_request_error');
  });
});
