import {
  estimateInputTokens,
  estimateMessageTokens,
  estimatePromptTokens,
  estimateTextTokens,
} from './token-estimate';

describe('estimateTextTokens', () => {
  it.each([
    ['', 0],
    ['abcd', 1],
    ['abcde', 2],
    ['日本語', 3],
    ['ab日本', 3],
  ])('estimates %j as %d tokens', (text, tokens) => {
    expect(estimateTextTokens(text)).toBe(tokens);
  });
});

describe('estimatePromptTokens', () => {
  it('counts message overhead, content parts and tool calls', () => {
    const tokens = estimatePromptTokens([
      { role: 'user', content: [{ type: 'text', text: 'abcdabcd' }] },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
      },
    ]);
    expect(tokens).toBe(4 + 2 + 4 + 1 + 1);
  });

  it('is the sum of its messages’ estimates and its tools’ definitions', () => {
    const messages = [
      { role: 'system' as const, content: 'abcd' },
      { role: 'user' as const, content: 'ééé' },
    ];
    const tool = { type: 'function' as const, function: { name: 'f', parameters: {} } };
    expect(estimatePromptTokens(messages, [tool])).toBe(
      estimateMessageTokens(messages[0]) +
        estimateMessageTokens(messages[1]) +
        estimateTextTokens(JSON.stringify(tool.function)),
    );
  });
});

describe('estimateInputTokens', () => {
  it.each<[string, unknown, number]>([
    ['a string, four ASCII characters a token', 'abcdefgh', 2],
    ['other characters one each', 'ééé', 3],
    ['a list of strings', ['abcd', 'abcd'], 2],
    ['token ids', [1, 2, 3], 3],
    ['lists of token ids', [[1, 2], [3]], 3],
    ['anything else as nothing', { a: 1 }, 0],
  ])('%s', (_name, input, expected) => {
    expect(estimateInputTokens(input)).toBe(expected);
  });

  it('estimates text exactly as the chat estimate does', () => {
    for (const text of ['', 'abcde', '日本語', 'ab日本']) {
      expect(estimateInputTokens(text)).toBe(estimateTextTokens(text));
    }
  });
});
