import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module, type DynamicModule } from '@nestjs/common';
import { AppModule } from '../../src/app.module';
import type { GatewayConfig } from '../../src/config';
import { GatewayTool, type ToolContext, type ToolResult } from '../../src/tools';
import {
  authHeaders,
  chat,
  postJson,
  readSse,
  startStack,
  TEST_KEY,
  withSim,
  type Stack,
} from './harness';

function yamlFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tiergate-tools-')), 'gateway.yaml');
  writeFileSync(file, text);
  return file;
}

// ------------------------------------------------------------------ tools only these tests have

/** Throws: a failing tool gives the model an error result, and the request goes on. */
@GatewayTool({ name: 'explode', description: 'Always fails.', parameters: { type: 'object' } })
class ExplodeTool implements GatewayTool {
  execute(): ToolResult {
    throw new Error('the reactor is offline');
  }
}

/** Ignores its signal and never ends: only the call's time limit stops it. */
@GatewayTool({
  name: 'stall',
  description: 'Never finishes.',
  parameters: { type: 'object' },
  timeoutMs: 300,
})
class StallTool implements GatewayTool {
  execute(): Promise<ToolResult> {
    return new Promise(() => undefined);
  }
}

/** Runs until aborted and records the abort, so a test can see that the tool saw it. */
@GatewayTool({ name: 'wait', description: 'Waits for an abort.', parameters: { type: 'object' } })
class WaitTool implements GatewayTool {
  static started = 0;
  static aborts: string[] = [];
  execute(_args: unknown, { signal }: ToolContext): Promise<ToolResult> {
    WaitTool.started++;
    return new Promise((_resolve, reject) => {
      signal.addEventListener('abort', () => {
        WaitTool.aborts.push((signal.reason as Error)?.name ?? String(signal.reason));
        reject(signal.reason);
      });
    });
  }
}

/** Measures a large argument, so the test can tell that it arrived whole. */
@GatewayTool({
  name: 'measure',
  description: 'Measures a blob.',
  parameters: {
    type: 'object',
    properties: { blob: { type: 'string' } },
    required: ['blob'],
    additionalProperties: false,
  },
})
class MeasureTool implements GatewayTool<{ blob: string }> {
  execute({ blob }: { blob: string }): ToolResult {
    return { chars: blob.length, tail: blob.slice(-4) };
  }
}

/** Runs a test's hook: lets a test change the world between two rounds. */
@GatewayTool({ name: 'flip', description: 'Flips a switch.', parameters: { type: 'object' } })
class FlipTool implements GatewayTool {
  static onRun: (() => void) | undefined;
  execute(): ToolResult {
    FlipTool.onRun?.();
    return 'flipped';
  }
}

@Module({ providers: [ExplodeTool, StallTool, WaitTool, MeasureTool, FlipTool] })
class E2eToolsModule {}

// ---------------------------------------------------------------------------------- helpers

const OTHER_KEY = 'tg-other-key-9876543210';

const byName = (...names: string[]) =>
  names.map((name) => ({ type: 'function' as const, function: { name } }));
const WEATHER = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather of a city.',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};
const call = (name: string, args: unknown) => ({ name, arguments: JSON.stringify(args) });

/** The `tool` messages the upstream received in its `n`-th request. */
function toolMessages(stack: Stack, tier: 'instant' | 'thinking', n: number): string[] {
  const body = stack[tier].requests()[n].body as { messages: { role: string; content: string }[] };
  return body.messages.filter((m) => m.role === 'tool').map((m) => m.content);
}

async function streamChat(stack: Stack, body: Record<string, unknown>, signal?: AbortSignal) {
  return fetch(`${stack.url}/v1/chat/completions`, {
    method: 'POST',
    headers: authHeaders(),
    body: JSON.stringify({ ...body, stream: true }),
    signal,
  });
}

