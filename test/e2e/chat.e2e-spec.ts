import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authHeaders, chat, postJson, startStack, withSim, type Stack } from './harness';

describe('POST /v1/chat/completions: routing and OpenAI compatibility (docs/api.md §4, §5)', () => {
  let stack: Stack;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiergate-chat-'));
    const yaml = join(dir, 'gateway.yaml');
    writeFileSync(yaml, 'aliases:\n  gpt-4o-mini: instant\n  o3-mini: { tier: thinking }\n');
    stack = await startStack({ env: { GATEWAY_CONFIG: yaml } });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.instant.reset();
    stack.thinking.reset();
  });

  it.each([
    ['instant', 'instant', 'model:instant'],
    ['thinking', 'thinking', 'model:thinking'],
    ['gpt-4o-mini', 'instant', 'alias:gpt-4o-mini'],
    ['o3-mini', 'thinking', 'alias:o3-mini'],
    ['sim-thinking', 'thinking', 'model:sim-thinking'],
    ['sim-instant', 'instant', 'model:sim-instant'],
  ])(
    'model %s goes to the %s tier (%s) and the upstream receives its own id',
    async (model, tier, reason) => {
      const { data, response } = await stack.client.chat.completions
        .create({ model, messages: [{ role: 'user', content: 'hello' }] })
        .withResponse();
      expect(response.headers.get('x-gateway-tier')).toBe(tier);
      expect(response.headers.get('x-gateway-route-reason')).toBe(reason);
      const sim = tier === 'instant' ? stack.instant : stack.thinking;
      const other = tier === 'instant' ? stack.thinking : stack.instant;
      expect(sim.requests()).toHaveLength(1);
      expect(other.requests()).toHaveLength(0);
      expect((sim.requests()[0].body as { model: string }).model).toBe(sim.model);
      // The response's model is what the upstream returned, not the alias.
      expect(data.model).toBe(sim.model);
      expect(data.object).toBe('chat.completion');
      expect(data.choices[0].message.role).toBe('assistant');
      expect(data.usage?.total_tokens).toBeGreaterThan(0);
    },
  );

  it.each([
    ['low', 'instant'],
    ['minimal', 'instant'],
    ['none', 'instant'],
    ['medium', 'thinking'],
    ['high', 'thinking'],
  ])('auto with reasoning_effort=%s is a hint for %s', async (effort, tier) => {
    const res = await postJson(
      `${stack.url}/v1/chat/completions`,
      chat('hi', { model: 'auto', reasoning_effort: effort }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-tier')).toBe(tier);
    expect(res.headers.get('x-gateway-route-reason')).toBe('hint:reasoning_effort');
  });

  it('a request without model uses the default model (auto) and the classifier decides', async () => {
    const res = await postJson(`${stack.url}/v1/chat/completions`, chat('hi'));
    expect(res.status).toBe(200);
    expect(['instant', 'thinking']).toContain(res.headers.get('x-gateway-tier'));
    expect(res.headers.get('x-gateway-route-reason')).toBeTruthy();
  });

  it('an explicit model wins over the reasoning_effort hint', async () => {
    const res = await postJson(
      `${stack.url}/v1/chat/completions`,
      chat('hi', { model: 'instant', reasoning_effort: 'high' }),
    );
    expect(res.headers.get('x-gateway-tier')).toBe('instant');
    expect(res.headers.get('x-gateway-route-reason')).toBe('model:instant');
  });

  it('echoes a safe x-request-id and mints one otherwise', async () => {
    const mine = await postJson(
      `${stack.url}/v1/chat/completions`,
      chat('hi', { model: 'instant' }),
      authHeaders({ 'x-request-id': 'req-abc.123' }),
    );
    expect(mine.headers.get('x-request-id')).toBe('req-abc.123');
    expect(stack.instant.requests()[0].headers['x-request-id']).toBe('req-abc.123');
    const unsafe = await postJson(
      `${stack.url}/v1/chat/completions`,
      chat('hi', { model: 'instant' }),
      authHeaders({ 'x-request-id': 'bad id\twith spaces' }),
    );
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('passes unknown fields (vLLM extras) and OpenAI parameters through unchanged', async () => {
    const body = chat('hi', {
      model: 'instant',
      top_k: 20,
      chat_template_kwargs: { enable_thinking: false },
      temperature: 0.2,
      seed: 7,
      stop: ['\n\n'],
      user: 'u-1',
      metadata: { team: 'search' },
      response_format: { type: 'json_object' },
    });
    const res = await postJson(`${stack.url}/v1/chat/completions`, body);
    expect(res.status).toBe(200);
    const received = stack.instant.requests()[0].body as Record<string, unknown>;
    expect(received).toMatchObject({
      top_k: 20,
      chat_template_kwargs: { enable_thinking: false },
      temperature: 0.2,
      seed: 7,
      stop: ['\n\n'],
      user: 'u-1',
      metadata: { team: 'search' },
      response_format: { type: 'json_object' },
      model: 'sim-instant',
    });
  });

  it('accepts content-part messages and a multi-turn conversation with tool results', async () => {
    const completion = await stack.client.chat.completions.create({
      model: 'instant',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'What is the weather?' }] },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
      ],
    });
    expect(completion.choices[0].message.content).toContain('sunny');
  });

  it('returns client tool calls as an OpenAI tool_calls answer', async () => {
    const completion = await stack.client.chat.completions.create(
      withSim(
        {
          model: 'instant',
          messages: [{ role: 'user' as const, content: 'weather in Paris?' }],
          tools: [
            {
              type: 'function' as const,
              function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
            },
          ],
        },
        { tool_calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] },
      ),
    );
    expect(completion.choices[0].finish_reason).toBe('tool_calls');
    const call = completion.choices[0].message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({
      city: 'Paris',
    });
  });

  it('streams with the official client: role chunk, content, finish, and the same headers', async () => {
    const { data: stream, response } = await stack.client.chat.completions
      .create({
        model: 'thinking',
        stream: true,
        messages: [{ role: 'user', content: 'prove it' }],
      })
      .withResponse();
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('x-gateway-tier')).toBe('thinking');
    expect(response.headers.get('x-gateway-route-reason')).toBe('model:thinking');
    expect(response.headers.get('x-request-id')).toBeTruthy();
    let content = '';
    let reasoning = '';
    let finish: string | null = null;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      const delta = chunk.choices[0]?.delta as
        { content?: string; reasoning_content?: string } | undefined;
      content += delta?.content ?? '';
      reasoning += delta?.reasoning_content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      expect(chunk.usage ?? null).toBeNull();
    }
    expect(chunks).toBeGreaterThan(3);
    expect(content.length).toBeGreaterThan(0);
    expect(reasoning.length).toBeGreaterThan(0);
    expect(finish).toBe('stop');
    // The gateway always asks the upstream for usage, to count tokens.
    expect(stack.thinking.requests()[0].body).toMatchObject({
      stream_options: { include_usage: true },
    });
  });

  it('reassembles tool-call argument deltas over 64 KiB intact', async () => {
    const big = JSON.stringify({ blob: 'x'.repeat(100 * 1024) + 'é🌍' });
    const stream = await stack.client.chat.completions.create(
      withSim(
        {
          model: 'instant',
          stream: true as const,
          messages: [{ role: 'user' as const, content: 'upload' }],
          tools: [
            {
              type: 'function' as const,
              function: { name: 'upload', parameters: { type: 'object' } },
            },
          ],
        },
        { tool_calls: [{ name: 'upload', arguments: big }], tool_args_chunk: 70 * 1024 },
      ),
    );
    let args = '';
    let name = '';
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta?.tool_calls ?? []) {
        args += call.function?.arguments ?? '';
        name ||= call.function?.name ?? '';
      }
    }
    expect(name).toBe('upload');
    expect(args).toBe(big);
  });
});

