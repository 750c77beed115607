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
  /**
   * A request's headers and body must have arrived within this (ms), else 408 and the
   * connection is closed. The response is not bounded by it: streams may last minutes.
   */
  bodyTimeoutMs: number;
  /** Open client connections this process keeps; beyond it new ones are closed at once. */
  maxConnections: number;
  logLevel: LogLevel;
  shutdown: ShutdownConfig;
  cors: CorsConfig;
}

/** Browser access. No origins (the default) means CORS is off: no CORS headers at all. */
export interface CorsConfig {
  /** Exact origins (`https://app.example.com`) allowed to call from a browser; `*` for any. */
  allowedOrigins: string[];
}

/** docs/api.md §9: what happens between SIGTERM and exit. */
export interface ShutdownConfig {
  /** After SIGTERM, readiness is 503 but connections are still accepted this long (ms). */
  drainDelayMs: number;
  /** Then in-flight requests and streams get this long (ms) to finish before they are cut. */
  gracePeriodMs: number;
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
  /** Upper bound of connections per upstream origin; undefined means none (undici's default). */
  maxConnections: number | undefined;
  /** Connect timeout towards each upstream. */
  connectTimeoutMs: number;
  /** A non-streamed answer (or error body) larger than this fails with 502 `upstream_error`. */
  maxResponseBytes: number;
  /** One streamed line or SSE event larger than this fails the stream (502 `upstream_error`). */
  maxStreamLineBytes: number;
  /**
   * Whether streamed requests are streamed from the upstream. False: one non-streamed call,
   * whose answer the gateway streams to the caller (servers or proxies that cannot stream).
   */
  streaming: boolean;
  /** How a replica is picked for each attempt. */
  balancing: BalancingPolicy;
  /**
   * Requests in flight per replica (vLLM's `max_num_seqs`); at most `maxConnections`. Infinity
   * when neither is configured: the replica's own queue decides.
   */
  maxConcurrency: number;
  /** Requests that may wait for a free replica; beyond it they are shed (503 `overloaded`). */
  queueSize: number;
  healthCheck: HealthCheckConfig;
  outlier: OutlierConfig;
  retries: RetryConfig;
  loadAware: LoadAwareConfig;
  prefixAffinity: PrefixAffinityConfig;
}

/**
 * `least-outstanding`: power of two random choices (by weight) and the one with fewer requests
 * in flight per unit of weight. `round-robin`: smooth weighted round-robin. `load-aware`: the
 * replicas' own queue depth and KV-cache use, scraped from their Prometheus `/metrics`.
 */
export type BalancingPolicy = 'least-outstanding' | 'round-robin' | 'load-aware';

/** Active checks: a GET that never runs a model. */
export interface HealthCheckConfig {
  enabled: boolean;
  /** Path on the upstream's origin: `/health` (vLLM, TGI, llama.cpp) or `/v1/models`. */
  path: string;
  intervalMs: number;
  timeoutMs: number;
  /** Consecutive successes that make an unhealthy replica healthy again. */
  healthyThreshold: number;
  /** Consecutive failures that make a healthy replica unhealthy. */
  unhealthyThreshold: number;
  /**
   * How often each replica's `<base>/models` is read with the pool's key, to take out of
   * rotation a replica that rejects the key or lacks the configured model id; also at start-up.
   * 0 turns it off.
   */
  verifyIntervalMs: number;
}

/** Passive outlier ejection: a circuit per replica, opened by consecutive failures. */
export interface OutlierConfig {
  /** Consecutive failed requests (connection errors, timeouts, 5xx, broken streams) that open it. */
  consecutiveFailures: number;
  /** First ejection time; each further ejection in a row doubles it, up to `maxEjectionMs`. */
  ejectionMs: number;
  maxEjectionMs: number;
}

