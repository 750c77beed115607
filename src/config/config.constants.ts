/*
 * The closed sets of words the configuration accepts, and the bounds that catch typos. The keys
 * themselves, with their defaults, are declared in gateway-config.keys.ts.
 */

export type TierName = 'instant' | 'thinking';
export const TIER_NAMES: readonly TierName[] = ['instant', 'thinking'];

/** What a key may reach: the two chat tiers and the embeddings pool. */
export type AccessTier = TierName | 'embeddings';
export const ACCESS_TIERS: readonly AccessTier[] = ['instant', 'thinking', 'embeddings'];

export type AuthMode = 'required' | 'disabled';
export const AUTH_MODES: readonly AuthMode[] = ['required', 'disabled'];

/** What a client key is for: `admin` keys may also call the operator endpoints. */
export type KeyRole = 'client' | 'admin';
export const KEY_ROLES: readonly KeyRole[] = ['client', 'admin'];

export type ReasoningMode = 'passthrough' | 'strip';
export const REASONING_MODES: readonly ReasoningMode[] = ['passthrough', 'strip'];

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

export type TruncatePolicy = 'none' | 'oldest';
export const TRUNCATE_POLICIES: readonly TruncatePolicy[] = ['none', 'oldest'];

export type ClassifierName = 'rules' | 'learned' | 'semantic';
export const CLASSIFIER_NAMES: readonly ClassifierName[] = ['rules', 'learned', 'semantic'];

/** What happens to rate-limited requests while Redis cannot be reached. */
export type RedisFailureMode = 'open' | 'closed';
export const REDIS_FAILURE_MODES: readonly RedisFailureMode[] = ['open', 'closed'];

/**
 * `least-outstanding`: power of two random choices (by weight) and the one with fewer requests
 * in flight per unit of weight. `round-robin`: smooth weighted round-robin. `load-aware`: the
 * replicas' own queue depth and KV-cache use, scraped from their Prometheus `/metrics`.
 */
export type BalancingPolicy = 'least-outstanding' | 'round-robin' | 'load-aware';
export const BALANCING_POLICIES: readonly BalancingPolicy[] = [
  'least-outstanding',
  'round-robin',
  'load-aware',
];

/**
 * How a pool answers `/v1/responses`: `bridge` translates to its `/v1/chat/completions`;
 * `native` forwards to the replicas' own `/v1/responses` (ADR 0011).
 */
export type ResponsesApi = 'bridge' | 'native';
export const RESPONSES_APIS: readonly ResponsesApi[] = ['bridge', 'native'];

/** Model names with a fixed meaning (docs/api.md §4) that an alias may not take over. */
export const RESERVED_MODEL_NAMES: readonly string[] = ['auto', 'instant', 'thinking'];

/** `REQUEST_TIMEOUT_MS` when unset: the default of every `timeouts.request_ms`. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 300_000;

/** Upper bounds that only catch typos (an extra zero), not policy. */
export const CONFIG_LIMITS = {
  maxPort: 65_535,
  maxTimeoutMs: 24 * 60 * 60 * 1000,
  maxBodyLimitBytes: 1024 * 1024 * 1024,
  /** V8's longest string is about 512 MiB: an answer must stay below it to be decoded at all. */
  maxResponseBytes: 256 * 1024 * 1024,
  maxConnections: 65_536,
  maxClientConnections: 1_000_000,
  maxQueueSize: 1_000_000,
  maxThreshold: 100,
  maxAttempts: 10,
  maxToolRounds: 100,
  maxToolCalls: 1_000,
  maxSandboxWorkers: 256,
  maxSandboxMemoryMb: 1024,
  maxSearchResults: 50,
  maxMemoryNotes: 100_000,
  maxRateLimit: 1_000_000_000,
  maxConcurrency: 1_000_000,
  maxMessages: 1_000_000,
  maxContentChars: 1024 * 1024 * 1024,
  maxTools: 10_000,
  /** Deeper bodies would reach recursive code (class-transformer, JSON.stringify) unbounded. */
  maxJsonDepth: 256,
  maxJsonContainers: 100_000_000,
} as const;
