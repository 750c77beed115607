import type { GatewayConfig } from '../config';
import type { PricingCatalog } from './pricing.service';
import { EMBEDDINGS_TIER } from './pricing.service';
import { DEFAULT_SPEND_OPTIONS, type SpendOptions } from './spend.options';

/** The spend options of a loaded configuration (`pricing`, `budgets`), defaults where absent. */
export function spendOptionsFrom(slices: Partial<SpendOptions>): SpendOptions {
  return {
    pricing: slices.pricing ?? DEFAULT_SPEND_OPTIONS.pricing,
    budgets: slices.budgets ?? DEFAULT_SPEND_OPTIONS.budgets,
  };
}

/** The routes prices attach to: tiers, the embeddings pool, aliases and pool sizes. */
export function pricingCatalogFrom(
  config: Pick<GatewayConfig, 'tiers' | 'embeddings' | 'aliases' | 'pools'>,
): PricingCatalog {
  const tiers: PricingCatalog['tiers'] = {};
  for (const tier of Object.values(config.tiers)) {
    if (tier) tiers[tier.name] = { pool: tier.pool, model: tier.model };
  }
  if (config.embeddings) {
    tiers[EMBEDDINGS_TIER] = { pool: config.embeddings.pool, model: config.embeddings.model };
  }
  const aliases: PricingCatalog['aliases'] = {};
  for (const [alias, target] of Object.entries(config.aliases)) aliases[alias] = target.tier;
  const replicas: PricingCatalog['replicas'] = {};
  for (const [name, pool] of Object.entries(config.pools)) replicas[name] = pool.upstreams.length;
  return { tiers, aliases, replicas };
}
