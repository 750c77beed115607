import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type OpenAI from 'openai';
import { authHeaders, chat, postJson, readSse, startStack, withSim, type Stack } from './harness';

/**
 * Issue 12, against the simulator speaking llama.cpp's wire (`flavor: llamacpp`): a tool loop cut
 * off by `max_tokens` ends cleanly with `length`; the upstream's fields reach the caller; a pool
 * or an upstream that does not stream still gives the caller a well-formed stream.
 */

// The calculator runs in a worker thread whose first start is slow on a loaded machine; the
// e2e project's testTimeout is not applied when both projects run in one jest call.
jest.setTimeout(30_000);

const LLAMA = { flavor: 'llamacpp' };
/** Longer than `max_tokens: 30` allows (≈ 120 characters): the call is cut mid-arguments. */
const LONG_ARGS = JSON.stringify({ expression: '1*7', note: 'n'.repeat(150) });
const calculator = [{ type: 'function', function: { name: 'calculator' } }];
const weather = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } },
];

/** The request, with the simulator's script for the call it makes. */
const computeRequest = (tools: unknown[], name: string, extra: Record<string, unknown> = {}) =>
  withSim(
    {
      model: 'instant',
      messages: [{ role: 'user', content: 'Compute 1*7' }],
      max_tokens: 30,
      tools,
      ...extra,
    },
    { ...LLAMA, tool_calls: [{ name, arguments: LONG_ARGS }] },
  );

async function streamRaw(stack: Stack, body: Record<string, unknown>) {
  const res = await fetch(`${stack.url}/v1/chat/completions`, {
    method: 'POST',
    headers: authHeaders(),
    body: JSON.stringify({ ...body, stream: true }),
  });
  const text = await res.clone().text();
  const { data } = await readSse(res);
  const chunks = data.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d));
  return { res, text, data, chunks };
}

/** Streamed tool calls put back together by index. */
function reassemble(chunks: any[]): { name?: string; arguments: string }[] {
  const calls: { name?: string; arguments: string }[] = [];
  for (const c of chunks) {
    for (const d of c.choices?.[0]?.delta?.tool_calls ?? []) {
      const call = (calls[d.index] ??= { arguments: '' });
      if (d.function?.name) call.name = d.function.name;
      call.arguments += d.function?.arguments ?? '';
    }
  }
  return calls;
}

