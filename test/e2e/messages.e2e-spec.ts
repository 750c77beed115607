import Anthropic from '@anthropic-ai/sdk';
import { startSimulator, type RunningSimulator } from '../simulator';
import { startYamlGateway, TEST_KEY, type YamlGateway } from './harness';

/**
 * `POST /v1/messages` end to end with `@anthropic-ai/sdk` (`messages.create`, `messages.stream`)
 * against the simulator: text, the thinking tier's reasoning as `thinking` blocks, the caller's
 * tools round-tripped, a registered tool run by the gateway's loop, routing like chat (headers),
 * per-key limits, upstream failures (before and after the first byte), and the `api` label.
 */

const LIMITED_KEY = 'tg-messages-limited-77c1';

type Sims = { instant: RunningSimulator[]; thinking: RunningSimulator[] };

let gateway: YamlGateway<Sims>;
let client: Anthropic;
let instant: RunningSimulator;
let thinking: RunningSimulator;

beforeAll(async () => {
  instant = await startSimulator({ model: 'sim-instant', name: 'instant' });
  thinking = await startSimulator({
    model: 'sim-thinking',
    name: 'thinking',
    behavior: { reasoning: 'reasoning_content' },
  });
  gateway = await startYamlGateway(
    {
      pools: {
        instant: { upstreams: [{ url: instant.url }] },
        thinking: { upstreams: [{ url: thinking.url }] },
      },
      tiers: {
        instant: { pool: 'instant', model: 'sim-instant' },
        thinking: { pool: 'thinking', model: 'sim-thinking' },
      },
      aliases: { 'claude-haiku': 'instant' },
      auth: { keys: [{ name: 'limited', key: LIMITED_KEY, limits: { rpm: 1 } }] },
    },
    { instant: [instant], thinking: [thinking] },
  );
  client = new Anthropic({
    apiKey: TEST_KEY,
    baseURL: gateway.url,
    maxRetries: 0,
    timeout: 30_000,
  });
}, 60_000);

afterAll(() => gateway?.close());

afterEach(() => {
  instant.reset();
  thinking.reset();
});

const hello = { max_tokens: 256, messages: [{ role: 'user' as const, content: 'Say hello.' }] };

/** The last chat request the simulator received. */
function lastUpstreamBody(sim: RunningSimulator): any {
  const chats = sim.requests().filter((r) => r.path === '/v1/chat/completions');
  return chats[chats.length - 1]?.body;
}

