import { GatewayException } from '../common/errors';
import type { ChatCompletionRequest } from '../common/openai';
import { validateResponsesRequest, paramOf } from './responses-request.schema';
import { inputItems, toChatRequest } from './responses-request.translator';
import type { InputItem, ResponsesRequest } from './responses.types';

const translate = (body: Record<string, unknown>, history?: InputItem[]): ChatCompletionRequest =>
  toChatRequest(validateResponsesRequest({ model: 'instant', ...body }), history);

function refusal(run: () => unknown): GatewayException {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayException);
    return error as GatewayException;
  }
  throw new Error('expected a GatewayException');
}

describe('toChatRequest: Responses input items → chat messages', () => {
  it.each<[string, unknown, ChatCompletionRequest['messages']]>([
    ['a string input is one user message', 'hi', [{ role: 'user', content: 'hi' }]],
    [
      'a message with a string content',
      [{ role: 'developer', content: 'rules' }],
      [{ role: 'developer', content: 'rules' }],
    ],
    [
      'input_text and output_text parts are text parts',
      [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'a' }] },
        { role: 'assistant', content: [{ type: 'output_text', text: 'b', annotations: [] }] },
      ],
      [
        { role: 'user', content: [{ type: 'text', text: 'a' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'b' }] },
      ],
    ],
    [
      'a refusal part is its text',
      [{ role: 'assistant', content: [{ type: 'refusal', refusal: 'no' }] }],
      [{ role: 'assistant', content: [{ type: 'text', text: 'no' }] }],
    ],
    [
      'an input_image with a URL is an image_url part (detail kept)',
      [
        {
          role: 'user',
          content: [{ type: 'input_image', image_url: 'data:image/png;base64,AA', detail: 'high' }],
        },
      ],
      [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AA', detail: 'high' } },
          ],
        },
      ],
    ],
    [
      'consecutive function_call items are one assistant turn; outputs are tool messages',
      [
        { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{"a":1}' },
        { type: 'function_call', call_id: 'c2', name: 'g', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'one' },
        {
          type: 'function_call_output',
          call_id: 'c2',
          output: [{ type: 'input_text', text: 'two' }],
        },
      ],
      [
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } },
            { id: 'c2', type: 'function', function: { name: 'g', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'one' },
        { role: 'tool', tool_call_id: 'c2', content: 'two' },
      ],
    ],
    [
      'reasoning items are not sent back upstream',
      [
        { type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: 'hmm' }] },
        { role: 'user', content: 'next' },
      ],
      [{ role: 'user', content: 'next' }],
    ],
  ])('%s', (_case, input, messages) => {
    expect(translate({ input }).messages).toEqual(messages);
  });

  it('instructions come first, then the stored history, then the input', () => {
    const history: InputItem[] = [
      { role: 'user', content: 'earlier' },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'reply' }] },
    ];
    expect(translate({ instructions: 'Be brief.', input: 'now' }, history).messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'earlier' },
      { role: 'assistant', content: [{ type: 'text', text: 'reply' }] },
      { role: 'user', content: 'now' },
    ]);
  });

  it.each<[string, unknown, string, RegExp]>([
    ['an item_reference', [{ type: 'item_reference', id: 'x' }], 'input[0].type', /item_reference/],
    [
      'a hosted tool call item',
      [{ type: 'web_search_call', id: 'x' }],
      'input[0].type',
      /web_search_call/,
    ],
    [
      'an input_file part',
      [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }],
      'input[0].content[0].type',
      /input_file/,
    ],
    [
      'an input_audio part',
      [{ role: 'user', content: [{ type: 'input_audio' }] }],
      'input[0].content[0].type',
      /input_audio/,
    ],
    [
      'an image by file_id',
      [{ role: 'user', content: [{ type: 'input_image', file_id: 'f' }] }],
      'input[0].content[0].image_url',
      /file_id/,
    ],
    ['a message without content', [{ role: 'user' }], 'input[0]', /role.*content/],
    [
      'a function_call without call_id',
      [{ type: 'function_call', name: 'f', arguments: '{}' }],
      'input[0]',
      /call_id/,
    ],
    [
      'a function_call_output without output',
      [{ type: 'function_call_output', call_id: 'c' }],
      'input[0]',
      /output/,
    ],
    ['no input at all', [], 'input', /at least one/],
  ])('refuses %s with a 400 naming the item', (_case, input, param, message) => {
    const error = refusal(() => translate({ input }));
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
  });
});