const waitUntil = async (predicate: () => boolean, ms = 5000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('server-side tools (docs/api.md §8)', () => {
  let stack: Stack;

  beforeAll(async () => {
    const forRoot = AppModule.forRoot.bind(AppModule);
    jest.spyOn(AppModule, 'forRoot').mockImplementation((config: GatewayConfig): DynamicModule => {
      const app = forRoot(config);
      return { ...app, imports: [...(app.imports ?? []), E2eToolsModule] };
    });
    stack = await startStack({
      env: {
        // run_javascript and memory are off unless switched on (issue 13).
        GATEWAY_CONFIG: yamlFile(
          'tools: { builtin: { run_javascript: { enabled: true }, memory: { enabled: true } } }\n',
        ),
        TOOLS_MAX_ROUNDS: '4',
        TOOLS_TIMEOUT_MS: '5000',
        GATEWAY_API_KEYS: `${TEST_KEY},${OTHER_KEY}`,
        STREAM_HEARTBEAT_MS: '5000',
      },
    });
  });
  afterAll(async () => {
    await stack.close();
    jest.restoreAllMocks();
  });
  beforeEach(() => {
    stack.instant.reset();
    stack.thinking.reset();
  });

  it('GET /v1/tools lists the registered tools as ready-made tools entries', async () => {
    const res = await fetch(`${stack.url}/v1/tools`, { headers: authHeaders() });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      object: string;
      data: {
        type: string;
        function: { name: string; description: string; parameters: { type: string } };
      }[];
    };
    expect(body.object).toBe('list');
    const names = body.data.map((t) => t.function.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'calculator',
        'current_time',
        'run_javascript',
        'memory',
        'explode',
        'measure',
      ]),
    );
    // No search endpoint is configured: web_search is absent.
    expect(names).not.toContain('web_search');
    for (const tool of body.data) {
      expect(tool.type).toBe('function');
      expect(tool.function.description.length).toBeGreaterThan(0);
      expect(tool.function.parameters.type).toBe('object');
    }
    expect((await fetch(`${stack.url}/v1/tools`)).status).toBe(401);
  });

  describe('non-streaming', () => {
    it('runs a single call, answers with the result, reports the rounds and sums usage', async () => {
      const res = await postJson(
        `${stack.url}/v1/chat/completions`,
        withSim(chat('What is 0.1 + 0.2?', { model: 'thinking', tools: byName('calculator') }), {
          tool_calls: [call('calculator', { expression: '0.1 + 0.2' })],
        }),
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('x-gateway-tool-rounds')).toBe('1');
      expect(res.headers.get('x-gateway-tier')).toBe('thinking');
      expect(res.headers.get('x-gateway-route-reason')).toBe('model:thinking');
      expect(res.body.choices[0].message.content).toBe(
        'Tool results: {"expression":"0.1 + 0.2","result":"0.3"}',
      );
      expect(res.body.choices[0].finish_reason).toBe('stop');
      const requests = stack.thinking.requests();
      expect(requests).toHaveLength(2);
      // The name-only entry went upstream completed from the registry.
      const tools = (
        requests[0].body as {
          tools: { function: { description?: string; parameters?: unknown } }[];
        }
      ).tools;
      expect(tools[0].function.description).toMatch(/math expression/);
      expect(tools[0].function.parameters).toMatchObject({
        type: 'object',
        required: ['expression'],
      });
      // Usage is the sum of both rounds: replaying each round's request to the (deterministic)
      // simulator gives the parts.
      let prompt = 0;
      let completion = 0;
      for (const round of requests) {
        const replay = await postJson(`${stack.thinking.url}/chat/completions`, round.body, {
          'content-type': 'application/json',
        });
        prompt += replay.body.usage.prompt_tokens;
        completion += replay.body.usage.completion_tokens;
      }
      expect(res.body.usage).toMatchObject({
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
      });
    });

    it('runs parallel calls and appends their results in order', async () => {
      const res = await postJson(
        `${stack.url}/v1/chat/completions`,
        withSim(chat('two sums', { model: 'thinking', tools: byName('calculator') }), {
          tool_calls: [
            call('calculator', { expression: '2^10' }),
            call('calculator', { expression: '3 * 7' }),
          ],
        }),
      );
      expect(res.headers.get('x-gateway-tool-rounds')).toBe('1');
      expect(toolMessages(stack, 'thinking', 1)).toEqual([
        '{"expression":"2^10","result":"1024"}',
        '{"expression":"3 * 7","result":"21"}',
      ]);
    });

    it('runs several rounds until the model answers in text', async () => {
      const res = await postJson(
        `${stack.url}/v1/chat/completions`,
        withSim(chat('three steps', { model: 'thinking', tools: byName('calculator') }), {
          tool_calls: [call('calculator', { expression: '1 + 1' })],
          tool_rounds: 3,
        }),
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('x-gateway-tool-rounds')).toBe('3');
      expect(stack.thinking.requests()).toHaveLength(4);
      expect(res.body.choices[0].message.content).toMatch(/^Tool results: /);
    });

    it('gives the model an error result for a failing tool; the request succeeds', async () => {
      const res = await postJson(
        `${stack.url}/v1/chat/completions`,
        withSim(chat('try it', { model: 'thinking', tools: byName('explode') }), {
          tool_calls: [call('explode', {})],
        }),
      );
      expect(res.status).toBe(200);
      expect(toolMessages(stack, 'thinking', 1)).toEqual(['{"error":"the reactor is offline"}']);
    });

    it('gives the model an error result for a tool that times out', async () => {
      const started = Date.now();
      const res = await postJson(
        `${stack.url}/v1/chat/completions`,
        withSim(chat('try it', { model: 'thinking', tools: byName('stall') }), {
          tool_calls: [call('stall', {})],
        }),
      );
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(3000);
      expect(toolMessages(stack, 'thinking', 1)).toEqual([
        '{"error":"The tool stall did not finish within 300 ms."}',
      ]);
    });

    it('gives the model the validation errors of invalid arguments', async () => {
      const res = await postJson(
        `${stack.url}/v1/chat/completions`,
        withSim(chat('calc', { model: 'thinking', tools: byName('calculator') }), {
          tool_calls: [call('calculator', { expr: '1+1' })],
        }),
      );
      expect(res.status).toBe(200);
      const [result] = toolMessages(stack, 'thinking', 1);
      expect(JSON.parse(result).error).toMatch(/must have required property 'expression'/);
    });

    it('stops after max_rounds and asks once more with tool_choice none', async () => {
      const res = await postJson(
        `${stack.url}/v1/chat/completions`,
        withSim(chat('loop forever', { model: 'thinking', tools: byName('calculator') }), {
          tool_calls: [call('calculator', { expression: '1' })],
          tool_rounds: 100,
          content: 'Giving up.',
        }),
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('x-gateway-tool-rounds')).toBe('4');
      const requests = stack.thinking.requests().map((r) => r.body as { tool_choice?: unknown });
      expect(requests).toHaveLength(5);
      expect(requests[4].tool_choice).toBe('none');
      // The simulator ignores tool_choice none; calls it still makes are dropped.
      expect(res.body.choices[0].message.tool_calls).toBeUndefined();
      expect(res.body.choices[0].message.content).toBe('Giving up.');
      expect(res.body.choices[0].finish_reason).toBe('stop');
    });

    it('returns calls to client tools as a standard tool_calls answer (official client)', async () => {
      const completion = await stack.client.chat.completions.create(
        withSim(
          {
            model: 'thinking',
            messages: [{ role: 'user' as const, content: 'weather?' }],
            tools: [...byName('calculator'), WEATHER],
          },
          { tool_calls: [call('get_weather', { city: 'Paris' })] },
        ),
      );
      expect(completion.choices[0].finish_reason).toBe('tool_calls');
      const calls = completion.choices[0].message.tool_calls ?? [];
      expect(calls.map((c) => c.type === 'function' && c.function.name)).toEqual(['get_weather']);
      expect(stack.thinking.requests()).toHaveLength(1);
    });

    it('hands a mixed turn back whole, then completes the registered call when the conversation returns', async () => {
      const tools = [...byName('calculator'), WEATHER];
      const first = await stack.client.chat.completions.create(
        withSim(
          {
            model: 'thinking',
            messages: [{ role: 'user' as const, content: 'weather and a sum' }],
            tools,
          },
          {
            tool_calls: [
              call('calculator', { expression: '40 + 2' }),
              call('get_weather', { city: 'Paris' }),
            ],
          },
        ),
      );
      const message = first.choices[0].message;
      expect(first.choices[0].finish_reason).toBe('tool_calls');
      expect(message.tool_calls?.map((c) => c.type === 'function' && c.function.name)).toEqual([
        'calculator',
        'get_weather',
      ]);
      // The caller runs its own tool only and sends the conversation back.
      const weather = message.tool_calls![1];
      const { data: second, response } = await stack.client.chat.completions
        .create({
          model: 'thinking',
          tools,
          messages: [
            { role: 'user', content: 'weather and a sum' },
            { role: 'assistant', content: message.content, tool_calls: message.tool_calls },
            { role: 'tool', tool_call_id: weather.id, content: 'sunny' },
          ],
        })
        .withResponse();
      expect(response.headers.get('x-gateway-tool-rounds')).toBe('1');
      expect(second.choices[0].message.content).toBe(
        'Tool results: sunny; {"expression":"40 + 2","result":"42"}',
      );
      // What went upstream was complete: both calls answered, the caller's result first.
      const upstream = stack.thinking.requests()[1].body as {
        messages: { role: string; tool_call_id?: string }[];
      };
      expect(upstream.messages.filter((m) => m.role === 'tool').map((m) => m.tool_call_id)).toEqual(
        [weather.id, message.tool_calls![0].id],
      );
    });

    it('escalates to thinking after two invalid arguments on instant (escalated:tools)', async () => {
      const res = await postJson(
        `${stack.url}/v1/chat/completions`,
        withSim(chat('calc', { model: 'instant', tools: byName('calculator') }), {
          tool_calls: [call('calculator', { x: 1 }), call('calculator', { y: 2 })],
        }),
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('x-gateway-tier')).toBe('thinking');
      expect(res.headers.get('x-gateway-route-reason')).toBe('escalated:tools');
      expect(stack.instant.requests()).toHaveLength(1);
      expect(stack.thinking.requests()).toHaveLength(1);
      expect(res.body.model).toBe(stack.thinking.model);
      // The thinking tier continued the same conversation.
      expect(toolMessages(stack, 'thinking', 0)).toHaveLength(2);
    });

    it('escalates at half of max_rounds', async () => {
      const res = await postJson(
        `${stack.url}/v1/chat/completions`,
        withSim(chat('calc', { model: 'instant', tools: byName('calculator') }), {
          tool_calls: [call('calculator', { expression: '1 + 1' })],
          tool_rounds: 3,
        }),
      );
      expect(res.headers.get('x-gateway-route-reason')).toBe('escalated:tools');
      expect(res.headers.get('x-gateway-tool-rounds')).toBe('3');
      expect(stack.instant.requests()).toHaveLength(2);
      expect(stack.thinking.requests()).toHaveLength(2);
    });

    it('aborts the running tool and the loop when the caller disconnects', async () => {
      WaitTool.started = 0;
      WaitTool.aborts = [];
      const controller = new AbortController();
      const pending = fetch(`${stack.url}/v1/chat/completions`, {
        method: 'POST',
        headers: authHeaders(),
        body: JSON.stringify(
          withSim(chat('wait', { model: 'thinking', tools: byName('wait') }), {
            tool_calls: [call('wait', {})],
          }),
        ),
        signal: controller.signal,
      }).catch(() => undefined);
      await waitUntil(() => WaitTool.started === 1);
      controller.abort();
      await pending;
      await waitUntil(() => WaitTool.aborts.length === 1);
      expect(WaitTool.aborts).toEqual(['ClientClosedError']);
      expect(stack.thinking.requests()).toHaveLength(1);
    });
  });

  describe('streaming', () => {
    it('consumes intermediate rounds, comments while tools run, and streams the final round', async () => {
      const blob = 'x'.repeat(100 * 1024) + 'é🌍!';
      const res = await streamChat(
        stack,
        withSim(
          chat('measure', {
            model: 'thinking',
            tools: byName('measure'),
            stream_options: { include_usage: true },
          }),
          {
            tool_calls: [call('measure', { blob })],
            tool_args_chunk: 4096,
          },
        ),
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(res.headers.get('x-gateway-tier')).toBe('thinking');
      const { data, comments } = await readSse(res);
      expect(comments).toContain('tool measure running');
      expect(data[data.length - 1]).toBe('[DONE]');
      const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
      const content = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
      expect(content).toBe(`Tool results: {"chars":${blob.length},"tail":"é🌍!"}`);
      expect(chunks.some((c) => c.choices[0]?.delta?.tool_calls)).toBe(false);
      expect(
        chunks
          .flatMap((c) => c.choices.map((ch: { finish_reason: string | null }) => ch.finish_reason))
          .filter(Boolean),
      ).toEqual(['stop']);
      const usage = chunks[chunks.length - 1];
      expect(usage.choices).toEqual([]);
      expect(usage.usage.prompt_tokens).toBeGreaterThan(0);
      // The final round streamed piece by piece ("Tool ", "results: ", …), not as one block.
      expect(chunks.filter((c) => c.choices[0]?.delta?.content).length).toBeGreaterThan(1);
    });

    it('reassembles an argument over 64 KiB that arrives in one delta', async () => {
      const blob = 'y'.repeat(90 * 1024) + 'tail';
      const stream = await stack.client.chat.completions.create(
        withSim(
          {
            model: 'thinking',
            stream: true as const,
            messages: [{ role: 'user' as const, content: 'measure' }],
            tools: byName('measure'),
          },
          { tool_calls: [call('measure', { blob })], tool_args_chunk: 70 * 1024 },
        ),
      );
      let content = '';
      for await (const chunk of stream) content += chunk.choices[0]?.delta?.content ?? '';
      expect(content).toBe(`Tool results: {"chars":${blob.length},"tail":"tail"}`);
    });

    it('streams client tool calls back with the official client', async () => {
      const stream = await stack.client.chat.completions.create(
        withSim(
          {
            model: 'thinking',
            stream: true as const,
            messages: [{ role: 'user' as const, content: 'weather?' }],
            tools: [...byName('calculator'), WEATHER],
          },
          { tool_calls: [call('get_weather', { city: 'Oslo' })] },
        ),
      );
      let args = '';
      let finish: string | null = null;
      for await (const chunk of stream) {
        for (const c of chunk.choices[0]?.delta?.tool_calls ?? [])
          args += c.function?.arguments ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      expect(JSON.parse(args)).toEqual({ city: 'Oslo' });
      expect(finish).toBe('tool_calls');
    });

    it('reports an escalation in-band once the stream is open', async () => {
      const res = await streamChat(
        stack,
        withSim(chat('calc', { model: 'instant', tools: byName('calculator') }), {
          tool_calls: [call('calculator', { x: 1 }), call('calculator', { y: 2 })],
        }),
      );
      const { data, comments } = await readSse(res);
      // The headers went out with the first tool comment, before the escalation.
      expect(res.headers.get('x-gateway-tier')).toBe('instant');
      expect(comments).toContain('route thinking escalated:tools');
      expect(data[data.length - 1]).toBe('[DONE]');
      const models = new Set(data.slice(0, -1).map((d) => JSON.parse(d).model));
      expect(models.has(stack.thinking.model)).toBe(true);
    });

    it('reports an upstream failure after the first tool comment in-band, without [DONE]', async () => {
      FlipTool.onRun = () => stack.thinking.configure({ failRate: 1, failStatus: 400 });
      const res = await streamChat(
        stack,
        withSim(chat('flip', { model: 'thinking', tools: byName('flip') }), {
          tool_calls: [call('flip', {})],
        }),
      );
      FlipTool.onRun = undefined;
      expect(res.status).toBe(200);
      const { data, comments } = await readSse(res);
      expect(comments).toContain('tool flip running');
      expect(data).not.toContain('[DONE]');
      const last = JSON.parse(data[data.length - 1]);
      expect(Object.keys(last)).toEqual(['error']);
      expect(last.error.message).toEqual(expect.any(String));
    });

    it('fails a non-streaming loop with the upstream’s status when a later round fails', async () => {
      FlipTool.onRun = () => stack.thinking.configure({ failRate: 1, failStatus: 400 });
      const res = await postJson(
        `${stack.url}/v1/chat/completions`,
        withSim(chat('flip', { model: 'thinking', tools: byName('flip') }), {
          tool_calls: [call('flip', {})],
        }),
      );
      FlipTool.onRun = undefined;
      expect(res.status).toBe(400);
      expect(Object.keys(res.body)).toEqual(['error']);
    });

    it('aborts the running tool when the caller disconnects during tool execution', async () => {
      WaitTool.started = 0;
      WaitTool.aborts = [];
      const controller = new AbortController();
      const res = await streamChat(
        stack,
        withSim(chat('wait', { model: 'thinking', tools: byName('wait') }), {
          tool_calls: [call('wait', {})],
        }),
        controller.signal,
      );
      const reader = res.body!.getReader();
      let seen = '';
      while (!seen.includes(': tool wait running')) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += new TextDecoder().decode(value);
      }
      expect(WaitTool.started).toBe(1);
      controller.abort();
      await waitUntil(() => WaitTool.aborts.length === 1);
      expect(WaitTool.aborts).toEqual(['ClientClosedError']);
      // No further round went upstream.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(stack.thinking.requests()).toHaveLength(1);
    });
  });

  describe('built-in tools through the loop', () => {
    it('current_time answers in the requested zone', async () => {
      const res = await postJson(
        `${stack.url}/v1/chat/completions`,
        withSim(chat('time?', { model: 'thinking', tools: byName('current_time') }), {
          tool_calls: [call('current_time', { timezone: 'Asia/Tokyo' })],
        }),
      );
      const [result] = toolMessages(stack, 'thinking', 1);
      expect(JSON.parse(result)).toMatchObject({ timezone: 'Asia/Tokyo', utc_offset: '+09:00' });
      expect(res.status).toBe(200);
    });

    it('run_javascript runs code in the sandbox and refuses escapes', async () => {
      await postJson(
        `${stack.url}/v1/chat/completions`,
        withSim(chat('run', { model: 'thinking', tools: byName('run_javascript') }), {
          tool_calls: [
            call('run_javascript', { code: 'console.log("hi"); [1,2,3].map((x) => x * 2)' }),
            call('run_javascript', { code: 'require("child_process").execSync("id")' }),
          ],
        }),
      );
      const [ok, escape] = toolMessages(stack, 'thinking', 1).map((r) => JSON.parse(r));
      expect(ok).toEqual({ result: [2, 4, 6], console: 'hi' });
      expect(escape.error).toMatch(/ReferenceError: .*require/);
    });

    it('memory notes belong to the calling API key', async () => {
      const remember = withSim(chat('remember', { model: 'thinking', tools: byName('memory') }), {
        tool_calls: [call('memory', { action: 'remember', note: 'codename Bluebird' })],
      });
      const recall = withSim(chat('recall', { model: 'thinking', tools: byName('memory') }), {
        tool_calls: [call('memory', { action: 'recall', query: 'codename' })],
      });
      await postJson(`${stack.url}/v1/chat/completions`, remember);
      const mine = await postJson(`${stack.url}/v1/chat/completions`, recall);
      expect(mine.body.choices[0].message.content).toContain('codename Bluebird');
      const other = await postJson(`${stack.url}/v1/chat/completions`, recall, {
        ...authHeaders(),
        authorization: `Bearer ${OTHER_KEY}`,
      });
      expect(other.body.choices[0].message.content).toBe('Tool results: {"notes":[],"total":0}');
    });
  });

  it('leaves requests without a registered tool on the pass-through path', async () => {
    const res = await postJson(
      `${stack.url}/v1/chat/completions`,
      withSim(chat('weather?', { model: 'thinking', tools: [WEATHER] }), {
        tool_calls: [call('get_weather', { city: 'Rome' })],
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-gateway-tool-rounds')).toBeNull();
    expect(res.body.choices[0].finish_reason).toBe('tool_calls');
  });

  it('refuses n > 1 together with server-side tools', async () => {
    const res = await postJson(
      `${stack.url}/v1/chat/completions`,
      chat('x', { model: 'thinking', n: 2, tools: byName('calculator') }),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe('n');
  });
});
