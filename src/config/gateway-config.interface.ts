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
  /**
   * Bearer token sent to this upstream, already resolved: `<TIER>_API_KEY` > `UPSTREAM_API_KEY` >
   * the upstream's `api_key` > its pool's `api_key`. Absent means no `authorization` header.
   */
  apiKey?: string;
  /** Relative share of the pool's traffic (> 0; default 1). */
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
  /** Whole-request deadline towards the upstream; `REQUEST_TIMEOUT_MS` unless set per tier. */
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
  /** The model's context window in tokens, when known (context-fit routing uses it). */
  contextWindow?: number;
}

export interface EmbeddingsConfig {
  pool: string;
  model: string;
  timeouts: TierTimeouts;
}

export interface ClientKeyConfig {
  /** A label for logs and metrics; never the secret. */
  name: string;
  /** The secret as given: plain text, or `sha256:<64 hex>` (the hex digits in lower case). */
  key: string;
}

export interface AuthConfig {
  mode: AuthMode;
  keys: ClientKeyConfig[];
}

export type ClassifierName = 'rules' | 'learned' | 'semantic';
export type TruncatePolicy = 'none' | 'oldest';

export interface AliasConfig {
  tier: TierName;
  /** `oldest` drops the oldest non-system turns to fit the context window; `none` never truncates. */
  truncate: TruncatePolicy;
}

export interface ClassifierStepConfig {
  /** A step answers only when its confidence in its own answer is at least this (0.5..1). */
  minConfidence: number;
}

export interface RoutingConfig {
  /** The model used when a request names none (`auto` unless configured). */
  defaultModel: string;
  /** Where `auto` goes when no classifier step decides. */
  defaultTier: TierName;
  /** Cascade order of the classifier steps after the explicit model and the `reasoning_effort` hint. */
  classifiers: ClassifierName[];
  /** Probability of "thinking" at or above which a scoring classifier says thinking (RouteLLM-style knob). */
  thinkingThreshold: number;
  /** Per-step settings; a step missing here uses `{ minConfidence: 0.6 }`. */
  steps: Partial<Record<ClassifierName, ClassifierStepConfig>>;
  /** The `semantic` step's time budget per request (it abstains past it). */
  semanticBudgetMs: number;
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
  /** Public model name → tier (YAML accepts `name: instant` or `name: { tier, truncate }`). */
  aliases: Record<string, AliasConfig>;
  routing: RoutingConfig;
  streaming: StreamingConfig;
}
