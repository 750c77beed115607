import { MetricsService } from '../telemetry';
import { BudgetService } from './budget.service';
import { MemorySpendStore } from './memory-spend.store';
import { PricingService } from './pricing.service';
import { SpendMetrics } from './spend-metrics';
import { SpendService } from './spend.service';
import type { BudgetsOptions, PricingOptions } from './spend.options';

const CATALOG = {
  tiers: {
    instant: { pool: 'a', model: 'small' },
    thinking: { pool: 'b', model: 'big' },
    embeddings: { pool: 'e', model: 'emb' },
  },
  aliases: {},
  replicas: {},
};
const BUDGETS: BudgetsOptions = {
  default: { amount: 1, period: 'day', mode: 'hard', warnAt: [] },
  keys: {},
  keyPrefix: 'x:',
};

function spendWith(pricing: Partial<PricingOptions>): SpendService {
  const metrics = new MetricsService();
  return new SpendService(
    new PricingService(
      { currency: 'USD', tiers: {}, models: {}, aliases: {}, pools: {}, ...pricing },
      CATALOG,
    ),
    new BudgetService(BUDGETS, 'USD', new MemorySpendStore(), 'closed'),
    new SpendMetrics(metrics, 'USD'),
  );
}

describe('SpendService.admit', () => {
  const spend = spendWith({
    tiers: {
      instant: { input: 1, output: 2 },
      thinking: { input: 10, output: 20, reasoning: 30 },
      embeddings: { input: 0.1, output: 0 },
    },
  });

  it('reserves the worst case: the prompt at the highest input price, every choice’s completion budget at the highest output or reasoning price', async () => {
    const ticket = await spend.admit('k', {
      endpoint: 'chat',
      promptTokens: 1000,
      completionTokens: 100,
      choices: 2,
    });
    // 1000 × 10 + 100 × 2 × 30 = 16000 per million
    expect(ticket?.estimateNanos).toBe(16_000_000);
    expect(ticket?.reservation?.nanos).toBe(16_000_000);
  });

  it('embeddings reserve at the embeddings price', async () => {
    const ticket = await spend.admit('k2', {
      endpoint: 'embeddings',
      promptTokens: 1000,
      completionTokens: 0,
      choices: 1,
    });
    expect(ticket?.estimateNanos).toBe(100_000);
  });

  it('POST /v1/route calls no model: no ticket, and no budget refuses it', async () => {
    expect(
      await spend.admit('k', {
        endpoint: 'route',
        promptTokens: 1e9,
        completionTokens: 0,
        choices: 1,
      }),
    ).toBeUndefined();
  });

  it('with no price configured there is nothing to meter', async () => {
    expect(
      await spendWith({}).admit('k', {
        endpoint: 'chat',
        promptTokens: 10,
        completionTokens: 10,
        choices: 1,
      }),
    ).toBeUndefined();
  });

  it('a worst case larger than the whole budget is refused', async () => {
    await expect(
      spend.admit('k3', { endpoint: 'chat', promptTokens: 1e6, completionTokens: 0, choices: 1 }),
    ).rejects.toMatchObject({ status: 429, code: 'insufficient_quota' });
  });
});