/** Retries on another replica, before the first byte (or the stream's first content delta). */
export interface RetryConfig {
  /** Attempts in total, the first included (1 turns retries off). */
  maxAttempts: number;
  /** Exponential backoff with full jitter: a random wait in [0, min(max, base × 2^(n−1))]. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** An upstream's `Retry-After` longer than this is not waited for: the error is returned. */
  maxRetryAfterMs: number;
}

export interface LoadAwareConfig {
  /** Path of the Prometheus text metrics on the upstream's origin. */
  metricsPath: string;
  scrapeIntervalMs: number;
  /** Metrics older than this count as missing (the pool falls back to least-outstanding). */
  staleAfterMs: number;
}

/** Requests sharing a system prompt and first user turn prefer the same replica (prefix cache). */
export interface PrefixAffinityConfig {
  enabled: boolean;
  /** Bounded load: a replica takes an affine request only below `loadFactor` × the mean load. */
  loadFactor: number;
}

export interface TierTimeouts {
  /** Whole-request deadline towards the upstream; `REQUEST_TIMEOUT_MS` unless set per tier. */
  requestMs: number;
  /**
   * Per attempt: until the upstream's response headers and, for a stream, its first bytes. A
   * non-streaming answer arrives whole, so for it this bounds the generation.
   */
  ttfbMs: number;
  /** Streams: the longest silence between two chunks. */
  idleMs: number;
  /** The longest wait for a free replica when the pool is saturated (then 503 `overloaded`). */
  queueMs: number;
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
  /** With no healthy replica in this tier's pool, requests go to the other tier. */
  fallback: boolean;
  /** With this tier's pool saturated, `auto` requests go to the other tier. */
  spill: boolean;
}

export interface EmbeddingsConfig {
  pool: string;
  model: string;
  timeouts: TierTimeouts;
}

/** What a key may reach: the two chat tiers and the embeddings pool. */
export type AccessTier = TierName | 'embeddings';
export const ACCESS_TIERS: readonly AccessTier[] = ['instant', 'thinking', 'embeddings'];

/** Per-key rate limits over a sliding minute; an absent value is unlimited. */
export interface RateLimitsConfig {
  /** Requests per minute. */
  rpm?: number;
  /** Tokens (prompt + completion, as the upstream reports them) per minute. */
  tpm?: number;
  /** Requests in flight at once. */
  concurrency?: number;
}

