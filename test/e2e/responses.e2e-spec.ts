import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIError } from 'openai';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import {
  authHeaders,
  expectErrorEnvelope,
  postJson,
  startStack,
  withSim,
  type Stack,
} from './harness';

type ChatBody = {
  model: string;
  messages: { role: string; content: unknown; tool_calls?: unknown; tool_call_id?: string }[];
  [key: string]: unknown;
};

describe('POST /v1/responses: the OpenAI Responses API over the tiers (docs/responses-api.md)', () => {
  let stack: Stack;
  const lastBody = (sim: Stack['instant']): ChatBody => sim.requests().at(-1)!.body as ChatBody;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiergate-responses-'));
    const yaml = join(dir, 'gateway.yaml');
    writeFileSync(yaml, 'aliases:\n  gpt-4o-mini: instant\n  o3-mini: { tier: thinking }\n');
    stack = await startStack({ env: { GATEWAY_CONFIG: yaml } });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.instant.reset();
    stack.thinking.reset();
  });

  describe('responses.create', () => {
    it.each([
      ['instant', 'instant', 'model:instant'],
      ['thinking', 'thinking', 'model:thinking'],
      ['gpt-4o-mini', 'instant', 'alias:gpt-4o-mini'],
      ['o3-mini', 'thinking', 'alias:o3-mini'],
    ])('model %s goes to the %s tier (%s)', async (model, tier, reason) => {
      const { data, response } = await stack.client.responses
        .create({ model, input: 'hello', store: false })
        .withResponse();
      expect(response.headers.get('x-gateway-tier')).toBe(tier);
      expect(response.headers.get('x-gateway-route-reason')).toBe(reason);
      const sim = tier === 'instant' ? stack.instant : stack.thinking;
      expect(sim.requests()).toHaveLength(1);
      expect(lastBody(sim).model).toBe(sim.model);
      expect(data.object).toBe('response');
      expect(data.id).toMatch(/^resp_[0-9a-f]{48}$/);
      expect(data.status).toBe('completed');
      expect(data.output_text.length).toBeGreaterThan(0);
      expect(data.usage!.input_tokens).toBeGreaterThan(0);
      expect(data.usage!.output_tokens).toBeGreaterThan(0);
    });

    it('translates instructions, input items, sampling, limits and text.format to the chat request', async () => {
      await stack.client.responses.create({
        model: 'instant',
        instructions: 'Be brief.',
        input: [
          { role: 'user', content: [{ type: 'input_text', text: 'What is this?' }] },
          {
            role: 'user',
            content: [
              { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'low' },
            ],
          },
        ],
        temperature: 0.3,
        top_p: 0.9,
        max_output_tokens: 50,
        parallel_tool_calls: false,
        text: {
          format: {
            type: 'json_schema',
            name: 'answer',
            schema: { type: 'object', properties: { a: { type: 'string' } } },
            strict: true,
          },
        },
        store: false,
      });
      const body = lastBody(stack.instant);
      expect(body.messages).toEqual([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'What is this?' }] },
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
          ],
        },
      ]);
      expect(body).toMatchObject({
        temperature: 0.3,
        top_p: 0.9,
        max_completion_tokens: 50,
        parallel_tool_calls: false,
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: 'answer',
            schema: { type: 'object', properties: { a: { type: 'string' } } },
            strict: true,
          },
        },
      });
      for (const field of ['input', 'instructions', 'text', 'store', 'max_output_tokens']) {
        expect(body).not.toHaveProperty(field);
      }
    });

    it('reasoning.effort is the routing hint of auto', async () => {
      const { response } = await stack.client.responses
        .create({ model: 'auto', input: 'hi', reasoning: { effort: 'high' }, store: false })
        .withResponse();
      expect(response.headers.get('x-gateway-tier')).toBe('thinking');
      const low = await stack.client.responses
        .create({ model: 'auto', input: 'hi', reasoning: { effort: 'low' }, store: false })
        .withResponse();
      expect(low.response.headers.get('x-gateway-tier')).toBe('instant');
    });

    it("puts the thinking tier's reasoning in a reasoning item, never in the text", async () => {
      const data = await stack.client.responses.create({
        model: 'thinking',
        input: 'think',
        store: false,
      });
      const [reasoning, message] = data.output;
      expect(reasoning.type).toBe('reasoning');
      const reasoningText =
        reasoning.type === 'reasoning' ? (reasoning.content ?? []).map((c) => c.text).join('') : '';
      expect(reasoningText.length).toBeGreaterThan(0);
      expect(message.type).toBe('message');
      expect(data.output_text).not.toContain(reasoningText);
    });

    it('answers a function call as a function_call item, and continues with its output', async () => {
      const tools = [
        {
          type: 'function' as const,
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
          strict: false,
        },
      ];
      const first = await stack.client.responses.create(
        withSim(
          { model: 'instant', input: 'weather?', tools, tool_choice: 'required', store: false },
          { tool_calls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }] },
        ) as never,
      );
      const call = (first as { output: { type: string }[] }).output.find(
        (item) => item.type === 'function_call',
      ) as unknown as { call_id: string; name: string; arguments: string };
      expect(call).toMatchObject({
        call_id: 'call_1',
        name: 'get_weather',
        arguments: '{"city":"Oslo"}',
      });
      expect(lastBody(stack.instant)).toMatchObject({
        tools: [
          {
            type: 'function',
            function: { name: 'get_weather', parameters: tools[0].parameters, strict: false },
          },
        ],
        tool_choice: 'required',
      });
      const second = await stack.client.responses.create({
        model: 'instant',
        tools,
        input: [
          { role: 'user', content: 'weather?' },
          { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{}' },
          { type: 'function_call_output', call_id: 'call_1', output: 'sunny' },
        ],
        store: false,
      });
      expect(second.output_text).toBe('Tool results: sunny');
      expect(lastBody(stack.instant).messages.slice(1)).toEqual([
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
      ]);
    });

    it('runs a registered server-side tool named in tools, as chat does', async () => {
      const { data, response } = await stack.client.responses
        .create(
          withSim(
            {
              model: 'instant',
              input: 'what time is it in UTC?',
              tools: [{ type: 'function', name: 'current_time' }],
              store: false,
            },
            {
              tool_calls: [{ name: 'current_time', arguments: '{"timezone":"UTC"}' }],
              tool_rounds: 1,
            },
          ) as never,
        )
        .withResponse();
      expect(response.headers.get('x-gateway-tool-rounds')).toBe('1');
      expect((data as { output_text: string }).output_text).toContain('Tool results:');
    });
  });

  describe('responses.stream', () => {
    it('sends the Responses event sequence with sequence numbers, and the final response', async () => {
      const stream = stack.client.responses.stream({ model: 'instant', input: 'hi', store: false });
      const events: ResponseStreamEvent[] = [];
      for await (const event of stream) events.push(event);
      const final = await stream.finalResponse();
      const types = events.map((e) => e.type);
      expect(types.slice(0, 4)).toEqual([
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.content_part.added',
      ]);
      expect(types.slice(-4)).toEqual([
        'response.output_text.done',
        'response.content_part.done',
        'response.output_item.done',
        'response.completed',
      ]);
      expect(types.filter((t) => t === 'response.output_text.delta').length).toBeGreaterThan(1);
      expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
      const text = events
        .filter((e) => e.type === 'response.output_text.delta')
        .map((e) => (e as { delta: string }).delta)
        .join('');
      expect(final.output_text).toBe(text);
      expect(final.usage!.output_tokens).toBeGreaterThan(0);
    });

    it('streams reasoning as reasoning_text events of a reasoning item, before the message', async () => {
      const stream = stack.client.responses.stream({
        model: 'thinking',
        input: 'hi',
        store: false,
      });
      const types: string[] = [];
      for await (const event of stream) types.push(event.type);
      const final = await stream.finalResponse();
      expect(types).toContain('response.reasoning_text.delta');
      expect(types.indexOf('response.reasoning_text.done')).toBeLessThan(
        types.indexOf('response.output_text.delta'),
      );
      expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
      expect(final.usage!.output_tokens_details.reasoning_tokens).toBeGreaterThanOrEqual(0);
    });

    it('streams a function call as arguments deltas and done', async () => {
      const stream = stack.client.responses.stream(
        withSim(
          {
            model: 'instant',
            input: 'weather?',
            tools: [{ type: 'function', name: 'get_weather', parameters: {}, strict: false }],
            store: false,
          },
          {
            tool_calls: [{ id: 'call_9', name: 'get_weather', arguments: '{"city":"Bergen"}' }],
            tool_args_chunk: 4,
          },
        ) as never,
      );
      const types: string[] = [];
      for await (const event of stream) types.push(event.type);
      const final = await stream.finalResponse();
      expect(
        types.filter((t) => t === 'response.function_call_arguments.delta').length,
      ).toBeGreaterThan(1);
      expect(types).toContain('response.function_call_arguments.done');
      expect(final.output.at(-1)).toMatchObject({
        type: 'function_call',
        call_id: 'call_9',
        name: 'get_weather',
        arguments: '{"city":"Bergen"}',
        status: 'completed',
      });
    });

    it('ends a stream cut after the first chunk in-band with response.failed', async () => {
      stack.instant.configure({ mode: 'cut', cutAfterChunks: 3 });
      const res = await postJson(`${stack.url}/v1/responses`, {
        model: 'instant',
        input: 'hi',
        stream: true,
        store: false,
      });
      expect(res.status).toBe(200);
      const text = res.body as string;
      expect(text).toContain('event: response.created');
      expect(text).toContain('event: response.failed');
      expect(text).not.toContain('response.completed');
      expect(text).not.toContain('[DONE]');
    });

    it('answers a failure before the first chunk with its status', async () => {
      const res = await postJson(
        `${stack.url}/v1/responses`,
        withSim({ model: 'instant', input: 'hi', stream: true, store: false }, { status: 400 }),
      );
      expect(res.status).toBe(400);
      expectErrorEnvelope(res.body);
    });
  });

  describe('errors (OpenAI envelope)', () => {
    it.each([
      [{ tools: [{ type: 'web_search_preview' }] }, 'tools[0].type', /web_search_preview/],
      [
        { tools: [{ type: 'file_search', vector_store_ids: ['v'] }] },
        'tools[0].type',
        /file_search/,
      ],
      [{ background: true }, 'background', /background/],
      [{ conversation: 'conv_1' }, 'conversation', /conversation/],
      [{ include: ['reasoning.encrypted_content'] }, 'include', /include/],
      [{ truncation: 'auto' }, 'truncation', /truncation/],
      [{ input: [{ type: 'item_reference', id: 'x' }] }, 'input[0].type', /item_reference/],
      [
        { input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] },
        'input[0].content[0].type',
        /input_file/,
      ],
      [
        { input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'f' }] }] },
        'input[0].content[0].image_url',
        /file_id/,
      ],
      [{ temperature: 5 }, 'temperature', /temperature/],
      [{ input: 7 }, 'input', /input/],
      [{ tool_choice: { type: 'web_search_preview' } }, 'tool_choice', /tool_choice/],
    ])('%j is a 400 naming %s', async (fields, param, message) => {
      const res = await postJson(`${stack.url}/v1/responses`, {
        model: 'instant',
        input: 'hi',
        ...fields,
      });
      expect(res.status).toBe(400);
      const body = res.body;
      expectErrorEnvelope(body, 'invalid_request_error');
      expect(body.error.param).toBe(param);
      expect(body.error.message).toMatch(message);
      expect(stack.instant.requests()).toHaveLength(0);
    });

    it('refuses a request without a key (401) through the official client', async () => {
      const res = await fetch(`${stack.url}/v1/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'instant', input: 'hi' }),
      });
      expect(res.status).toBe(401);
      expectErrorEnvelope(await res.json(), 'invalid_request_error', 'invalid_api_key');
    });

    it('an unknown model is a 404 the client raises as APIError', async () => {
      const error = await stack.client.responses
        .create({ model: 'no-such-model', input: 'hi' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(APIError);
      expect((error as APIError).status).toBe(404);
    });
  });

  describe('stored responses', () => {
    it('stores a response, reads it back, continues it and deletes it', async () => {
      const first = await stack.client.responses.create({
        model: 'instant',
        input: 'My name is Ada.',
        metadata: { topic: 'names' },
      });
      const read = await stack.client.responses.retrieve(first.id);
      expect(read.id).toBe(first.id);
      expect(read.output_text).toBe(first.output_text);
      expect(read.metadata).toEqual({ topic: 'names' });
      const items = await stack.client.responses.inputItems.list(first.id);
      expect(items.data).toHaveLength(1);
      expect(items.data[0]).toMatchObject({
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: 'My name is Ada.' }],
      });

      const second = await stack.client.responses.create({
        model: 'instant',
        input: 'What is my name?',
        previous_response_id: first.id,
        instructions: 'Answer.',
      });
      expect(second.previous_response_id).toBe(first.id);
      expect(lastBody(stack.instant).messages).toEqual([
        { role: 'system', content: 'Answer.' },
        // Stored items are listed (and continued) with their text as parts.
        { role: 'user', content: [{ type: 'text', text: 'My name is Ada.' }] },
        { role: 'assistant', content: [{ type: 'text', text: first.output_text }] },
        { role: 'user', content: 'What is my name?' },
      ]);

      const deleted = await fetch(`${stack.url}/v1/responses/${first.id}`, {
        method: 'DELETE',
        headers: { authorization: authHeaders().authorization },
      });
      expect(await deleted.json()).toEqual({ id: first.id, object: 'response', deleted: true });
      const gone = await fetch(`${stack.url}/v1/responses/${first.id}`, { headers: authHeaders() });
      expect(gone.status).toBe(404);
      expectErrorEnvelope(await gone.json(), 'invalid_request_error', 'not_found');
    });

    it('stores a streamed response too; store:false stores nothing', async () => {
      const stream = stack.client.responses.stream({ model: 'instant', input: 'hi' });
      const final = await stream.finalResponse();
      expect((await stack.client.responses.retrieve(final.id)).output_text).toBe(final.output_text);
      const unstored = await stack.client.responses.create({
        model: 'instant',
        input: 'hi',
        store: false,
      });
      const res = await fetch(`${stack.url}/v1/responses/${unstored.id}`, {
        headers: authHeaders(),
      });
      expect(res.status).toBe(404);
    });

    it('a previous_response_id that does not exist is a 404 naming it', async () => {
      const res = await postJson(`${stack.url}/v1/responses`, {
        model: 'instant',
        input: 'hi',
        previous_response_id: 'resp_missing',
      });
      expect(res.status).toBe(404);
      const body = res.body;
      expect(body.error.param).toBe('previous_response_id');
      expect(stack.instant.requests()).toHaveLength(0);
    });
  });
});
