import { defineConfigSlice, type ConfigSliceOf } from '../config';
import { pricingCatalogFrom } from './spend-config';

/**
 * What the spend module reads of the configuration: prices, budgets, the Redis URL with the
 * failure mode and time-out of `limits.redis` (the spend store shares them), and the catalog of
 * tiers, aliases and pools that prices are looked up in.
 */
export const SPEND_CONFIG = defineConfigSlice('SPEND_CONFIG', (config) => ({
  pricing: config.pricing,
  budgets: config.budgets,
  redis: config.redis,
  limitsRedis: config.limits.redis,
  catalog: pricingCatalogFrom(config),
}));

export type SpendSlice = ConfigSliceOf<typeof SPEND_CONFIG>;
