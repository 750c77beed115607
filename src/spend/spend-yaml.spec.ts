import { parseSpendSections } from './spend-yaml';

describe('parseSpendSections: the pricing and budgets sections', () => {
  it('absent sections: USD, no prices, a monthly soft default without an amount', () => {
    const { options, errors } = parseSpendSections({});
    expect(errors).toEqual([]);
    expect(options.pricing).toEqual({
      currency: 'USD',
      tiers: {},
      models: {},
      aliases: {},
      pools: {},
    });
    expect(options.budgets.default).toEqual({ period: 'month', mode: 'soft', warnAt: [0.8, 0.95] });
  });

  it('reads every key', () => {
    const { options, errors } = parseSpendSections(
      {
        pricing: {
          currency: 'EUR',
          tiers: { instant: { input: 0.1, output: '0.4' } },
          models: { 'Qwen/Qwen3-8B': { input: 1, cached_input: 0.1, output: 2, reasoning: 3 } },
          aliases: { 'gpt-4o-mini': { input: 0.15, output: 0.6 } },
          pools: { gpu: { gpu_hour_cost: 2.5, throughput_window: '10m' } },
        },
        budgets: {
          default: { amount: 100, period: 'week', mode: 'hard', warn_at: [0.5] },
          keys: { team: { amount: 5, rolling: '24h' } },
          key_prefix: 'prod:spend:',
        },
      },
      { keyNames: ['team'], aliases: ['gpt-4o-mini'], pools: ['gpu'] },
    );
    expect(errors).toEqual([]);
    expect(options).toEqual({
      pricing: {
        currency: 'EUR',
        tiers: { instant: { input: 0.1, output: 0.4 } },
        models: { 'Qwen/Qwen3-8B': { input: 1, cachedInput: 0.1, output: 2, reasoning: 3 } },
        aliases: { 'gpt-4o-mini': { input: 0.15, output: 0.6 } },
        pools: { gpu: { gpuHourCost: 2.5, throughputWindowMs: 600_000 } },
      },
      budgets: {
        default: { amount: 100, period: 'week', mode: 'hard', warnAt: [0.5] },
        keys: {
          team: {
            amount: 5,
            period: 'rolling',
            rollingMs: 86_400_000,
            mode: 'soft',
            warnAt: [0.8, 0.95],
          },
        },
        keyPrefix: 'prod:spend:',
      },
    });
  });

  it.each<[string, object, string]>([
    ['an unknown key', { pricing: { curency: 'USD' } }, 'pricing.curency: unknown key'],
    [
      'a price without output',
      { pricing: { tiers: { instant: { input: 1 } } } },
      'pricing.tiers.instant.output: must be a number ≥ 0',
    ],
    [
      'a negative price',
      { pricing: { models: { m: { input: -1, output: 1 } } } },
      'pricing.models.m.input: must be a number ≥ 0',
    ],
    [
      'an unknown tier',
      { pricing: { tiers: { fast: { input: 1, output: 1 } } } },
      "pricing.tiers.fast: unknown tier 'fast'",
    ],
    [
      'an unknown alias',
      { pricing: { aliases: { nope: { input: 1, output: 1 } } } },
      "pricing.aliases.nope: unknown alias 'nope'",
    ],
    [
      'an unknown pool',
      { pricing: { pools: { nope: { gpu_hour_cost: 1 } } } },
      "pricing.pools.nope: unknown pool 'nope'",
    ],
    [
      'a bad throughput window',
      { pricing: { pools: { gpu: { gpu_hour_cost: 1, throughput_window: 'soon' } } } },
      'throughput_window: must be a duration',
    ],
    [
      'a budget for no key',
      { budgets: { keys: { ghost: { amount: 1 } } } },
      "budgets.keys.ghost: no key named 'ghost'",
    ],
    [
      'a zero amount',
      { budgets: { default: { amount: 0 } } },
      'budgets.default.amount: must be a number > 0',
    ],
    [
      'period and rolling together',
      { budgets: { default: { period: 'day', rolling: '24h' } } },
      'not both',
    ],
    [
      'an unknown period',
      { budgets: { default: { period: 'year' } } },
      'budgets.default.period: must be day, week or month',
    ],
    [
      'a bad mode',
      { budgets: { default: { mode: 'strict' } } },
      'budgets.default.mode: must be soft or hard',
    ],
    [
      'thresholds out of order',
      { budgets: { default: { warn_at: [0.9, 0.8] } } },
      'warn_at: must be a list of ascending fractions',
    ],
    [
      'a threshold above 1',
      { budgets: { default: { warn_at: [1.5] } } },
      'warn_at: must be a list of ascending fractions',
    ],
  ])('reports %s with its path', (_, sections, message) => {
    const { errors } = parseSpendSections(sections, {
      keyNames: ['team'],
      aliases: ['gpt-4o-mini'],
      pools: ['gpu'],
    });
    expect(errors).toEqual([expect.stringContaining(message)]);
  });
});
