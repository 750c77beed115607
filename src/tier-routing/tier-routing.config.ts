import { defineConfigSlice, type ConfigSliceOf } from '../config';

/**
 * What the tier-routing module (and its model catalog) reads of the configuration: the tiers,
 * the aliases and `routing` that name the models, the embeddings pool, and the SSE heartbeat.
 */
export const TIER_ROUTING_CONFIG = defineConfigSlice('TIER_ROUTING_CONFIG', (config) => ({
  tiers: config.tiers,
  aliases: config.aliases,
  routing: config.routing,
  embeddings: config.embeddings,
  streaming: config.streaming,
}));

export type TierRoutingSlice = ConfigSliceOf<typeof TIER_ROUTING_CONFIG>;
