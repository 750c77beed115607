import { PricingService, type PricingCatalog } from './pricing.service';
import type { PricingOptions } from './spend.options';

const CATALOG: PricingCatalog = {
  tiers: {
    instant: { pool: 'small', model: 'qwen-8b' },
    thinking: { pool: 'big', model: 'qwen-72b' },
    embeddings: { pool: 'embed', model: 'bge' },
  },
  aliases: { 'gpt-4o-mini': 'instant', smart: 'thinking' },
  replicas: { small: 2, big: 4, embed: 1 },
};

const options = (partial: Partial<PricingOptions>): PricingOptions => ({
  currency: 'USD',
  tiers: {},
  models: {},
  aliases: {},
  pools: {},
  ...partial,
});

describe('PricingService: which price applies to a call', () => {
  const pricing = new PricingService(
    options({
      tiers: { instant: { input: 1, output: 2 } },
      models: { 'qwen-72b': { input: 5, cachedInput: 1, output: 10, reasoning: 12 } },
      aliases: { 'gpt-4o-mini': { input: 0.15, output: 0.6 }, smart: { input: 7, output: 14 } },
    }),
    CATALOG,
  );

  it.each<[string, string | undefined, string, string, object | undefined]>([
    [
      'the tier’s price; cached defaults to input, reasoning to output',
      'auto',
      'instant',
      'qwen-8b',
      { input: 1, cachedInput: 1, output: 2, reasoning: 2, source: 'configured' },
    ],
    [
      'the pool model id’s price when the tier has none',
      'auto',
      'thinking',
      'qwen-72b',
      { input: 5, cachedInput: 1, output: 10, reasoning: 12, source: 'configured' },
    ],
    [
      'an alias overrides on its own tier',
      'gpt-4o-mini',
      'instant',
      'qwen-8b',
      { input: 0.15, cachedInput: 0.15, output: 0.6, reasoning: 0.6, source: 'configured' },
    ],
    [
      'an alias does not apply where its request was moved to another tier',
      'gpt-4o-mini',
      'thinking',
      'qwen-72b',
      { input: 5, cachedInput: 1, output: 10, reasoning: 12, source: 'configured' },
    ],
    ['unpriced: nothing applies', 'auto', '', 'bge', undefined],
  ])('%s', (_, requested, tier, model, expected) => {
    expect(pricing.priceForCall(requested, tier, model)).toEqual(expected);
  });

  it('priceOf(pool, model): the registry’s view, aliases aside', () => {
    expect(pricing.priceOf('small', 'qwen-8b')?.input).toBe(1);
    expect(pricing.priceOf('big', 'qwen-72b')?.input).toBe(5);
    expect(pricing.priceOf('other', 'qwen-72b')?.input).toBe(5);
    expect(pricing.priceOf('embed', 'bge')).toBeUndefined();
  });

  it('worstCase: the highest price of each kind over the tiers a request may reach', () => {
    expect(pricing.worstCase('auto', ['instant', 'thinking'])).toMatchObject({
      input: 5,
      cachedInput: 1,
      output: 10,
      reasoning: 12,
    });
    expect(pricing.worstCase('smart', ['instant', 'thinking'])).toMatchObject({
      input: 7,
      output: 14,
      reasoning: 14,
    });
    expect(pricing.worstCase(undefined, ['embeddings'])).toBeUndefined();
  });

  it('is enabled only when some price is configured', () => {
    expect(pricing.enabled).toBe(true);
    expect(new PricingService(options({}), CATALOG).enabled).toBe(false);
  });
});

describe('PricingService: GPU-hour pools', () => {
  it('turns the cost per replica-hour into a price from the throughput measured over the window', () => {
    let now = 1_000_000;
    const pricing = new PricingService(
      options({ pools: { small: { gpuHourCost: 3.6, throughputWindowMs: 100_000 } } }),
      CATALOG,
      () => now,
    );
    expect(pricing.priceForCall('auto', 'instant', 'qwen-8b')).toBeUndefined();
    // 2 replicas × 3.6 / 3600 = 0.002 per second; 50 000 tokens over a 100 s window = 500 tokens/s.
    pricing.recordThroughput('instant', 20_000);
    now += 30_000;
    pricing.recordThroughput('instant', 30_000);
    const price = pricing.priceForCall('auto', 'instant', 'qwen-8b');
    // 0.002 / 500 per token = 4e-6 = 4 per million, every kind alike.
    expect(price).toEqual({
      input: 4,
      cachedInput: 4,
      output: 4,
      reasoning: 4,
      source: 'gpu_hour',
    });
    expect(pricing.priceOf('small', 'qwen-8b')).toEqual(price);
    // Once the tokens left the window, the pool is unpriced again until it serves more.
    now += 200_000;
    expect(pricing.priceForCall('auto', 'instant', 'qwen-8b')).toBeUndefined();
  });

  it('a configured price wins over the pool’s GPU-hour price', () => {
    const pricing = new PricingService(
      options({
        tiers: { instant: { input: 1, output: 1 } },
        pools: { small: { gpuHourCost: 3.6, throughputWindowMs: 60_000 } },
      }),
      CATALOG,
    );
    pricing.recordThroughput('instant', 1000);
    expect(pricing.priceForCall('auto', 'instant', 'qwen-8b')?.source).toBe('configured');
  });
});
