import type { BudgetService } from './budget.service';
import { EMBEDDINGS_TIER, type PricingService } from './pricing.service';
import type { SpendMetrics } from './spend-metrics';
import { SpendTicket } from './spend-ticket';

/** What admission knows of a request before it is routed. */
export interface SpendAdmit {
  endpoint: 'chat' | 'completions' | 'embeddings' | 'route';
  /** The public model name asked for (default applied). */
  requestedModel?: string;
  /** Estimated prompt tokens. */
  promptTokens: number;
  /** The completion budget of one choice (`max_tokens`, or the configured reservation). */
  completionTokens: number;
  /** `n`. */
  choices: number;
}

/**
 * The request-level face of the spend module: at admission it reserves a request's worst-case
 * cost against its key's budget and answers the {@link SpendTicket} that prices the request's
 * calls and settles the reservation when it ends. With no price configured it answers nothing
 * and costs nothing on the hot path.
 */
export class SpendService {
  constructor(
    readonly pricing: PricingService,
    readonly budgets: BudgetService,
    private readonly metrics: SpendMetrics,
  ) {}

  get currency(): string {
    return this.pricing.currency;
  }

  /**
   * @throws GatewayException 429 `insufficient_quota` (hard budget), 503 `overloaded` (store
   *   unreachable with `limits.redis.on_error: closed`).
   */
  async admit(keyName: string, request: SpendAdmit): Promise<SpendTicket | undefined> {
    const pricing = this.pricing;
    // `POST /v1/route` calls no model: it costs nothing and no budget refuses it.
    if (!pricing.enabled || request.endpoint === 'route') return undefined;
    const tiers = request.endpoint === 'embeddings' ? [EMBEDDINGS_TIER] : pricing.chatTiers;
    const worst = pricing.worstCase(request.requestedModel, tiers);
    const estimateNanos = worst
      ? Math.round(
          (request.promptTokens * worst.input +
            request.completionTokens *
              Math.max(1, request.choices) *
              Math.max(worst.output, worst.reasoning)) *
            1_000,
        )
      : 0;
    const admitted = await this.budgets.reserve(keyName, estimateNanos);
    return new SpendTicket(
      keyName,
      request.requestedModel,
      estimateNanos,
      admitted.reservation,
      admitted.headers,
      pricing,
      this.metrics,
      (key, reservation, cost) => this.budgets.settle(key, reservation, cost),
    );
  }
}
