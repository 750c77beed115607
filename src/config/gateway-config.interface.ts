/**
 * The one typed configuration object, built at start-up from defaults, the YAML file named by
 * `GATEWAY_CONFIG` and the environment (in that order of increasing precedence), validated once.
 * Every other module reads it through `ConfigService<GatewayConfig, true>` with `{ infer: true }`.
 */

export type TierName = 'instant' | 'thinking';
export const TIER_NAMES: readonly TierName[] = ['instant', 'thinking'];

export type AuthMode = 'required' | 'disabled';
export type ReasoningMode = 'passthrough' | 'strip';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

export interface ServerConfig {
  port: number;
  host: string;
  /** Largest accepted request body, in bytes (413 above it). */
  bodyLimitBytes: number;
  logLevel: LogLevel;
}

export interface UpstreamConfig {
  /** Base URL ending in `/v1`, e.g. `http://vllm-0:8000/v1`. Normalised without a trailing slash. */
  url: string;
  apiKey?: string;
  weight: number;
  tls: { rejectUnauthorized: boolean };
}

export interface PoolConfig {
  name: string;
  upstreams: UpstreamConfig[];
  /** Upper bound of keep-alive connections per upstream origin. */
  maxConnections: number;
  /** Connect timeout towards each upstream. */
  connectTimeoutMs: number;
}

export interface TierTimeouts {
  /** Whole-request deadline towards the upstream. */
  requestMs: number;
}

export interface TierConfig {
  name: TierName;
  /** Name of a key of `pools`. */
  pool: string;
  /** The model id the pool serves; the upstream always receives this id. */
  model: string;
  timeouts: TierTimeouts;
  /** What reaches the caller of reasoning text (`reasoning_content`, `reasoning`, `<think>`). */
  reasoning: ReasoningMode;
}

export interface EmbeddingsConfig {
  pool: string;
  model: string;
  timeouts: TierTimeouts;
}

export interface ClientKeyConfig {
  /** A label for logs and metrics; never the secret. */
  name: string;
  /** The secret as given: plain text, or `sha256:<64 hex>`. */
  key: string;
}

export interface AuthConfig {
  mode: AuthMode;
  keys: ClientKeyConfig[];
}

export interface RoutingConfig {
  /** The model used when a request names none (`auto` unless configured). */
  defaultModel: string;
  /** Where `auto` goes when no classifier step decides. */
  defaultTier: TierName;
}

export interface StreamingConfig {
  /** A `: ping` comment is written after this long without any byte to the caller. */
  heartbeatMs: number;
}

export interface GatewayConfig {
  server: ServerConfig;
  auth: AuthConfig;
  /** Named pools of OpenAI-compatible upstreams. */
  pools: Record<string, PoolConfig>;
  /** The configured chat tiers; at least one is present. */
  tiers: Partial<Record<TierName, TierConfig>>;
  embeddings?: EmbeddingsConfig;
  /** Public model name → tier. */
  aliases: Record<string, TierName>;
  routing: RoutingConfig;
  streaming: StreamingConfig;
}
