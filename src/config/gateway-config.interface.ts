import type { ConfigOf, SchemaOf } from './config-key.builders';
import type { GATEWAY_CONFIG_KEYS } from './gateway-config.keys';

/**
 * The one typed configuration object, built at start-up from defaults, the YAML file named by
 * `GATEWAY_CONFIG` and the environment (in that order of increasing precedence), validated once.
 * Every other module reads it through `ConfigService<GatewayConfig, true>` with `{ infer: true }`,
 * or injects its own slice (config-slice.ts).
 *
 * The type is inferred from the declaration in gateway-config.keys.ts: a key added there appears
 * here. Each key's meaning is documented beside it there (and in docs/configuration.md).
 */
export type GatewayConfig = ConfigOf<typeof GATEWAY_CONFIG_KEYS>;

/** The validated YAML-shaped object before computed defaults apply (pools and aliases as Maps). */
export type GatewayConfigSchema = SchemaOf<typeof GATEWAY_CONFIG_KEYS>;

export {
  ACCESS_TIERS,
  TIER_NAMES,
  type AccessTier,
  type AuthMode,
  type BalancingPolicy,
  type ClassifierName,
  type LogLevel,
  type ReasoningMode,
  type RedisFailureMode,
  type TierName,
  type TruncatePolicy,
} from './config.constants';

// Named slices of the configuration, for signatures that take one part of it.
export type ServerConfig = GatewayConfig['server'];
export type ShutdownConfig = ServerConfig['shutdown'];
export type CorsConfig = ServerConfig['cors'];
export type AuthConfig = GatewayConfig['auth'];
export type ClientKeyConfig = AuthConfig['keys'][number];
export type RateLimitsConfig = GatewayConfig['limits']['defaults'];
export type PoolConfig = GatewayConfig['pools'][string];
export type UpstreamConfig = PoolConfig['upstreams'][number];
export type HealthCheckConfig = PoolConfig['healthCheck'];
export type OutlierConfig = PoolConfig['outlier'];
export type RetryConfig = PoolConfig['retries'];
export type LoadAwareConfig = PoolConfig['loadAware'];
export type PrefixAffinityConfig = PoolConfig['prefixAffinity'];
export type TierConfig = NonNullable<GatewayConfig['tiers']['instant']>;
export type TierTimeouts = TierConfig['timeouts'];
export type EmbeddingsConfig = NonNullable<GatewayConfig['embeddings']>;
export type AliasConfig = GatewayConfig['aliases'][string];
export type RoutingConfig = GatewayConfig['routing'];
export type ClassifierStepConfig = RoutingConfig['steps']['rules'];
export type StreamingConfig = GatewayConfig['streaming'];
export type ToolsConfig = GatewayConfig['tools'];
export type SandboxPoolConfig = ToolsConfig['sandbox'];
export type ToolEscalationConfig = ToolsConfig['escalation'];
export type BuiltinToolsConfig = ToolsConfig['builtin'];
export type ToolSwitchConfig = BuiltinToolsConfig['calculator'];
export type RunJavascriptConfig = ToolsConfig['runJavascript'];
export type WebSearchConfig = ToolsConfig['webSearch'];
export type MemoryToolConfig = ToolsConfig['memory'];
export type RedisConfig = GatewayConfig['redis'];
export type LimitsConfig = GatewayConfig['limits'];
export type LimitsRedisConfig = LimitsConfig['redis'];
export type RequestLimitsConfig = LimitsConfig['request'];
