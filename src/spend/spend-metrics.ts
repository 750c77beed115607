import { FastCounter, MetricNames, type MetricsService, type TokensByKind } from '../telemetry';
import { fromNanos } from './money';

const LABELS = ['key', 'tier', 'model'] as const;
type Label = (typeof LABELS)[number];
const KINDS: readonly (keyof TokensByKind)[] = ['input', 'cached_input', 'output', 'reasoning'];

/**
 * `tiergate_cost_total{key,tier,model}` and `tiergate_tokens_total{key,tier,model,kind}` on the
 * application's registry: per upstream call, at the tier and pool model id it ran on. Labels are
 * bounded by the configuration (key names, tiers, model ids).
 */
export class SpendMetrics {
  private readonly cost: FastCounter<Label>;
  private readonly tokens: FastCounter<Label | 'kind'>;

  constructor(metrics: MetricsService, currency: string) {
    const registers = [metrics.registry];
    this.cost = new FastCounter({
      name: MetricNames.Cost,
      help: `Cost of the upstream calls in ${currency} (pricing.currency), by API key name, tier and pool model id.`,
      labelNames: LABELS,
      registers,
    });
    this.tokens = new FastCounter({
      name: MetricNames.Tokens,
      help: 'Tokens of the upstream calls by API key name, tier, pool model id and kind (input, cached_input, output, reasoning; disjoint).',
      labelNames: [...LABELS, 'kind'],
      registers,
    });
  }

  record(key: string, tier: string, model: string, tokens: TokensByKind, costNanos: number): void {
    const tierLabel = tier === '' ? 'embeddings' : tier;
    for (const kind of KINDS) {
      const count = tokens[kind];
      if (count > 0) this.tokens.inc({ key, tier: tierLabel, model, kind }, count);
    }
    // Unpriced calls still show up, at 0, so a dashboard can tell them from no traffic.
    this.cost.inc({ key, tier: tierLabel, model }, fromNanos(costNanos));
  }
}
