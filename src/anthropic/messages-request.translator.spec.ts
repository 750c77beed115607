import type { ChatCompletionRequest } from '../common/openai';
import type { MessagesRequest } from './anthropic.types';
import {
  showsThinking,
  thinkingHint,
  toChatMessages,
  toChatRequest,
} from './messages-request.translator';

const base: MessagesRequest = {
  model: 'auto',
  max_tokens: 64,
  messages: [{ role: 'user', content: 'Hello' }],
};

describe('toChatRequest', () => {
  it.each<[string, Partial<MessagesRequest>, Partial<ChatCompletionRequest>]>([
    [
      'the minimal request',
      {},
      { model: 'auto', max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] },
    ],
    ['stream', { stream: true }, { stream: true }],
    ['stop_sequences as stop', { stop_sequences: ['END', '###'] }, { stop: ['END', '###'] }],
    [
      'temperature, top_p, top_k',
      { temperature: 0, top_p: 0.5, top_k: 3 },
      { temperature: 0, top_p: 0.5, top_k: 3 },
    ],
    ['metadata.user_id as user', { metadata: { user_id: 'u-7' } }, { user: 'u-7' }],
    [
      'tools with input_schema as function tools',
      {
        tools: [{ name: 'f', description: 'F', input_schema: { type: 'object', properties: {} } }],
      },
      {
        tools: [
          {
            type: 'function',
            function: {
              name: 'f',
              description: 'F',
              parameters: { type: 'object', properties: {} },
            },
          },
        ],
      },
    ],
    [
      'a name-only tool (a registered tool) as a name-only function',
      { tools: [{ name: 'calculator' }] },
      { tools: [{ type: 'function', function: { name: 'calculator' } }] },
    ],
    [
      'tool_choice auto',
      { tools: [{ name: 'f' }], tool_choice: { type: 'auto' } },
      { tool_choice: 'auto' },
    ],
    [
      'tool_choice any as required',
      { tools: [{ name: 'f' }], tool_choice: { type: 'any' } },
      { tool_choice: 'required' },
    ],
    [
      'tool_choice none',
      { tools: [{ name: 'f' }], tool_choice: { type: 'none' } },
      { tool_choice: 'none' },
    ],
    [
      'tool_choice tool as the named function',
      { tools: [{ name: 'f' }], tool_choice: { type: 'tool', name: 'f' } },
      { tool_choice: { type: 'function', function: { name: 'f' } } },
    ],
    [
      'disable_parallel_tool_use as parallel_tool_calls: false',
      { tools: [{ name: 'f' }], tool_choice: { type: 'auto', disable_parallel_tool_use: true } },
      { tool_choice: 'auto', parallel_tool_calls: false },
    ],
    [
      'thinking enabled as a thinking-tier hint',
      { max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 2048 } },
      { reasoning_effort: 'high', max_tokens: 4096 },
    ],
    [
      'adaptive thinking as a thinking-tier hint',
      { thinking: { type: 'adaptive' } },
      { reasoning_effort: 'medium' },
    ],
  ])('translates %s', (_name, change, expected) => {
    expect(toChatRequest({ ...base, ...change })).toMatchObject(expected);
  });

  it('adds nothing the caller did not ask for', () => {
    expect(toChatRequest({ ...base, thinking: { type: 'disabled' } })).toEqual({
      model: 'auto',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hello' }],
    });
  });
});