describe('upstream fidelity (issue 12)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.instant.reset();
    stack.thinking.reset();
  });

  describe('a tool loop cut off by max_tokens', () => {
    it.each<[string, unknown[], string]>([
      ['a server-side tool', calculator, 'calculator'],
      [
        'the caller’s own tool, a server-side one offered too',
        [...calculator, ...weather],
        'get_weather',
      ],
    ])(
      'non-streaming, a call to %s: 200, finish_reason length, one upstream call',
      async (_name, tools, name) => {
        const res = await postJson(`${stack.url}/v1/chat/completions`, computeRequest(tools, name));
        expect(res.status).toBe(200);
        const choice = res.body.choices[0];
        expect(choice.finish_reason).toBe('length');
        const args: string = choice.message.tool_calls[0].function.arguments;
        expect(LONG_ARGS.startsWith(args) && args.length < LONG_ARGS.length).toBe(true);
        expect(stack.instant.requests()).toHaveLength(1);
        expect(res.headers.get('x-gateway-tool-rounds')).toBe('0');
      },
    );

    it.each<[string, unknown[], string]>([
      ['a server-side tool', calculator, 'calculator'],
      [
        'the caller’s own tool, a server-side one offered too',
        [...calculator, ...weather],
        'get_weather',
      ],
    ])(
      'streaming, a call to %s: what was generated, finish_reason length, [DONE]',
      async (_name, tools, name) => {
        const { res, data, chunks } = await streamRaw(stack, computeRequest(tools, name));
        expect(res.status).toBe(200);
        expect(data[data.length - 1]).toBe('[DONE]');
        expect(chunks.some((c) => c.error)).toBe(false);
        expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('length');
        const calls = reassemble(chunks);
        expect(calls).toHaveLength(1);
        expect(calls[0].name).toBe(name);
        expect(LONG_ARGS.startsWith(calls[0].arguments)).toBe(true);
        expect(stack.instant.requests()).toHaveLength(1);
      },
    );

    it('the official client reads the streamed answer and its finish_reason', async () => {
      const stream = await stack.client.chat.completions.create({
        ...(computeRequest(calculator, 'calculator') as object),
        stream: true,
      } as OpenAI.ChatCompletionCreateParamsStreaming);
      const finishes: (string | null)[] = [];
      for await (const chunk of stream) {
        for (const choice of chunk.choices)
          if (choice.finish_reason) finishes.push(choice.finish_reason);
      }
      expect(finishes).toEqual(['length']);
    });
  });

  describe('fields the upstream sends reach the caller', () => {
    it('streams llama.cpp’s role chunk as sent and keeps timings when the caller did not ask for usage', async () => {
      const { text, chunks } = await streamRaw(
        stack,
        withSim(chat('hi', { model: 'instant', max_tokens: 4 }), { ...LLAMA, tokens: 4 }),
      );
      expect(text).toContain('"delta":{"role":"assistant","content":null}');
      const last = chunks[chunks.length - 1];
      expect(last.choices[0].finish_reason).toBeTruthy();
      expect(last.timings).toMatchObject({ predicted_n: expect.any(Number) });
      expect(chunks.every((c) => c.system_fingerprint === 'b1-sim')).toBe(true);
      expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    });

    it('keeps timings on the usage chunk when the caller asked for usage', async () => {
      const { chunks } = await streamRaw(
        stack,
        withSim(chat('hi', { model: 'instant', stream_options: { include_usage: true } }), {
          ...LLAMA,
          tokens: 3,
        }),
      );
      const last = chunks[chunks.length - 1];
      expect(last.choices).toEqual([]);
      expect(last.usage.total_tokens).toBeGreaterThan(0);
      expect(last.timings).toBeDefined();
    });

    it('tool loop, streamed: role chunk as sent, no gathered calls, the last round’s timings', async () => {
      const { text, chunks } = await streamRaw(
        stack,
        withSim(chat('Compute 1*7', { model: 'instant', tools: calculator }), {
          ...LLAMA,
          tool_calls: [{ name: 'calculator', arguments: '{"expression":"1*7"}' }],
        }),
      );
      expect(text).toContain('"delta":{"role":"assistant","content":null}');
      expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toContain('7');
      const last = chunks[chunks.length - 1];
      expect(last.choices[0].finish_reason).toBe('stop');
      expect(last.timings).toBeDefined();
      expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
      expect(stack.instant.requests()).toHaveLength(2);
    });

    it('tool loop, handed back: the calls as the upstream streamed them, not gathered into one delta', async () => {
      const { chunks } = await streamRaw(
        stack,
        withSim(chat('weather', { model: 'instant', tools: [...calculator, ...weather] }), {
          ...LLAMA,
          tool_args_chunk: 4,
          tool_calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }],
        }),
      );
      const callChunks = chunks.filter((c) => c.choices[0]?.delta?.tool_calls);
      expect(callChunks.length).toBe(1 + 4);
      expect(reassemble(chunks)).toEqual([{ name: 'get_weather', arguments: '{"city":"Paris"}' }]);
      expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('tool_calls');
      expect(chunks[chunks.length - 1].timings).toBeDefined();
    });

    it('tool loop, non-streamed: the last answer’s own fields (timings, system_fingerprint)', async () => {
      const res = await postJson(
        `${stack.url}/v1/chat/completions`,
        withSim(chat('Compute 1*7', { model: 'instant', tools: calculator }), {
          ...LLAMA,
          tool_calls: [{ name: 'calculator', arguments: '{"expression":"1*7"}' }],
        }),
      );
      expect(res.status).toBe(200);
      expect(res.body.timings).toBeDefined();
      expect(res.body.system_fingerprint).toBe('b1-sim');
      expect(res.headers.get('x-gateway-tool-rounds')).toBe('1');
    });
  });

  describe('an upstream that refuses stream: true', () => {
    const refusing = (extra: Record<string, unknown> = {}) =>
      withSim(chat('hi', { model: 'instant', ...extra }), { refuse_stream: true, tokens: 5 });

    it('gets a non-streamed call; the caller gets a well-formed stream with the routing headers', async () => {
      const { res, text, data, chunks } = await streamRaw(stack, refusing());
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(res.headers.get('x-gateway-tier')).toBe('instant');
      expect(res.headers.get('x-gateway-route-reason')).toBe('model:instant');
      expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
      expect(data[data.length - 1]).toBe('[DONE]');
      expect(chunks[0].choices[0].delta.role).toBe('assistant');
      expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('stop');
      expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
      expect(stack.instant.requests().map((r) => [r.stream, r.status])).toEqual([
        [true, 400],
        [false, 200],
      ]);
    });

    it('answers the same text as a whole request, usage chunk when asked (official client)', async () => {
      const whole = await stack.client.chat.completions.create(refusing() as any);
      const stream = await stack.client.chat.completions.create({
        ...(refusing({ stream_options: { include_usage: true } }) as object),
        stream: true,
      } as OpenAI.ChatCompletionCreateParamsStreaming);
      let text = '';
      let usage: OpenAI.CompletionUsage | null | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text).toBe(whole.choices[0].message.content);
      expect(usage?.completion_tokens).toBe(whole.usage?.completion_tokens);
    });

    it('never counts against the replica', async () => {
      for (let i = 0; i < 8; i++) {
        const { res } = await streamRaw(stack, refusing());
        expect(res.headers.get('x-gateway-route-reason')).toBe('model:instant');
      }
      const health = await (await fetch(`${stack.url}/health`)).json();
      expect(JSON.stringify(health)).not.toMatch(/ejected|unhealthy/);
    });

    it('serves a streamed tool loop too', async () => {
      const { chunks, data } = await streamRaw(
        stack,
        withSim(chat('Compute 1*7', { model: 'instant', tools: calculator }), {
          refuse_stream: true,
          tool_calls: [{ name: 'calculator', arguments: '{"expression":"1*7"}' }],
        }),
      );
      expect(data[data.length - 1]).toBe('[DONE]');
      expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toContain('7');
      expect(stack.instant.requests().map((r) => r.stream)).toEqual([true, false, true, false]);
    });
  });
});

