import { costInNanos, tokensOf, type ModelPrice } from './token-cost';

const PRICE: ModelPrice = {
  input: 3,
  cachedInput: 0.3,
  output: 15,
  reasoning: 20,
  source: 'configured',
};

describe('tokensOf: a call’s usage split into disjoint kinds', () => {
  it.each<[string, unknown, object]>([
    ['not an object', null, { input: 0, cached_input: 0, output: 0, reasoning: 0 }],
    [
      'plain usage',
      { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
      { input: 100, cached_input: 0, output: 20, reasoning: 0 },
    ],
    [
      'cached from prompt_tokens_details, reasoning from completion_tokens_details',
      {
        prompt_tokens: 100,
        completion_tokens: 50,
        prompt_tokens_details: { cached_tokens: 60 },
        completion_tokens_details: { reasoning_tokens: 30 },
      },
      { input: 40, cached_input: 60, output: 20, reasoning: 30 },
    ],
    [
      'details larger than their totals are capped; null details are none',
      {
        prompt_tokens: 10,
        completion_tokens: 5,
        prompt_tokens_details: { cached_tokens: 99 },
        completion_tokens_details: null,
      },
      { input: 0, cached_input: 10, output: 5, reasoning: 0 },
    ],
    [
      'counts that are not sane numbers are 0',
      { prompt_tokens: '10', completion_tokens: -3 },
      { input: 0, cached_input: 0, output: 0, reasoning: 0 },
    ],
  ])('%s', (_, usage, expected) => expect(tokensOf(usage)).toEqual(expected));
});

describe('costInNanos', () => {
  it('prices each kind at its own price, per million tokens, in 1e-9 units', () => {
    const tokens = { input: 40, cached_input: 60, output: 20, reasoning: 30 };
    // 40×3 + 60×0.3 + 20×15 + 30×20 = 120 + 18 + 300 + 600 = 1038 per million = 0.001038
    expect(costInNanos(tokens, PRICE)).toBe(1_038_000);
  });

  it('nothing costs nothing', () => {
    expect(costInNanos({ input: 0, cached_input: 0, output: 0, reasoning: 0 }, PRICE)).toBe(0);
  });
});