export interface ClientKeyConfig {
  /** A label for logs and metrics; never the secret. */
  name: string;
  /** The secret as given: plain text, or `sha256:<64 hex>` (the hex digits in lower case). */
  key: string;
  /** The tiers (and `embeddings`) the key may use; absent means every one. */
  allowedTiers?: AccessTier[];
  /** The public model names the key may ask for (`auto`, `instant`, an alias, …); absent means any. */
  allowedModels?: string[];
  /** The server-side tools the gateway runs for this key; absent means every registered tool. */
  allowedTools?: string[];
  /** The key's own limits; absent means `limits.defaults` (`RATE_LIMIT_*`). */
  limits?: RateLimitsConfig;
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

export interface ToolSwitchConfig {
  /** Whether the tool is registered; a disabled tool is neither listed nor executed. */
  enabled: boolean;
}

export interface BuiltinToolsConfig {
  calculator: ToolSwitchConfig;
  currentTime: ToolSwitchConfig;
  runJavascript: ToolSwitchConfig;
  /** Registered only when it is enabled and `tools.webSearch.endpoint` is set. */
  webSearch: ToolSwitchConfig;
  memory: ToolSwitchConfig;
}

export interface ToolEscalationConfig {
  /** Whether a struggling tool loop on the instant tier moves to the thinking tier. */
  enabled: boolean;
  /** Tool calls with invalid arguments (in total, over all rounds) that trigger the move. */
  invalidArguments: number;
  /** Executed tool rounds that trigger the move (half of `maxRounds`, rounded up, unless set). */
  rounds: number;
}

export interface RunJavascriptConfig {
  /** CPU-time budget of one script, in ms (the sandbox is killed past it). */
  timeoutMs: number;
  /** Heap limit of the QuickJS runtime, in MiB. */
  memoryLimitMb: number;
}

export interface WebSearchConfig {
  /** A SearxNG-compatible JSON search URL (`…/search`); the tool is absent when unset. */
  endpoint?: string;
  /** Results returned to the model per query. */
  maxResults: number;
  /** Whole search (connection, redirects, body), in ms. */
  timeoutMs: number;
  /** Largest answer read from the search service, in bytes; a larger one is an error. */
  maxBodyBytes: number;
  /** Hosts other than the endpoint's that a redirect may lead to; none by default. */
  redirectHosts: string[];
}

export interface MemoryToolConfig {
  /** Notes kept per API key; the oldest are dropped beyond it. */
  maxNotes: number;
  /** Prefix of the memory tool's Redis keys; deployments sharing a Redis each set their own. */
  keyPrefix: string;
}

/** The sandbox threads `run_javascript` and `calculator` share (issue 13). */
export interface SandboxPoolConfig {
  /** Threads running a job at once, every request and tool together. */
  maxWorkers: number;
  /** Longest a call waits for a free thread before it gets a tool error, in ms. */
  queueTimeoutMs: number;
}

/** Server-side tools run by the gateway inside `/v1/chat/completions` (docs/api.md §8). */
export interface ToolsConfig {
  /** Rounds of tool execution before the model is asked once more with `tool_choice: none`. */
  maxRounds: number;
  /** Default time limit of one tool call, in ms (a tool may declare its own). */
  timeoutMs: number;
  /**
   * Calls of one assistant turn the gateway runs; a caller's turn with more is a 400, a model's
   * extra calls get a tool error.
   */
  maxCallsPerRound: number;
  /** Calls run for one request over all its rounds; later ones get a tool error. */
  maxCallsPerRequest: number;
  sandbox: SandboxPoolConfig;
  escalation: ToolEscalationConfig;
  builtin: BuiltinToolsConfig;
  runJavascript: RunJavascriptConfig;
  webSearch: WebSearchConfig;
  memory: MemoryToolConfig;
}

/** What happens to rate-limited requests while Redis cannot be reached. */
export type RedisFailureMode = 'open' | 'closed';

export interface LimitsRedisConfig {
  /** `open`: admit without limits (reported degraded); `closed`: 503 until Redis is back. */
  onError: RedisFailureMode;
  /** Prefix of every key the limiter writes. */
  keyPrefix: string;
  /** The longest wait for one Redis command before the failure mode applies, in ms. */
  timeoutMs: number;
}

/** Bounds on a request body's shape, checked once at the edge (400 beyond them). */
export interface RequestLimitsConfig {
  maxMessages: number;
  /** Characters of one message's text (a string, or the sum of its text parts). */
  maxContentChars: number;
  maxTools: number;
  /** Nesting of arrays and objects anywhere in the body. */
  maxJsonDepth: number;
  /** Objects and arrays anywhere in the body, counted in its text before it is parsed. */
  maxJsonContainers: number;
}

/** Per-key rate limits (in Redis when `redis.url` is set) and request-shape bounds. */
export interface LimitsConfig {
  /** Limits of every key that has none of its own (`RATE_LIMIT_RPM`, `_TPM`, `_CONCURRENCY`). */
  defaults: RateLimitsConfig;
  /** Completion tokens reserved before a call that sets no `max_tokens`, until usage is known. */
  reserveCompletionTokens: number;
  redis: LimitsRedisConfig;
  request: RequestLimitsConfig;
}

export interface RedisConfig {
  /** `redis://` or `rediss://` URL of shared state; in-memory state when unset. */
  url?: string;
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
  tools: ToolsConfig;
  redis: RedisConfig;
  limits: LimitsConfig;
}
