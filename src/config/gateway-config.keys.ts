import { section } from './config-key.builders';
import { ANALYTICS_KEYS } from './keys/analytics.keys';
import { AUTH_KEYS } from './keys/auth.keys';
import { LIMITS_KEYS, REDIS_KEYS } from './keys/limits.keys';
import { POOLS_KEYS } from './keys/pools.keys';
import { RESPONSES_KEYS } from './keys/responses.keys';
import { ROUTING_KEYS, STREAMING_KEYS } from './keys/routing.keys';
import { SERVER_KEYS } from './keys/server.keys';
import { ALIASES_KEYS, EMBEDDINGS_KEYS, TIERS_KEYS } from './keys/tiers.keys';
import { TOOLS_KEYS } from './keys/tools.keys';
import { BUDGETS_KEYS, PRICING_KEYS } from './keys/spend.keys';

/**
 * THE declaration of the gateway's configuration: every key once, with its validation, default,
 * environment variable and documentation (docs/configuration.md, "Adding a configuration key").
 * The type `GatewayConfig`, the schema the YAML file is validated against, the environment
 * overlay and the key tables of docs/configuration.md are all derived from it.
 */
export const GATEWAY_CONFIG_KEYS = section(
  {
    server: SERVER_KEYS,
    auth: AUTH_KEYS,
    pools: POOLS_KEYS,
    tiers: TIERS_KEYS,
    embeddings: EMBEDDINGS_KEYS,
    aliases: ALIASES_KEYS,
    routing: ROUTING_KEYS,
    streaming: STREAMING_KEYS,
    tools: TOOLS_KEYS,
    redis: REDIS_KEYS,
    limits: LIMITS_KEYS,
    responses: RESPONSES_KEYS,
    pricing: PRICING_KEYS,
    budgets: BUDGETS_KEYS,
    analytics: ANALYTICS_KEYS,
  },
  {
    name: 'GatewayConfigSchema',
    resolve: ({ routing, ...config }) => ({
      ...config,
      routing: {
        ...routing,
        defaultTier: routing.defaultTier ?? (config.tiers.instant ? 'instant' : 'thinking'),
      },
    }),
  },
);