describe('a pool configured with streaming: false (issue 12)', () => {
  let stack: Stack;

  beforeAll(async () => {
    const yaml = join(mkdtempSync(join(tmpdir(), 'tiergate-nostream-')), 'gateway.yaml');
    writeFileSync(yaml, 'pools:\n  instant:\n    streaming: false\n');
    stack = await startStack({ env: { GATEWAY_CONFIG: yaml } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.instant.reset());

  it('sends streamed requests as non-streamed calls and streams the answer', async () => {
    const { res, data, chunks } = await streamRaw(
      stack,
      withSim(chat('hi', { model: 'instant' }), { ...LLAMA, tokens: 3 }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-tier')).toBe('instant');
    expect(data[data.length - 1]).toBe('[DONE]');
    expect(stack.instant.requests().map((r) => r.stream)).toEqual([false]);
    expect(stack.instant.requests()[0].body).not.toHaveProperty('stream_options');
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    const last = chunks[chunks.length - 1];
    expect(last.choices[0].finish_reason).toBe('stop');
    expect(last.timings).toBeDefined();
    expect(chunks.every((c) => c.system_fingerprint === 'b1-sim')).toBe(true);
  });

  it('streams tool calls handed back to the caller from the whole answer', async () => {
    const { chunks } = await streamRaw(
      stack,
      withSim(chat('weather', { model: 'instant', tools: weather }), {
        tool_calls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }],
      }),
    );
    expect(reassemble(chunks)).toEqual([{ name: 'get_weather', arguments: '{"city":"Paris"}' }]);
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('tool_calls');
    expect(stack.instant.requests().map((r) => r.stream)).toEqual([false]);
  });

  it('streams legacy completions from a whole answer too', async () => {
    const res = await fetch(`${stack.url}/v1/completions`, {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify({ model: 'instant', prompt: 'Say hi', stream: true, max_tokens: 3 }),
    });
    const { data } = await readSse(res);
    expect(res.status).toBe(200);
    expect(data[data.length - 1]).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks.map((c) => c.choices[0].text).join('')).toBe(
      (
        await postJson(`${stack.url}/v1/completions`, {
          model: 'instant',
          prompt: 'Say hi',
          max_tokens: 3,
        })
      ).body.choices[0].text,
    );
    expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('length');
    expect(stack.instant.requests().map((r) => r.stream)).toEqual([false, false]);
  });

  it('leaves the other pool streaming', async () => {
    await streamRaw(stack, chat('hi', { model: 'thinking' }));
    expect(stack.thinking.requests().map((r) => r.stream)).toEqual([true]);
  });
});
