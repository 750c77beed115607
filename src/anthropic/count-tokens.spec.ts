import { estimatePromptTokens } from '../common/tokens';
import type { CountTokensRequest } from './anthropic.types';
import { countInputTokens } from './count-tokens';

describe('countInputTokens', () => {
  it.each<[string, Omit<CountTokensRequest, 'model'>, number]>([
    // 4 per message; four ASCII characters a token.
    ['one message', { messages: [{ role: 'user', content: 'abcdabcd' }] }, 4 + 2],
    [
      'a system prompt as one more message',
      { system: 'abcd', messages: [{ role: 'user', content: 'abcd' }] },
      5 + 5,
    ],
    [
      'an image as a fixed share',
      {
        messages: [
          {
            role: 'user',
            content: [{ type: 'image', source: { type: 'url', url: 'https://x.test/a.png' } }],
          },
        ],
      },
      4 + 256,
    ],
    [
      'a tool call as its name and arguments',
      {
        messages: [
          { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] },
        ],
      },
      4 + 1 + 1,
    ],
    [
      'a tool result as a tool message',
      {
        messages: [
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'abcd' }] },
        ],
      },
      4 + 1,
    ],
  ])('counts %s', (_name, request, tokens) => {
    expect(countInputTokens({ model: 'auto', ...request })).toBe(tokens);
  });

  it('counts tools’ definitions as the chat estimate does', () => {
    const messages = [{ role: 'user' as const, content: 'abcd' }];
    const tool = { name: 'f', input_schema: { type: 'object' } };
    expect(countInputTokens({ model: 'auto', messages, tools: [tool] })).toBe(
      estimatePromptTokens(messages, [
        { type: 'function', function: { name: 'f', parameters: { type: 'object' } } },
      ]),
    );
  });
});
