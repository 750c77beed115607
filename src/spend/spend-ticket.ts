import type { TokensByKind, UsageLike, UsageObserver } from '../telemetry';
import type { BudgetReservation } from './budget.service';
import { formatAmount, fromNanos } from './money';
import type { PricingService } from './pricing.service';
import type { SpendMetrics } from './spend-metrics';
import { addTokens, costInNanos, tokensOf, totalTokens } from './token-cost';

/** How a request ended, as its cost needs it (the key's accounting knows it). */
export interface SpendEnd {
  outcome: 'ok' | 'error' | 'aborted';
  /** Some upstream call reported usage. */
  usageReported: boolean;
  /** The prompt estimate admission reserved for. */
  promptTokens: number;
  /** Completion tokens streamed that no usage report covered (the streamed estimate). */
  streamedTokens: number;
  /** Where the request went last (the streamed estimate is priced there). */
  tier: string;
  model: string;
}

/** What a request cost, for its log line, span and `x-gateway-cost`. */
export interface SpendResult {
  /** In the configured currency. */
  cost: number;
  costNanos: number;
  /** Some call (or the estimate) had no price: it cost 0. */
  unpriced: boolean;
  tokens: TokensByKind;
}

/** Settles a ticket's spend in the store (the budget service). */
export type SpendSettler = (
  keyName: string,
  reservation: BudgetReservation | undefined,
  costNanos: number,
) => Promise<void>;

/**
 * One admitted request's spend, from admission to settlement: it prices each upstream call
 * where it ran (told by the request's telemetry, see {@link observe}), sums them over the tool
 * rounds, and, when the request ends, corrects its budget reservation to the real cost.
 * When no call reported usage, the cost comes from the key's accounting's estimate: what was
 * streamed (and the prompt estimate), or, for an answer that never said, the reservation.
 */
export class SpendTicket implements UsageObserver {
  private costNanos = 0;
  private unpriced = false;
  /** Some call reported usage (telemetry tells only those). */
  private observed = false;
  private readonly tokens: TokensByKind = { input: 0, cached_input: 0, output: 0, reasoning: 0 };
  private result: SpendResult | undefined;

  constructor(
    readonly keyName: string,
    /** The public model name the caller asked for (an alias may carry its own price). */
    private readonly requested: string | undefined,
    /** The worst-case cost admission reserved (nano-units). */
    readonly estimateNanos: number,
    readonly reservation: BudgetReservation | undefined,
    /** Headers for the reply (the budget warning). */
    readonly headers: Readonly<Record<string, string>>,
    private readonly pricing: PricingService,
    private readonly metrics: SpendMetrics,
    private readonly settler: SpendSettler,
  ) {}

  /** One upstream call's usage, at the tier and pool model id it ran on. */
  observe(usage: UsageLike, tier: string, model: string): void {
    this.observed = true;
    this.charge(tokensOf(usage), tier, model);
  }

  /**
   * The cost as a non-streamed answer is sent (every call is done): `0.00042 USD`, with
   * `; unpriced` when some call had no price.
   */
  header(currency: string): string {
    // No call reported usage: the reservation stands (as settle charges it).
    const nanos = this.observed ? this.costNanos : this.costNanos + this.estimateNanos;
    return `${formatAmount(nanos)} ${currency}${this.unpriced ? '; unpriced' : ''}`;
  }

  /** The settled result, once {@link settle} ran. */
  get settled(): SpendResult | undefined {
    return this.result;
  }

  /** Once, as the request ends: the final cost, and its budget settled (in the background). */
  settle(end: SpendEnd): SpendResult {
    if (this.result) return this.result;
    if (end.streamedTokens > 0) {
      // A call streamed without reporting its usage: its prompt estimate and what it sent.
      const estimate = {
        input: end.promptTokens,
        cached_input: 0,
        output: end.streamedTokens,
        reasoning: 0,
      };
      this.charge(estimate, end.tier, end.model);
    } else if (!end.usageReported && end.outcome !== 'error') {
      // Served without a word of usage: the reservation stands, as the key's token accounting does.
      this.costNanos += this.estimateNanos;
    }
    this.result = {
      cost: fromNanos(this.costNanos),
      costNanos: this.costNanos,
      unpriced: this.unpriced,
      tokens: this.tokens,
    };
    if (this.reservation || this.costNanos > 0) {
      void this.settler(this.keyName, this.reservation, this.costNanos);
    }
    return this.result;
  }

  private charge(tokens: TokensByKind, tier: string, model: string): void {
    const total = totalTokens(tokens);
    if (total === 0) return;
    this.pricing.recordThroughput(tier, total);
    const price = this.pricing.priceForCall(this.requested, tier, model);
    const nanos = price ? costInNanos(tokens, price) : 0;
    if (!price) this.unpriced = true;
    this.costNanos += nanos;
    addTokens(this.tokens, tokens);
    this.metrics.record(this.keyName, tier, model, tokens, nanos);
  }
}