describe('toChatMessages', () => {
  it.each<
    [string, Pick<MessagesRequest, 'messages' | 'system'>, ChatCompletionRequest['messages']]
  >([
    [
      'a system string',
      { system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] },
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
    ],
    [
      'system blocks as text parts',
      {
        system: [
          { type: 'text', text: 'A' },
          { type: 'text', text: 'B' },
        ],
        messages: [{ role: 'user', content: 'Hi' }],
      },
      [
        {
          role: 'system',
          content: [
            { type: 'text', text: 'A' },
            { type: 'text', text: 'B' },
          ],
        },
        { role: 'user', content: 'Hi' },
      ],
    ],
    [
      'one system block as a string, and a system message',
      {
        system: [{ type: 'text', text: 'A' }],
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'B' }] },
          { role: 'user', content: 'Hi' },
        ],
      },
      [
        { role: 'system', content: 'A' },
        { role: 'system', content: 'B' },
        { role: 'user', content: 'Hi' },
      ],
    ],
    [
      'one text block as a string',
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] },
      [{ role: 'user', content: 'Hi' }],
    ],
    [
      'base64 and url images as image_url parts',
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Compare' },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBO' } },
              { type: 'image', source: { type: 'url', url: 'https://x.test/a.jpg' } },
            ],
          },
        ],
      },
      [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBO' } },
            { type: 'image_url', image_url: { url: 'https://x.test/a.jpg' } },
          ],
        },
      ],
    ],
    [
      'an assistant turn with thinking, text and tool_use',
      {
        messages: [
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'Need weather.' },
              { type: 'text', text: 'Checking.' },
              { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Oslo' } },
              { type: 'tool_use', id: 'toolu_2', name: 'time', input: {} },
            ],
          },
        ],
      },
      [
        {
          role: 'assistant',
          content: 'Checking.',
          reasoning_content: 'Need weather.',
          tool_calls: [
            {
              id: 'toolu_1',
              type: 'function',
              function: { name: 'weather', arguments: '{"city":"Oslo"}' },
            },
            { id: 'toolu_2', type: 'function', function: { name: 'time', arguments: '{}' } },
          ],
        },
      ],
    ],
    [
      'an assistant turn of tool calls only (content null)',
      {
        messages: [
          { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] },
        ],
      },
      [
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
      ],
    ],
    [
      'tool results (string, blocks, error, empty) as tool messages before the rest of the turn',
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Here you go.' },
              { type: 'tool_result', tool_use_id: 'a', content: 'sunny' },
              {
                type: 'tool_result',
                tool_use_id: 'b',
                content: [
                  { type: 'text', text: 'line 1' },
                  { type: 'text', text: 'line 2' },
                ],
              },
              { type: 'tool_result', tool_use_id: 'c', content: 'boom', is_error: true },
              { type: 'tool_result', tool_use_id: 'd' },
            ],
          },
        ],
      },
      [
        { role: 'tool', tool_call_id: 'a', content: 'sunny' },
        { role: 'tool', tool_call_id: 'b', content: 'line 1\nline 2' },
        { role: 'tool', tool_call_id: 'c', content: '{"error":"boom"}' },
        { role: 'tool', tool_call_id: 'd', content: '' },
        { role: 'user', content: 'Here you go.' },
      ],
    ],
    [
      'a turn of tool results only (no empty user message)',
      {
        messages: [
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: 'ok' }] },
        ],
      },
      [{ role: 'tool', tool_call_id: 'a', content: 'ok' }],
    ],
  ])('translates %s', (_name, request, expected) => {
    expect(toChatMessages({ model: 'auto', ...request })).toEqual(expected);
  });
});

describe('thinking', () => {
  it.each<[MessagesRequest['thinking'], string | undefined, boolean]>([
    [undefined, undefined, true],
    [{ type: 'disabled' }, undefined, true],
    [{ type: 'enabled', budget_tokens: 1024 }, 'high', true],
    [{ type: 'enabled', budget_tokens: 1024, display: 'omitted' }, 'high', false],
    [{ type: 'adaptive', display: 'summarized' }, 'medium', true],
    [{ type: 'adaptive', display: null }, 'medium', true],
  ])('%j hints %s and shows reasoning: %s', (thinking, hint, shown) => {
    expect(thinkingHint(thinking)).toBe(hint);
    expect(showsThinking(thinking)).toBe(shown);
  });
});
