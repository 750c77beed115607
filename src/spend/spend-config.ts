import type { GatewayConfig } from '../config';
import type { PricingCatalog } from './pricing.service';
import { EMBEDDINGS_TIER } from './pricing.service';

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
