/**
 * The spend module's typed options (prices and budgets). They are read from the configuration
 * (`pricing`, `budgets`) by {@link spendOptionsFrom} and reach the services through the
 * {@link SPEND_OPTIONS} provider, so nothing here reads the environment or the YAML file.
 */

/** Injection token of the {@link SpendOptions}. */
export const SPEND_OPTIONS = 'TIERGATE_SPEND_OPTIONS';

/**
 * A price as configured, per million tokens of each kind, in `pricing.currency`. An absent
 * `cachedInput` costs as `input`; an absent `reasoning` costs as `output`.
 */
export interface PriceConfig {
  input: number;
  cachedInput?: number;
  output: number;
  reasoning?: number;
}

/** A self-hosted pool priced by what its replicas cost per hour (see docs/spend.md). */
export interface GpuHourConfig {
  /** Cost of one replica (one upstream of the pool) per hour, in `pricing.currency`. */
  gpuHourCost: number;
  /** The recent window the pool's throughput (tokens per second) is measured over, in ms. */
  throughputWindowMs: number;
}

export interface PricingOptions {
  /** ISO 4217 code (or any label) every price and budget is in. */
  currency: string;
  /** Per tier (`instant`, `thinking`, `embeddings`). */
  tiers: Record<string, PriceConfig>;
  /** Per pool model id (the id the upstream receives), whichever tier serves it. */
  models: Record<string, PriceConfig>;
  /** Per alias: applies to the calls an alias's request makes on the alias's own tier. */
  aliases: Record<string, PriceConfig>;
  /** Per pool name: a GPU-hour price, used where no configured price applies. */
  pools: Record<string, GpuHourConfig>;
}

/** Calendar periods in UTC (a week starts on Monday 00:00), or a rolling window. */
export type BudgetPeriodKind = 'day' | 'week' | 'month' | 'rolling';

export interface BudgetConfig {
  /** The amount per period, in `pricing.currency`; absent: no budget (spend is still kept). */
  amount?: number;
  period: BudgetPeriodKind;
  /** Length of a `rolling` window, in ms. */
  rollingMs?: number;
  /** `soft`: warn only; `hard`: refuse with 429 `insufficient_quota` once it is spent. */
  mode: 'soft' | 'hard';
  /** Fractions of `amount` (ascending, in (0, 1]) at which a warning is given. */
  warnAt: number[];
}

export interface BudgetsOptions {
  /** Every key without a budget of its own. */
  default: BudgetConfig;
  /** By key name (`auth.keys[].name`). */
  keys: Record<string, BudgetConfig>;
  /** Prefix of the spend keys in Redis. */
  keyPrefix: string;
}

export interface SpendOptions {
  pricing: PricingOptions;
  budgets: BudgetsOptions;
}

export const DEFAULT_BUDGET: BudgetConfig = {
  period: 'month',
  mode: 'soft',
  warnAt: [0.8, 0.95],
};

export const DEFAULT_SPEND_OPTIONS: SpendOptions = {
  pricing: { currency: 'USD', tiers: {}, models: {}, aliases: {}, pools: {} },
  budgets: { default: DEFAULT_BUDGET, keys: {}, keyPrefix: 'tiergate:spend:' },
};

/** Default measuring window of a GPU-hour pool's throughput. */
export const DEFAULT_THROUGHPUT_WINDOW_MS = 5 * 60_000;

/** Whether any price at all is configured (else every request costs 0, unpriced). */
export function anyPriceConfigured(pricing: PricingOptions): boolean {
  return [pricing.tiers, pricing.models, pricing.aliases, pricing.pools].some(
    (table) => Object.keys(table).length > 0,
  );
}
