import { estimateInputTokens } from './input-tokens';

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
});