describe('reasoning output in strip mode (tiers.<tier>.reasoning: strip)', () => {
  let stack: Stack;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiergate-strip-'));
    const yaml = join(dir, 'gateway.yaml');
    writeFileSync(yaml, 'tiers:\n  thinking:\n    reasoning: strip\n');
    stack = await startStack({ env: { GATEWAY_CONFIG: yaml } });
  });
  afterAll(() => stack.close());

  it.each(['reasoning_content', 'reasoning', 'think-tags'] as const)(
    'removes reasoning emitted as %s, streaming or not',
    async (shape) => {
      stack.thinking.configure({ reasoning: shape });
      const completion = await stack.client.chat.completions.create(
        withSim(
          { model: 'thinking', messages: [{ role: 'user' as const, content: 'prove it' }] },
          { content: 'the answer' },
        ),
      );
      const message = completion.choices[0].message as unknown as Record<string, unknown>;
      expect(message.content).toBe('the answer');
      expect(message.reasoning_content).toBeUndefined();
      expect(message.reasoning).toBeUndefined();

      const stream = await stack.client.chat.completions.create(
        withSim(
          {
            model: 'thinking',
            stream: true as const,
            messages: [{ role: 'user' as const, content: 'prove it' }],
          },
          { content: 'the answer' },
        ),
      );
      let content = '';
      for await (const chunk of stream) {
        const delta = (chunk.choices[0]?.delta ?? {}) as Record<string, unknown>;
        expect(delta.reasoning_content).toBeUndefined();
        expect(delta.reasoning).toBeUndefined();
        content += (delta.content as string | undefined) ?? '';
      }
      expect(content).toBe('the answer');
    },
  );
});
