import { configuredSecrets, defineConfigSlice, type ConfigSliceOf } from '../config';

/**
 * What the providers module reads of the configuration: the pools, the tiers and embeddings
 * that name their models, and the configured secrets every relayed message is scrubbed of.
 */
export const PROVIDERS_CONFIG = defineConfigSlice('PROVIDERS_CONFIG', (config) => ({
  pools: config.pools,
  tiers: config.tiers,
  embeddings: config.embeddings,
  secrets: configuredSecrets(config),
}));

export type ProvidersSlice = ConfigSliceOf<typeof PROVIDERS_CONFIG>;