describe('messages.create', () => {
  it('answers text in a text block, with end_turn, usage and the route headers', async () => {
    const { data: message, response } = await client.messages
      .create({ model: 'instant', ...hello })
      .withResponse();
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'sim-instant',
      stop_reason: 'end_turn',
      stop_sequence: null,
    });
    expect(message.id).toMatch(/^msg_/);
    expect(message.content).toHaveLength(1);
    expect(message.content[0].type).toBe('text');
    expect((message.content[0] as Anthropic.TextBlock).text.length).toBeGreaterThan(0);
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-gateway-tier')).toBe('instant');
    expect(response.headers.get('x-gateway-route-reason')).toBe('model:instant');
    expect(response.headers.get('x-request-id')).toBeTruthy();
    // The upstream got a chat request with its own model id and the caller's max_tokens.
    expect(lastUpstreamBody(instant)).toMatchObject({
      model: 'sim-instant',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Say hello.' }],
    });
  });

  it.each([
    ['thinking', 'thinking', 'model:thinking'],
    ['claude-haiku', 'instant', 'alias:claude-haiku'],
    ['sim-thinking', 'thinking', 'model:sim-thinking'],
  ])('routes model %s like chat (tier %s, reason %s)', async (model, tier, reason) => {
    const { response } = await client.messages.create({ model, ...hello }).withResponse();
    expect(response.headers.get('x-gateway-tier')).toBe(tier);
    expect(response.headers.get('x-gateway-route-reason')).toBe(reason);
  });

  it('sends thinking-enabled auto requests to the thinking tier, reasoning in a thinking block', async () => {
    const { data: message, response } = await client.messages
      .create({
        model: 'auto',
        max_tokens: 2048,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        messages: [{ role: 'user', content: 'Hi' }],
      })
      .withResponse();
    expect(response.headers.get('x-gateway-tier')).toBe('thinking');
    expect(response.headers.get('x-gateway-route-reason')).toBe('hint:reasoning_effort');
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text']);
    const thought = message.content[0] as Anthropic.ThinkingBlock;
    expect(thought.thinking.length).toBeGreaterThan(0);
    // Never mixed into the text.
    expect((message.content[1] as Anthropic.TextBlock).text).not.toContain(thought.thinking);
  });

  it('reports the stop sequence the upstream names (vLLM): stop_reason stop_sequence', async () => {
    const body = { model: 'instant', ...hello, stop_sequences: ['never-said', 'simulator'] };
    const message = await client.messages.create(body);
    expect(message).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'simulator' });
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from the Tiergate ' }]);
    expect(lastUpstreamBody(instant).stop).toEqual(['never-said', 'simulator']);
    const streamed = await client.messages.stream(body).finalMessage();
    expect(streamed).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'simulator' });
  });

  it('round-trips the caller’s tools: tool_use out, tool_result back', async () => {
    const tools: Anthropic.Tool[] = [
      {
        name: 'get_weather',
        description: 'Weather of a city',
        input_schema: { type: 'object', properties: { city: { type: 'string' } } },
      },
    ];
    const first = await client.messages.create({
      model: 'instant',
      ...hello,
      tools,
      tool_choice: { type: 'tool', name: 'get_weather' },
    });
    expect(first.stop_reason).toBe('tool_use');
    const call = first.content.find((b) => b.type === 'tool_use') as Anthropic.ToolUseBlock;
    expect(call).toMatchObject({ type: 'tool_use', name: 'get_weather', input: {} });
    expect(lastUpstreamBody(instant)).toMatchObject({
      tools: [
        { type: 'function', function: { name: 'get_weather', parameters: tools[0].input_schema } },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });

    const second = await client.messages.create({
      model: 'instant',
      max_tokens: 256,
      tools,
      messages: [
        { role: 'user', content: 'Weather in Oslo?' },
        { role: 'assistant', content: first.content as Anthropic.ContentBlockParam[] },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: call.id, content: 'sunny, 21 C' }],
        },
      ],
    });
    expect(second.stop_reason).toBe('end_turn');
    expect((second.content[0] as Anthropic.TextBlock).text).toContain('sunny, 21 C');
    const upstream = lastUpstreamBody(instant);
    expect(upstream.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: call.id, type: 'function', function: { name: 'get_weather', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: call.id, content: 'sunny, 21 C' },
    ]);
  });

  it('runs a registered server-side tool in the gateway’s loop', async () => {
    const { data: message, response } = await client.messages
      .create({
        model: 'instant',
        ...hello,
        tools: [{ name: 'current_time' } as Anthropic.Tool],
        tool_choice: { type: 'tool', name: 'current_time' },
      })
      .withResponse();
    expect(response.headers.get('x-gateway-tool-rounds')).toBe('1');
    expect(message.stop_reason).toBe('end_turn');
    expect((message.content[0] as Anthropic.TextBlock).text).toMatch(/^Tool results: /);
  });
});

