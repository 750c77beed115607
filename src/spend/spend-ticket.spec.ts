import { MetricsService } from '../telemetry';
import { PricingService } from './pricing.service';
import { SpendMetrics } from './spend-metrics';
import { SpendTicket, type SpendEnd, type SpendSettler } from './spend-ticket';

const pricing = new PricingService(
  {
    currency: 'USD',
    tiers: {
      instant: { input: 1, output: 2 },
      thinking: { input: 10, cachedInput: 5, output: 20, reasoning: 40 },
    },
    models: {},
    aliases: {},
    pools: {},
  },
  {
    tiers: {
      instant: { pool: 'a', model: 'small' },
      thinking: { pool: 'b', model: 'big' },
      embeddings: { pool: 'e', model: 'emb' },
    },
    aliases: {},
    replicas: {},
  },
);

const END: SpendEnd = {
  outcome: 'ok',
  usageReported: true,
  promptTokens: 0,
  streamedTokens: 0,
  tier: 'instant',
  model: 'small',
};

function ticket(estimateNanos = 0, settler: SpendSettler = () => Promise.resolve()) {
  const metrics = new MetricsService();
  return {
    metrics,
    ticket: new SpendTicket(
      'team',
      'auto',
      estimateNanos,
      undefined,
      {},
      pricing,
      new SpendMetrics(metrics, 'USD'),
      settler,
    ),
  };
}

describe('SpendTicket: the cost of one request', () => {
  it('prices each call where it ran and sums them over the rounds', () => {
    const { ticket: t } = ticket();
    t.observe({ prompt_tokens: 1000, completion_tokens: 100 }, 'instant', 'small'); // 1000 + 200 per M
    t.observe(
      {
        prompt_tokens: 1000,
        completion_tokens: 100,
        prompt_tokens_details: { cached_tokens: 400 },
        completion_tokens_details: { reasoning_tokens: 50 },
      } as never,
      'thinking',
      'big',
    ); // 600×10 + 400×5 + 50×20 + 50×40 = 6000 + 2000 + 1000 + 2000 = 11000 per M
    expect(t.header('USD')).toBe('0.0122 USD');
    expect(t.settle(END)).toEqual({
      cost: 0.0122,
      costNanos: 12_200_000,
      unpriced: false,
      tokens: { input: 1600, cached_input: 400, output: 150, reasoning: 50 },
    });
  });

  it('an unpriced call costs 0 and marks the request unpriced', () => {
    const { ticket: t } = ticket();
    t.observe({ prompt_tokens: 10, completion_tokens: 10 }, '', 'emb');
    expect(t.header('EUR')).toBe('0 EUR; unpriced');
    expect(t.settle(END)).toMatchObject({ cost: 0, unpriced: true });
  });

  it('a stream that never reported usage is charged its prompt estimate and what it streamed', () => {
    const { ticket: t } = ticket(999_999);
    const result = t.settle({
      ...END,
      usageReported: false,
      promptTokens: 100,
      streamedTokens: 40,
      outcome: 'aborted',
    });
    expect(result.costNanos).toBe((100 * 1 + 40 * 2) * 1000);
    expect(result.tokens).toEqual({ input: 100, cached_input: 0, output: 40, reasoning: 0 });
  });

  it('an answer without a word of usage keeps its reservation; an error without usage costs nothing', () => {
    const settled = ticket(5_000).ticket;
    expect(settled.header('USD')).toBe('0.000005 USD');
    expect(settled.settle({ ...END, usageReported: false }).costNanos).toBe(5_000);
    expect(
      ticket(5_000).ticket.settle({ ...END, usageReported: false, outcome: 'error' }).costNanos,
    ).toBe(0);
  });

  it('settles once, handing the cost to the budget', () => {
    const settler = jest.fn<Promise<void>, Parameters<SpendSettler>>(() => Promise.resolve());
    const { ticket: t } = ticket(0, settler);
    t.observe({ prompt_tokens: 1000, completion_tokens: 0 }, 'instant', 'small');
    const first = t.settle(END);
    expect(t.settle({ ...END, streamedTokens: 500 })).toBe(first);
    expect(t.settled).toBe(first);
    expect(settler.mock.calls).toEqual([['team', undefined, 1_000_000]]);
  });

  it('counts cost and tokens by kind in Prometheus, at the call’s tier and model', async () => {
    const { ticket: t, metrics } = ticket();
    t.observe({ prompt_tokens: 1000, completion_tokens: 100 }, 'instant', 'small');
    t.observe({ prompt_tokens: 5, completion_tokens: 5 }, '', 'emb');
    const text = await metrics.render();
    expect(text).toContain('tiergate_cost_total{key="team",tier="instant",model="small"} 0.0012');
    expect(text).toContain('tiergate_cost_total{key="team",tier="embeddings",model="emb"} 0');
    expect(text).toContain(
      'tiergate_tokens_total{key="team",tier="instant",model="small",kind="input"} 1000',
    );
    expect(text).toContain(
      'tiergate_tokens_total{key="team",tier="instant",model="small",kind="output"} 100',
    );
  });
});
