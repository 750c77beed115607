import type { RouteDecision } from '../tier-routing';
import {
  answersNatively,
  chatUsageOf,
  EventIndices,
  fromNative,
  nativeRequest,
} from './native-responses';
import type { ResponseFrame } from './responses-output.translator';
import type { InputItem, ResponsesRequest } from './responses.types';

const routeTo = (responsesApi: 'bridge' | 'native') =>
  ({ pool: { config: { responsesApi } } }) as unknown as RouteDecision;

describe('answersNatively', () => {
  it.each([
    ['native', false, true],
    ['native', true, false],
    ['bridge', false, false],
    ['bridge', true, false],
  ] as const)('pool %s, gateway tools %s → %s', (api, tools, expected) => {
    expect(answersNatively(routeTo(api), tools)).toBe(expected);
  });
});

describe('nativeRequest', () => {
  const history: InputItem[] = [
    { type: 'message', role: 'user', content: 'before' },
    { type: 'message', role: 'assistant', content: 'reply' },
  ];

  it('sets the pool model id, resolves the history into input, stores nothing upstream', () => {
    const body: ResponsesRequest = {
      model: 'instant',
      input: 'now',
      previous_response_id: 'resp_1',
      store: true,
      temperature: 0.2,
      instructions: 'be brief',
    };
    expect(nativeRequest(body, history, 'pool-model')).toEqual({
      model: 'pool-model',
      input: [...history, { type: 'message', role: 'user', content: 'now' }],
      store: false,
      temperature: 0.2,
      instructions: 'be brief',
    });
  });

  it('keeps item input as it is and the stream flag', () => {
    const input: InputItem[] = [{ type: 'function_call_output', call_id: 'c', output: '42' }];
    const request = nativeRequest({ model: 'x', input, stream: true }, [], 'm');
    expect(request.input).toEqual(input);
    expect(request.stream).toBe(true);
  });
});

describe('chatUsageOf', () => {
  it('maps every count', () => {
    expect(
      chatUsageOf({
        input_tokens: 10,
        input_tokens_details: { cached_tokens: 4 },
        output_tokens: 6,
        output_tokens_details: { reasoning_tokens: 2 },
        total_tokens: 16,
      }),
    ).toEqual({
      prompt_tokens: 10,
      completion_tokens: 6,
      total_tokens: 16,
      prompt_tokens_details: { cached_tokens: 4 },
      completion_tokens_details: { reasoning_tokens: 2 },
    });
  });

  it('sums a missing total and zeroes what is absent; no usage is none', () => {
    expect(chatUsageOf({ input_tokens: 3, output_tokens: 4 })).toMatchObject({
      total_tokens: 7,
      prompt_tokens_details: { cached_tokens: 0 },
    });
    expect(chatUsageOf(null)).toBeUndefined();
    expect(chatUsageOf(undefined)).toBeUndefined();
  });
});

describe('fromNative', () => {
  const frame: ResponseFrame = {
    id: 'resp_gateway',
    createdAt: 1700000000,
    request: { model: 'instant', input: 'hi', metadata: { a: '1' }, previous_response_id: 'p' },
  };
  const output = [
    {
      type: 'message',
      id: 'msg_1',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: 'ok', annotations: [] }],
    },
  ];

  it("answers the gateway's id, the pool model id and the caller's fields with the upstream output", () => {
    const response = fromNative(
      {
        id: 'resp_upstream',
        model: '/models/x.gguf',
        status: 'completed',
        output,
        usage: { input_tokens: 2, output_tokens: 1 },
      },
      frame,
      'pool-model',
    );
    expect(response).toMatchObject({
      id: 'resp_gateway',
      object: 'response',
      created_at: 1700000000,
      model: 'pool-model',
      status: 'completed',
      previous_response_id: 'p',
      metadata: { a: '1' },
      output,
      usage: { input_tokens: 2, output_tokens: 1, total_tokens: 3 },
    });
  });

  it('keeps an incomplete status and its reason', () => {
    const response = fromNative(
      { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output: [] },
      frame,
      'm',
    );
    expect(response.status).toBe('incomplete');
    expect(response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(response.usage).toBeNull();
  });

  it('answers an output list when the upstream sent none (llama-server: response.created)', () => {
    expect(fromNative({ status: 'in_progress' }, frame, 'm').output).toEqual([]);
  });
});

describe('EventIndices', () => {
  it('fills in the indices llama-server leaves out', () => {
    const indices = new EventIndices();
    const events = [
      { type: 'response.created', response: {} },
      { type: 'response.output_item.added', item: { id: 'msg_1', type: 'message' } },
      { type: 'response.content_part.added', item_id: 'msg_1', part: {} },
      { type: 'response.output_text.delta', item_id: 'msg_1', delta: 'a' },
      { type: 'response.output_item.added', item: { id: 'fc_1', type: 'function_call' } },
      { type: 'response.function_call_arguments.delta', item_id: 'fc_1', delta: '{' },
    ].map((event) => indices.complete(event));
    expect(events.map((event) => event?.sequence_number)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(events.map((event) => event?.output_index)).toEqual([undefined, 0, 0, 0, 1, 1]);
    expect(events.map((event) => event?.content_index)).toEqual([
      undefined,
      undefined,
      0,
      0,
      undefined,
      undefined,
    ]);
  });

  it('passes an event that has its indices unchanged (no copy)', () => {
    const indices = new EventIndices();
    expect(
      indices.complete({
        type: 'response.output_text.delta',
        sequence_number: 7,
        item_id: 'm',
        output_index: 2,
        content_index: 0,
        delta: 'x',
      }),
    ).toBeUndefined();
    expect(indices.complete({ type: 'response.in_progress', response: {} })?.sequence_number).toBe(
      8,
    );
  });
});