describe('toChatRequest: request fields → chat fields', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    [
      'max_output_tokens → max_completion_tokens',
      { max_output_tokens: 9 },
      { max_completion_tokens: 9 },
    ],
    ['temperature and top_p', { temperature: 0.5, top_p: 0.8 }, { temperature: 0.5, top_p: 0.8 }],
    ['parallel_tool_calls', { parallel_tool_calls: false }, { parallel_tool_calls: false }],
    [
      'reasoning.effort → reasoning_effort',
      { reasoning: { effort: 'high' } },
      { reasoning_effort: 'high' },
    ],
    [
      'text.format json_object',
      { text: { format: { type: 'json_object' } } },
      { response_format: { type: 'json_object' } },
    ],
    [
      'text.format json_schema',
      {
        text: {
          format: {
            type: 'json_schema',
            name: 'n',
            schema: { type: 'object' },
            description: 'd',
            strict: true,
          },
        },
      },
      {
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'n', schema: { type: 'object' }, description: 'd', strict: true },
        },
      },
    ],
    ['user', { user: 'u-1' }, { user: 'u-1' }],
    ['stream', { stream: true }, { stream: true }],
    [
      'an unknown (vLLM) field passes through',
      { top_k: 5, x_sim: { a: 1 } },
      { top_k: 5, x_sim: { a: 1 } },
    ],
    [
      'a function tool',
      {
        tools: [
          {
            type: 'function',
            name: 'f',
            description: 'd',
            parameters: { type: 'object' },
            strict: true,
          },
        ],
      },
      {
        tools: [
          {
            type: 'function',
            function: { name: 'f', description: 'd', parameters: { type: 'object' }, strict: true },
          },
        ],
      },
    ],
    [
      'a registered tool by name only',
      { tools: [{ type: 'function', name: 'calculator' }] },
      { tools: [{ type: 'function', function: { name: 'calculator' } }] },
    ],
    ['tool_choice string', { tool_choice: 'required' }, { tool_choice: 'required' }],
    [
      'tool_choice function',
      { tool_choice: { type: 'function', name: 'f' } },
      { tool_choice: { type: 'function', function: { name: 'f' } } },
    ],
  ])('%s', (_case, fields, expected) => {
    expect(translate({ input: 'hi', ...fields })).toMatchObject(expected);
  });

  it.each([
    ['text.format text', { text: { format: { type: 'text' } } }, 'response_format'],
    ['metadata', { metadata: { a: 'b' } }, 'metadata'],
    ['store', { store: true }, 'store'],
    ['previous_response_id', { previous_response_id: 'resp_1' }, 'previous_response_id'],
    ['instructions', { instructions: 'x' }, 'instructions'],
    ['prompt_cache_key', { prompt_cache_key: 'k' }, 'prompt_cache_key'],
  ])('%s does not reach the upstream as a field', (_case, fields, absent) => {
    expect(translate({ input: 'hi', ...fields })).not.toHaveProperty(absent);
  });

  it.each([
    ['web_search_preview'],
    ['file_search'],
    ['computer_use_preview'],
    ['code_interpreter'],
    ['image_generation'],
    ['mcp'],
  ])('a hosted %s tool is a 400 saying it runs on OpenAI only', (type) => {
    const error = refusal(() => translate({ input: 'hi', tools: [{ type }] }));
    expect(error.param).toBe('tools[0].type');
    expect(error.message).toContain(type);
  });

  it('a hosted tool_choice is a 400', () => {
    const error = refusal(() => translate({ input: 'hi', tool_choice: { type: 'file_search' } }));
    expect(error.param).toBe('tool_choice');
  });

  it('inputItems: a string is one user message; absent is none', () => {
    expect(inputItems({ input: 'x' } as ResponsesRequest)).toEqual([
      { type: 'message', role: 'user', content: 'x' },
    ]);
    expect(inputItems({} as ResponsesRequest)).toEqual([]);
  });
});

describe('validateResponsesRequest: the edge', () => {
  it.each<[string, unknown, string | null, RegExp]>([
    ['a body that is not an object', [1], null, /object/],
    ['background', { background: true }, 'background', /background/],
    ['conversation', { conversation: 'c' }, 'conversation', /conversation/],
    ['prompt templates', { prompt: { id: 'p' } }, 'prompt', /prompt/],
    ['max_tool_calls', { max_tool_calls: 3 }, 'max_tool_calls', /max_tool_calls/],
    ['top_logprobs', { top_logprobs: 2 }, 'top_logprobs', /top_logprobs/],
    ["chat's messages", { messages: [] }, 'messages', /input/],
    ['include', { include: ['file_search_call.results'] }, 'include', /include/],
    ['truncation auto', { truncation: 'auto' }, 'truncation', /truncation/],
    ['service_tier flex', { service_tier: 'flex' }, 'service_tier', /service_tier/],
    ['text.verbosity', { text: { verbosity: 'low' } }, 'text.verbosity', /verbosity/],
    ['a temperature out of range', { temperature: 3 }, 'temperature', /temperature/],
    ['a non-integer max_output_tokens', { max_output_tokens: 1.5 }, 'max_output_tokens', /integer/],
    [
      'an unknown effort',
      { reasoning: { effort: 'max' } },
      'reasoning.effort',
      /reasoning\.effort/,
    ],
    ['a number input', { input: 3 }, 'input', /input/],
    ['a bad role', { input: [{ role: 'robot', content: 'x' }] }, 'input[0].role', /role/],
    ['a tool without type', { tools: [{ name: 'f' }] }, 'tools[0]', /type/],
    ['metadata with a number value', { metadata: { a: 1 } }, 'metadata.a', /string/],
    ['store not boolean', { store: 'yes' }, 'store', /boolean/],
  ])('refuses %s (400, param %s)', (_case, body, param, message) => {
    const error = refusal(() => validateResponsesRequest(body));
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
  });

  it('accepts the supported fields and keeps unknown ones', () => {
    const body = {
      model: 'auto',
      input: [{ role: 'user', content: 'hi' }],
      instructions: null,
      tools: [],
      tool_choice: 'auto',
      parallel_tool_calls: true,
      max_output_tokens: 10,
      temperature: 1,
      top_p: 1,
      reasoning: { effort: 'low', summary: 'auto' },
      text: { format: { type: 'text' } },
      metadata: { a: 'b' },
      store: true,
      stream: false,
      previous_response_id: null,
      user: 'u',
      truncation: 'disabled',
      background: false,
      include: [],
      service_tier: 'auto',
      top_k: 3,
    };
    expect(validateResponsesRequest(body)).toBe(body);
  });

  it.each([
    ['', ''],
    ['/input/0/content', 'input[0].content'],
    ['/metadata/a~1b', 'metadata.a/b'],
  ])('paramOf(%j) = %j', (pointer, param) => {
    expect(paramOf(pointer)).toBe(param);
  });
});
