import type { ChatCompletion, ChatCompletionChunk } from '../common/openai';
import type { SseEvent } from '../common/sse';
import { responseUsage, toResponse, type ResponseFrame } from './responses-output.translator';
import { ResponsesStreamTranslator } from './responses-stream.translator';
import type { ResponsesRequest } from './responses.types';

const frame = (request: Partial<ResponsesRequest> = {}): ResponseFrame => ({
  id: 'resp_1',
  createdAt: 1_700_000_000,
  request: { model: 'instant', input: 'hi', ...request },
});

const usage = {
  prompt_tokens: 10,
  completion_tokens: 7,
  total_tokens: 17,
  prompt_tokens_details: { cached_tokens: 4 },
  completion_tokens_details: { reasoning_tokens: 3 },
};

function completion(message: Record<string, unknown>, finish = 'stop'): ChatCompletion {
  return {
    id: 'c',
    object: 'chat.completion',
    created: 1,
    model: 'sim',
    choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finish }],
    usage,
  };
}

describe('toResponse: a chat completion → a response object', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['text only', { content: 'hello' }, ['message']],
    [
      'reasoning, then text',
      { content: 'hello', reasoning_content: 'because' },
      ['reasoning', 'message'],
    ],
    [
      'tool calls only',
      {
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
      ['function_call'],
    ],
    [
      'text and two tool calls',
      {
        content: 'calling',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
          { id: 'c2', type: 'function', function: { name: 'g', arguments: '{}' } },
        ],
      },
      ['message', 'function_call', 'function_call'],
    ],
    ['an empty answer is one empty message', { content: '' }, ['message']],
  ])('%s', (_case, message, types) => {
    const response = toResponse(completion(message), frame());
    expect(response.output.map((item) => item.type)).toEqual(types);
    expect(response).toMatchObject({ id: 'resp_1', object: 'response', status: 'completed' });
  });

  it('keeps reasoning out of the text and calls as items with their ids', () => {
    const response = toResponse(
      completion({
        content: 'the answer',
        reasoning_content: 'thinking it over',
        tool_calls: [
          { id: 'call_7', type: 'function', function: { name: 'f', arguments: '{"x":2}' } },
        ],
      }),
      frame(),
    );
    expect(response.output[0]).toMatchObject({
      type: 'reasoning',
      id: expect.stringMatching(/^rs_/),
      summary: [],
      content: [{ type: 'reasoning_text', text: 'thinking it over' }],
    });
    expect(response.output[1]).toMatchObject({
      type: 'message',
      id: expect.stringMatching(/^msg_/),
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: 'the answer', annotations: [] }],
    });
    expect(response.output[2]).toEqual({
      type: 'function_call',
      id: expect.stringMatching(/^fc_/),
      call_id: 'call_7',
      name: 'f',
      arguments: '{"x":2}',
      status: 'completed',
    });
  });

  it.each([
    ['stop', 'completed', null],
    ['tool_calls', 'completed', null],
    ['length', 'incomplete', { reason: 'max_output_tokens' }],
    ['content_filter', 'incomplete', { reason: 'content_filter' }],
  ])('finish_reason %s → status %s', (finish, status, details) => {
    const response = toResponse(completion({ content: 'x' }, finish), frame());
    expect(response.status).toBe(status);
    expect(response.incomplete_details).toEqual(details);
  });

  it('echoes the request: instructions, metadata, tools, tool_choice, text.format, store, previous id', () => {
    const tools = [{ type: 'function' as const, name: 'f' }];
    const response = toResponse(
      completion({ content: 'x' }),
      frame({
        instructions: 'Be brief.',
        metadata: { a: 'b' },
        tools,
        tool_choice: 'required',
        text: { format: { type: 'json_object' } },
        store: false,
        previous_response_id: 'resp_0',
        max_output_tokens: 5,
        temperature: 0.2,
        reasoning: { effort: 'high' },
      }),
    );
    expect(response).toMatchObject({
      instructions: 'Be brief.',
      metadata: { a: 'b' },
      tools,
      tool_choice: 'required',
      text: { format: { type: 'json_object' } },
      store: false,
      previous_response_id: 'resp_0',
      max_output_tokens: 5,
      temperature: 0.2,
      reasoning: { effort: 'high', summary: null },
      model: 'sim',
      created_at: 1_700_000_000,
    });
  });

  it('usage: input, cached, output and reasoning tokens', () => {
    expect(responseUsage(usage)).toEqual({
      input_tokens: 10,
      input_tokens_details: { cached_tokens: 4 },
      output_tokens: 7,
      output_tokens_details: { reasoning_tokens: 3 },
      total_tokens: 17,
    });
    expect(responseUsage({ prompt_tokens: 2, completion_tokens: 1 } as never)).toMatchObject({
      total_tokens: 3,
      input_tokens_details: { cached_tokens: 0 },
    });
    expect(responseUsage(null)).toBeNull();
  });
});

