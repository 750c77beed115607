import { ErrorCode, GatewayException } from '../common/errors';
import { validateCountTokensRequest, validateMessagesRequest } from './messages-request.validator';

const base = {
  model: 'auto',
  max_tokens: 64,
  messages: [{ role: 'user', content: 'Hello' }],
};

function failure(
  body: unknown,
  validate: (body: unknown) => unknown = validateMessagesRequest,
): GatewayException {
  try {
    validate(body);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayException);
    return error as GatewayException;
  }
  throw new Error('expected a 400');
}

describe('validateMessagesRequest', () => {
  it('accepts every supported field and block, and types them', () => {
    const body = {
      ...base,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'system', content: 'Extra rule.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look:' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBO' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: '' },
            { type: 'text', text: 'Calling.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Oslo' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' },
            {
              type: 'tool_result',
              tool_use_id: 'toolu_2',
              content: [{ type: 'text', text: 'boom' }],
              is_error: true,
            },
          ],
        },
      ],
      tools: [
        { name: 'get_weather', description: 'Weather', input_schema: { type: 'object' } },
        { name: 'calculator' },
      ],
      tool_choice: { type: 'tool', name: 'get_weather', disable_parallel_tool_use: true },
      stop_sequences: ['END'],
      temperature: 0.5,
      top_p: 0.9,
      top_k: 40,
      stream: true,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      metadata: { user_id: 'u-1' },
      max_tokens: 2048,
    };
    const request = validateMessagesRequest(body);
    expect(request).toMatchObject({
      model: 'auto',
      max_tokens: 2048,
      stop_sequences: ['END'],
      temperature: 0.5,
      top_p: 0.9,
      top_k: 40,
      stream: true,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      metadata: { user_id: 'u-1' },
      tool_choice: { type: 'tool', name: 'get_weather', disable_parallel_tool_use: true },
      tools: [
        { name: 'get_weather', description: 'Weather', input_schema: { type: 'object' } },
        { name: 'calculator' },
      ],
      system: [{ type: 'text', text: 'Be brief.' }],
    });
    expect(request.messages).toHaveLength(4);
    expect(request.messages[2].content).toEqual([
      { type: 'thinking', thinking: 'hmm' },
      { type: 'text', text: 'Calling.' },
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Oslo' } },
    ]);
  });

  it.each<[string, Record<string, unknown>, string, ErrorCode, RegExp]>([
    ['a missing model', { model: undefined }, 'model', ErrorCode.MissingField, /Field required/],
    ['an empty model', { model: '' }, 'model', ErrorCode.InvalidValue, /non-empty/],
    [
      'a missing max_tokens',
      { max_tokens: undefined },
      'max_tokens',
      ErrorCode.MissingField,
      /required/,
    ],
    [
      'max_tokens 0',
      { max_tokens: 0 },
      'max_tokens',
      ErrorCode.InvalidValue,
      /greater than or equal to 1/,
    ],
    [
      'a fractional max_tokens',
      { max_tokens: 1.5 },
      'max_tokens',
      ErrorCode.InvalidValue,
      /integer/,
    ],
    ['missing messages', { messages: undefined }, 'messages', ErrorCode.MissingField, /required/],
    ['no messages', { messages: [] }, 'messages', ErrorCode.InvalidValue, /at least one/],
    [
      'a bad role',
      { messages: [{ role: 'tool', content: 'x' }] },
      'messages[0].role',
      ErrorCode.InvalidValue,
      /'user'/,
    ],
    [
      'a message field of its own',
      { messages: [{ role: 'user', content: 'x', name: 'n' }] },
      'messages[0].name',
      ErrorCode.InvalidValue,
      /Extra inputs/,
    ],
    [
      'content neither string nor list',
      { messages: [{ role: 'user', content: 5 }] },
      'messages[0].content',
      ErrorCode.InvalidValue,
      /array/,
    ],
    [
      'an unknown block',
      { messages: [{ role: 'user', content: [{ type: 'video' }] }] },
      'messages[0].content[0].type',
      ErrorCode.InvalidValue,
      /unknown content block type 'video'/,
    ],
    [
      'a document block',
      { messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] },
      'messages[0].content[0].type',
      ErrorCode.InvalidValue,
      /'document' are not supported/,
    ],
    [
      'redacted thinking',
      { messages: [{ role: 'assistant', content: [{ type: 'redacted_thinking', data: 'x' }] }] },
      'messages[0].content[0].type',
      ErrorCode.InvalidValue,
      /Anthropic-encrypted/,
    ],
    [
      'a tool_use in a user message',
      {
        messages: [
          { role: 'user', content: [{ type: 'tool_use', id: 'a', name: 'b', input: {} }] },
        ],
      },
      'messages[0].content[0].type',
      ErrorCode.InvalidValue,
      /cannot appear in a message with role 'user'/,
    ],
    [
      'a tool_result in an assistant message',
      { messages: [{ role: 'assistant', content: [{ type: 'tool_result', tool_use_id: 'a' }] }] },
      'messages[0].content[0].type',
      ErrorCode.InvalidValue,
      /role 'assistant'/,
    ],
    [
      'an image in a system message',
      {
        messages: [
          {
            role: 'system',
            content: [{ type: 'image', source: { type: 'url', url: 'https://x' } }],
          },
        ],
      },
      'messages[0].content[0].type',
      ErrorCode.InvalidValue,
      /role 'system'/,
    ],
    [
      'text without text',
      { messages: [{ role: 'user', content: [{ type: 'text' }] }] },
      'messages[0].content[0].text',
      ErrorCode.MissingField,
      /required/,
    ],
    [
      'citations on text',
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'a', citations: [{}] }] }] },
      'messages[0].content[0].citations',
      ErrorCode.InvalidValue,
      /not supported/,
    ],
    [
      'an image of another type',
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'base64', media_type: 'image/bmp', data: 'x' } },
            ],
          },
        ],
      },
      'messages[0].content[0].source.media_type',
      ErrorCode.InvalidValue,
      /image\/png/,
    ],
    [
      'an image without data',
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: '' } },
            ],
          },
        ],
      },
      'messages[0].content[0].source.data',
      ErrorCode.InvalidValue,
      /non-empty/,
    ],
    [
      'an image url that is not http',
      {
        messages: [
          {
            role: 'user',
            content: [{ type: 'image', source: { type: 'url', url: 'file:///etc/passwd' } }],
          },
        ],
      },
      'messages[0].content[0].source.url',
      ErrorCode.InvalidValue,
      /http/,
    ],
    [
      'an image from the Files API',
      {
        messages: [
          { role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] },
        ],
      },
      'messages[0].content[0].source.type',
      ErrorCode.InvalidValue,
      /Files API/,
    ],
    [
      'tool_use input not an object',
      {
        messages: [
          { role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'b', input: '{}' }] },
        ],
      },
      'messages[0].content[0].input',
      ErrorCode.InvalidValue,
      /object/,
    ],
    [
      'a tool_result without its id',
      { messages: [{ role: 'user', content: [{ type: 'tool_result', content: 'x' }] }] },
      'messages[0].content[0].tool_use_id',
      ErrorCode.MissingField,
      /required/,
    ],
    [
      'an image inside a tool_result',
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'a', content: [{ type: 'image', source: {} }] },
            ],
          },
        ],
      },
      'messages[0].content[0].content[0].type',
      ErrorCode.InvalidValue,
      /text only/,
    ],
    [
      'is_error not a boolean',
      {
        messages: [
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', is_error: 'yes' }] },
        ],
      },
      'messages[0].content[0].is_error',
      ErrorCode.InvalidValue,
      /boolean/,
    ],
    ['system not text', { system: 5 }, 'system', ErrorCode.InvalidValue, /array/],
    [
      'temperature above 1',
      { temperature: 1.5 },
      'temperature',
      ErrorCode.InvalidValue,
      /between 0 and 1/,
    ],
    ['top_p below 0', { top_p: -0.1 }, 'top_p', ErrorCode.InvalidValue, /between 0 and 1/],
    [
      'a negative top_k',
      { top_k: -1 },
      'top_k',
      ErrorCode.InvalidValue,
      /greater than or equal to 0/,
    ],
    [
      'stop_sequences not a list',
      { stop_sequences: 'END' },
      'stop_sequences',
      ErrorCode.InvalidValue,
      /array/,
    ],
    [
      'an empty stop sequence',
      { stop_sequences: [''] },
      'stop_sequences[0]',
      ErrorCode.InvalidValue,
      /non-empty/,
    ],
    ['stream not a boolean', { stream: 'yes' }, 'stream', ErrorCode.InvalidValue, /boolean/],
    [
      'a hosted server tool',
      { tools: [{ type: 'web_search_20250305', name: 'web_search' }] },
      'tools[0].type',
      ErrorCode.InvalidValue,
      /Anthropic-hosted/,
    ],
    [
      'a tool without a name',
      { tools: [{ input_schema: { type: 'object' } }] },
      'tools[0].name',
      ErrorCode.MissingField,
      /required/,
    ],
    [
      'a tool name with spaces',
      { tools: [{ name: 'get weather' }] },
      'tools[0].name',
      ErrorCode.InvalidValue,
      /letters, digits/,
    ],
    [
      'an input_schema that is not an object schema',
      { tools: [{ name: 'f', input_schema: { type: 'array' } }] },
      'tools[0].input_schema.type',
      ErrorCode.InvalidValue,
      /'object'/,
    ],
    [
      'a strict tool',
      { tools: [{ name: 'f', input_schema: { type: 'object' }, strict: true }] },
      'tools[0].strict',
      ErrorCode.InvalidValue,
      /not supported/,
    ],
    [
      'tool_choice without tools',
      { tool_choice: { type: 'any' } },
      'tool_choice',
      ErrorCode.InvalidValue,
      /requires 'tools'/,
    ],
    [
      'tool_choice of an unknown type',
      { tools: [{ name: 'f' }], tool_choice: { type: 'required' } },
      'tool_choice.type',
      ErrorCode.InvalidValue,
      /'auto'/,
    ],
    [
      'tool_choice naming no tool',
      { tools: [{ name: 'f' }], tool_choice: { type: 'tool', name: 'g' } },
      'tool_choice.name',
      ErrorCode.InvalidValue,
      /'g' is not the name/,
    ],
    [
      'a thinking type of its own',
      { thinking: { type: 'between_tools' } },
      'thinking.type',
      ErrorCode.InvalidValue,
      /'enabled'/,
    ],
    [
      'thinking without a budget',
      { thinking: { type: 'enabled' } },
      'thinking.budget_tokens',
      ErrorCode.MissingField,
      /required/,
    ],
    [
      'a thinking budget under 1024',
      { thinking: { type: 'enabled', budget_tokens: 100 } },
      'thinking.budget_tokens',
      ErrorCode.InvalidValue,
      /at least 1024/,
    ],
    [
      'a thinking budget not below max_tokens',
      { max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 2000 } },
      'thinking.budget_tokens',
      ErrorCode.InvalidValue,
      /less than max_tokens/,
    ],
    [
      'a thinking display of its own',
      { thinking: { type: 'adaptive', display: 'full' } },
      'thinking.display',
      ErrorCode.InvalidValue,
      /'summarized'/,
    ],
    [
      'metadata beyond user_id',
      { metadata: { user_id: 'u', team: 't' } },
      'metadata.team',
      ErrorCode.InvalidValue,
      /Extra inputs/,
    ],
    [
      'service_tier',
      { service_tier: 'auto' },
      'service_tier',
      ErrorCode.InvalidValue,
      /model instant, thinking or auto/,
    ],
    [
      'mcp_servers',
      { mcp_servers: [] },
      'mcp_servers',
      ErrorCode.InvalidValue,
      /Anthropic's platform/,
    ],
    [
      'output_config',
      { output_config: {} },
      'output_config',
      ErrorCode.InvalidValue,
      /not translated/,
    ],
    [
      'a field of nobody',
      { frequency_penalty: 1 },
      'frequency_penalty',
      ErrorCode.InvalidValue,
      /Extra inputs are not permitted/,
    ],
  ])('refuses %s with a 400 naming it', (_name, change, param, code, message) => {
    const error = failure({ ...base, ...change });
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('refuses a body that is not an object', () => {
    expect(failure([base]).message).toMatch(/object/);
  });

  it('accepts cache_control on blocks, tools and the request, with no effect', () => {
    const request = validateMessagesRequest({
      ...base,
      cache_control: { type: 'ephemeral' },
      tools: [
        { name: 'f', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } },
      ],
      messages: [
        {
          role: 'user',
          content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }],
        },
      ],
    });
    expect(request.tools).toEqual([{ name: 'f', input_schema: { type: 'object' } }]);
    expect(request.messages[0].content).toEqual([{ type: 'text', text: 'hi' }]);
  });
});

describe('validateCountTokensRequest', () => {
  it('accepts the fields that shape the prompt', () => {
    expect(
      validateCountTokensRequest({
        model: 'instant',
        system: 'Be brief.',
        messages: base.messages,
        tools: [{ name: 'f', input_schema: { type: 'object' } }],
      }),
    ).toEqual({
      model: 'instant',
      system: 'Be brief.',
      messages: base.messages,
      tools: [{ name: 'f', input_schema: { type: 'object' } }],
    });
  });

  it.each([['max_tokens'], ['stream'], ['temperature']])(
    'refuses %s, as Anthropic does',
    (field) => {
      const error = failure(
        { model: 'auto', messages: base.messages, [field]: 1 },
        validateCountTokensRequest,
      );
      expect(error.param).toBe(field);
    },
  );
});