describe('messages.stream', () => {
  it('streams Anthropic’s event sequence, and the final message equals the created one', async () => {
    const created = await client.messages.create({ model: 'instant', ...hello });
    const stream = client.messages.stream({ model: 'instant', ...hello });
    const types: string[] = [];
    stream.on('streamEvent', (event) => types.push(event.type));
    const final = await stream.finalMessage();
    expect(types[0]).toBe('message_start');
    expect(types[1]).toBe('content_block_start');
    expect(types.filter((t) => t === 'content_block_delta').length).toBeGreaterThan(1);
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(final.content).toEqual(
      created.content.map((block) => ({ ...block, citations: undefined })).map(stripUndefined),
    );
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.output_tokens).toBe(created.usage.output_tokens);
    expect(final.usage.input_tokens).toBe(created.usage.input_tokens);
  });

  it('frames every event with its name and sends no [DONE]', async () => {
    const res = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'x-api-key': TEST_KEY,
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
      },
      body: JSON.stringify({ model: 'instant', ...hello, stream: true }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(res.headers.get('x-gateway-tier')).toBe('instant');
    const text = await res.text();
    expect(text).not.toContain('[DONE]');
    const frames = text.split('\n\n').filter((f) => f.length > 0);
    for (const frame of frames) {
      const [eventLine, dataLine] = frame.split('\n');
      const name = eventLine.replace(/^event: /, '');
      expect(JSON.parse(dataLine.replace(/^data: /, '')).type).toBe(name);
    }
  });

  it('streams the thinking tier’s reasoning as thinking_delta in a thinking block', async () => {
    const stream = client.messages.stream({
      model: 'thinking',
      max_tokens: 2048,
      thinking: { type: 'adaptive' },
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const deltas: string[] = [];
    stream.on('streamEvent', (event) => {
      if (event.type === 'content_block_delta') deltas.push(event.delta.type);
    });
    const final = await stream.finalMessage();
    expect(final.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    expect(deltas).toContain('thinking_delta');
    expect(deltas).toContain('text_delta');
    expect(deltas.indexOf('thinking_delta')).toBeLessThan(deltas.indexOf('text_delta'));
  });

  it('streams a tool call as input_json_delta pieces, stop_reason tool_use', async () => {
    const stream = client.messages.stream({
      model: 'instant',
      ...hello,
      tools: [{ name: 'lookup', input_schema: { type: 'object' } }],
      tool_choice: { type: 'any' },
    });
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content).toEqual([
      expect.objectContaining({ type: 'tool_use', name: 'lookup', input: {} }),
    ]);
  });

  it('ends a stream broken off by the upstream with an in-band error event', async () => {
    instant.configure({ mode: 'cut', cutAfterChunks: 4 });
    const stream = client.messages.stream({ model: 'instant', ...hello });
    const types: string[] = [];
    stream.on('streamEvent', (event) => types.push(event.type));
    const error = await stream.finalMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: 'error',
      error: { type: 'api_error' },
    });
    // In-band: text had been streamed, and the message never ended.
    expect(types).toContain('content_block_delta');
    expect(types).not.toContain('message_stop');

    const raw = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': TEST_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'instant', ...hello, stream: true }),
    });
    expect(raw.status).toBe(200);
    const frames = (await raw.text()).split('\n\n').filter((f) => f.length > 0);
    const last = frames[frames.length - 1].split('\n');
    expect(last[0]).toBe('event: error');
    const body = JSON.parse(last[1].replace(/^data: /, ''));
    expect(Object.keys(body).sort()).toEqual(['error', 'type']);
    expect(body.error.type).toBe('api_error');
  });
});

describe('failures and limits', () => {
  it('answers an upstream’s refusal of the request with its status in Anthropic’s envelope', async () => {
    instant.configure({ failRate: 1, failStatus: 400 });
    const error = await client.messages
      .create({ model: 'instant', ...hello })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error' },
    });
  });

  it('answers a key over its limit with 429 rate_limit_error and retry-after', async () => {
    const limited = new Anthropic({ apiKey: LIMITED_KEY, baseURL: gateway.url, maxRetries: 0 });
    await limited.messages.create({ model: 'instant', ...hello });
    const error = await limited.messages
      .create({ model: 'instant', ...hello })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const apiError = error as InstanceType<typeof Anthropic.APIError>;
    expect(apiError.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(Number(apiError.headers?.get('retry-after'))).toBeGreaterThan(0);
  });

  it('labels the request metrics api="messages"', async () => {
    await client.messages.create({ model: 'instant', ...hello });
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/api="messages"/);
  });
});

function stripUndefined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
