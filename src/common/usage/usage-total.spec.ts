import { chargeableCount, UsageTotal, type ChargedUsage } from './usage-total';

const call = (prompt: number, completion: number, extra: Record<string, unknown> = {}) => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
  ...extra,
});

describe('UsageTotal', () => {
  it.each<[string, unknown[], object | undefined]>([
    ['nothing reported: no usage', [], undefined],
    ['not an object: nothing', [null, undefined, 'usage', 12, [1]], undefined],
    ['one call', [call(10, 2)], { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 }],
    [
      'calls summed',
      [call(10, 2), call(14, 5)],
      { prompt_tokens: 24, completion_tokens: 7, total_tokens: 31 },
    ],
    [
      'reasoning and cached tokens, only from the calls that report them',
      [
        call(10, 2, { completion_tokens_details: { reasoning_tokens: 1 } }),
        call(14, 5, { prompt_tokens_details: { cached_tokens: 8 } }),
        call(3, 4, {
          completion_tokens_details: { reasoning_tokens: 2 },
          prompt_tokens_details: null,
        }),
      ],
      {
        prompt_tokens: 27,
        completion_tokens: 11,
        total_tokens: 38,
        completion_tokens_details: { reasoning_tokens: 3 },
        prompt_tokens_details: { cached_tokens: 8 },
      },
    ],
    [
      'counts that are not numbers add nothing',
      [call(10, 2), { prompt_tokens: '5', completion_tokens: null, total_tokens: undefined }],
      { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
    ],
    [
      'an empty usage object still says usage was reported',
      [{}],
      { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    ],
  ])('%s', (_, calls, expected) => {
    const total = new UsageTotal();
    for (const usage of calls) total.add(usage);
    expect(total.value).toEqual(expected);
    expect(total.reported).toBe(expected !== undefined);
  });
});

describe('UsageTotal.charged (what the key’s accounting charges)', () => {
  it.each<[string, unknown[], ChargedUsage]>([
    ['nothing reported', [], { prompt: 0, completion: 0, reasoning: 0, total: 0 }],
    [
      'a call’s reported total',
      [call(10, 2)],
      { prompt: 10, completion: 2, reasoning: 0, total: 12 },
    ],
    [
      'a call without total_tokens charges prompt + completion',
      [{ prompt_tokens: 5, completion_tokens: 10 }, call(1, 1)],
      { prompt: 6, completion: 11, reasoning: 0, total: 17 },
    ],
    [
      'a zero or odd total_tokens falls back too',
      [{ prompt_tokens: 5, completion_tokens: 10, total_tokens: 0 }],
      { prompt: 5, completion: 10, reasoning: 0, total: 15 },
    ],
    [
      'negative, fractional and absurd counts: 0, floored, capped',
      [
        {
          prompt_tokens: -4,
          completion_tokens: 2.7,
          total_tokens: 1e308,
          completion_tokens_details: { reasoning_tokens: 1.5 },
        },
      ],
      { prompt: 0, completion: 2, reasoning: 1, total: 1e12 },
    ],
  ])('%s', (_, calls, expected) => {
    const total = new UsageTotal();
    for (const usage of calls) total.add(usage);
    expect(total.charged).toEqual(expected);
  });
});

describe('chargeableCount', () => {
  it.each<[unknown, number]>([
    [12, 12],
    [12.9, 12],
    [0, 0],
    [-3, 0],
    [Number.NaN, 0],
    [Number.POSITIVE_INFINITY, 0],
    ['12', 0],
    [1e13, 1e12],
  ])('%p -> %p', (value, expected) => expect(chargeableCount(value)).toBe(expected));
});
