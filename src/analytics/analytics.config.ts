import { defineConfigSlice, type ConfigSliceOf } from '../config';

/**
 * What the analytics module reads of the configuration: its own section, the Redis URL, and the
 * tiers and embeddings (which pool serves what).
 */
export const ANALYTICS_CONFIG = defineConfigSlice('ANALYTICS_CONFIG', (config) => ({
  analytics: config.analytics,
  redis: config.redis,
  tiers: config.tiers,
  embeddings: config.embeddings,
}));

export type AnalyticsSlice = ConfigSliceOf<typeof ANALYTICS_CONFIG>;
