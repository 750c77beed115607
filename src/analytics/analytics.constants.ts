/**
 * Ports the lead binds at merge to the spend module (issue 15, C5): prices of a pool's model
 * and a key's budget. Unbound, `price` and `budget` are null.
 */
export const PROVIDER_PRICING = Symbol('PROVIDER_PRICING');
export const KEY_BUDGETS = Symbol('KEY_BUDGETS');
/** The analytics options ({@link AnalyticsOptions}). */
export const ANALYTICS_OPTIONS = Symbol('ANALYTICS_OPTIONS');
/** The {@link AnalyticsStore} in use: memory, or Redis when `REDIS_URL` is set. */
export const ANALYTICS_STORE = Symbol('ANALYTICS_STORE');

/** Per million tokens, in the configured currency (spend's `ModelPrice`, C4). */
export interface ModelPrice {
  input: number;
  cachedInput: number;
  output: number;
  reasoning: number;
  source: 'configured' | 'gpu_hour';
}

export interface ProviderPricing {
  priceOf(pool: string, model: string): ModelPrice | undefined;
  /** The configured currency (`pricing.currency`). */
  readonly currency?: string;
}

/** A key's budget in its current period (spend's `BudgetStatus`, C4). */
export interface BudgetStatus {
  period: string;
  periodStart: string;
  resetsAt: string;
  amount: number;
  spent: number;
  remaining: number;
  mode: 'soft' | 'hard';
}

export interface KeyBudgets {
  statusOf(keyName: string): Promise<BudgetStatus | undefined>;
}

export interface AnalyticsOptions {
  /** Record requests and attempts at all (`analytics.enabled`). */
  enabled: boolean;
  /** How often pending figures go to the store (`analytics.flush_interval_ms`). */
  flushIntervalMs: number;
  /** Prefix of the Redis keys (`analytics.redis.key_prefix`). */
  keyPrefix: string;
  /** The currency `/v1/analytics` names when no pricing is bound. */
  currency: string;
}

export const DEFAULT_ANALYTICS_OPTIONS: AnalyticsOptions = {
  enabled: true,
  flushIntervalMs: 1000,
  keyPrefix: 'tiergate:analytics:',
  currency: 'USD',
};