function chunk(delta: Record<string, unknown>, finish: string | null = null): ChatCompletionChunk {
  return {
    id: 'c',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'sim',
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
}

const usageChunk: ChatCompletionChunk = {
  id: 'c',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'sim',
  choices: [],
  usage,
};

const parsed = (events: SseEvent[]) =>
  events.map((e) => {
    const data = JSON.parse(e.data) as { type: string; sequence_number: number };
    expect(data.type).toBe(e.event);
    return data;
  });

function run(chunks: ChatCompletionChunk[]) {
  const translator = new ResponsesStreamTranslator(frame());
  const events = chunks.flatMap((c) => translator.push(c));
  const end = translator.finish();
  return { events: parsed([...events, ...end.events]), response: end.response };
}

describe('ResponsesStreamTranslator: chat chunks → Responses events', () => {
  it('text: created, in_progress, item and part added, deltas, done events, completed', () => {
    const { events, response } = run([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Hel' }),
      chunk({ content: 'lo' }),
      chunk({}, 'stop'),
      usageChunk,
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events[6]).toMatchObject({ text: 'Hello', output_index: 0, content_index: 0 });
    expect(events[9]).toMatchObject({
      response: { status: 'completed', usage: { input_tokens: 10, output_tokens: 7 } },
    });
    expect(response.output).toEqual([
      expect.objectContaining({
        type: 'message',
        status: 'completed',
        content: [{ type: 'output_text', text: 'Hello', annotations: [], logprobs: [] }],
      }),
    ]);
  });

  it('reasoning: its own item with reasoning_text events, closed before the text starts', () => {
    const { events, response } = run([
      chunk({ reasoning_content: 'think' }),
      chunk({ reasoning_content: 'ing' }),
      chunk({ content: 'answer' }),
      chunk({}, 'stop'),
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.reasoning_text.delta',
      'response.reasoning_text.delta',
      'response.reasoning_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events[6]).toMatchObject({ text: 'thinking', output_index: 0 });
    expect(events[11]).toMatchObject({ delta: 'answer', output_index: 1 });
    expect(response.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(response.output[0]).toMatchObject({
      content: [{ type: 'reasoning_text', text: 'thinking' }],
    });
  });

  it('tool calls: one function_call item per call, arguments deltas and done', () => {
    const { events, response } = run([
      chunk({
        tool_calls: [
          { index: 0, id: 'c1', type: 'function', function: { name: 'f', arguments: '' } },
        ],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'c2', function: { name: 'g', arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events[2]).toMatchObject({
      item: {
        type: 'function_call',
        call_id: 'c1',
        name: 'f',
        arguments: '',
        status: 'in_progress',
      },
    });
    expect(events[5]).toMatchObject({ arguments: '{"a":1}', name: 'f' });
    expect(response.output).toEqual([
      expect.objectContaining({ call_id: 'c1', arguments: '{"a":1}', status: 'completed' }),
      expect.objectContaining({ call_id: 'c2', name: 'g', arguments: '{}', status: 'completed' }),
    ]);
  });

  it('a cut answer (length) ends with response.incomplete and incomplete items', () => {
    const { events, response } = run([chunk({ content: 'par' }), chunk({}, 'length')]);
    expect(events.at(-1)).toMatchObject({
      type: 'response.incomplete',
      response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } },
    });
    expect(response.output[0]).toMatchObject({ status: 'incomplete' });
  });

  it('an empty stream is one empty message', () => {
    const { events } = run([chunk({ role: 'assistant' }), chunk({}, 'stop')]);
    expect(events.map((e) => e.type)).toContain('response.output_text.done');
    expect(events.at(-1)!.type).toBe('response.completed');
  });

  it('fail: closes the open item and ends with response.failed carrying the error', () => {
    const translator = new ResponsesStreamTranslator(frame());
    expect(translator.committed).toBe(false);
    translator.push(chunk({ content: 'half' }));
    expect(translator.committed).toBe(true);
    const events = parsed(
      translator.fail({
        error: {
          message: 'upstream went away',
          type: 'api_error',
          param: null,
          code: 'upstream_error',
        },
      }),
    );
    expect(events.map((e) => e.type)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.failed',
    ]);
    expect(events.at(-1)).toMatchObject({
      response: {
        status: 'failed',
        error: { code: 'upstream_error', message: 'upstream went away' },
        output: [expect.objectContaining({ status: 'incomplete' })],
      },
    });
  });
});
