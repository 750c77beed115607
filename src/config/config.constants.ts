import type {
  AuthMode,
  RedisFailureMode,
  BalancingPolicy,
  ClassifierName,
  LogLevel,
  ReasoningMode,
  TierName,
  TruncatePolicy,
} from './gateway-config.interface';

/** Values used when neither the environment nor the YAML file says otherwise (docs/api.md §3). */
export const CONFIG_DEFAULTS = {
  port: 9000,
  host: '0.0.0.0',
  bodyLimitBytes: 10 * 1024 * 1024,
  /** A request's headers and body must have arrived within this (issue 13: slow bodies). */
  bodyTimeoutMs: 30_000,
  /** Open client connections per process; more are closed at once (fd exhaustion). */
  maxClientConnections: 4_096,
  logLevel: 'info' as LogLevel,
  authMode: 'required' as AuthMode,
  requestTimeoutMs: 300_000,
  connectTimeoutMs: 5_000,
  /** A JSON answer larger than this is refused (502): tens of MiB fit a big embeddings batch. */
  maxResponseBytes: 64 * 1024 * 1024,
  /** One streamed line (one SSE event's data, one NDJSON line) larger than this is refused. */
  maxStreamLineBytes: 1024 * 1024,
  streaming: true,
  balancing: 'least-outstanding' as BalancingPolicy,
  queueSize: 1_024,
  healthCheckPath: '/health',
  healthCheckIntervalMs: 5_000,
  healthCheckTimeoutMs: 2_000,
  healthyThreshold: 2,
  unhealthyThreshold: 3,
  /** `/v1/models` (key and model ids) is read at start-up and this often: slower than liveness. */
  verifyIntervalMs: 30_000,
  outlierConsecutiveFailures: 5,
  outlierEjectionMs: 30_000,
  outlierMaxEjectionMs: 300_000,
  retryMaxAttempts: 3,
  retryBackoffBaseMs: 25,
  retryBackoffMaxMs: 1_000,
  retryMaxRetryAfterMs: 10_000,
  metricsPath: '/metrics',
  scrapeIntervalMs: 1_000,
  affinityLoadFactor: 1.25,
  /** Time to first byte per tier: a reasoning model thinks before it answers. */
  ttfbMs: { instant: 60_000, thinking: 300_000, embeddings: 60_000 },
  idleMs: 30_000,
  queueMs: { instant: 5_000, thinking: 30_000, embeddings: 5_000 },
  tierFallback: true,
  tierSpill: false,
  drainDelayMs: 5_000,
  gracePeriodMs: 30_000,
  upstreamWeight: 1,
  rejectUnauthorized: true,
  reasoning: 'passthrough' as ReasoningMode,
  truncate: 'none' as TruncatePolicy,
  defaultModel: 'auto',
  defaultTier: 'instant' as TierName,
  classifiers: ['learned', 'rules'] as readonly ClassifierName[],
  thinkingThreshold: 0.5,
  /** `rules` closes the default cascade, so it answers whenever it leans either way. */
  stepMinConfidence: { learned: 0.6, rules: 0.5, semantic: 0.6 } as Record<ClassifierName, number>,
  semanticBudgetMs: 20,
  heartbeatMs: 15_000,
  toolMaxRounds: 8,
  toolTimeoutMs: 10_000,
  toolMaxCallsPerRound: 16,
  toolMaxCallsPerRequest: 64,
  /** Sandbox threads running at once, all requests together (each holds tens of MB). */
  sandboxMaxWorkers: 4,
  sandboxQueueTimeoutMs: 5_000,
  escalationInvalidArguments: 2,
  runJavascriptTimeoutMs: 2_000,
  runJavascriptMemoryLimitMb: 32,
  webSearchMaxResults: 5,
  webSearchTimeoutMs: 5_000,
  webSearchMaxBodyBytes: 1024 * 1024,
  memoryMaxNotes: 200,
  memoryKeyPrefix: 'tiergate:memory:',
  reserveCompletionTokens: 1_024,
  redisOnError: 'open' as RedisFailureMode,
  limitsKeyPrefix: 'tiergate:limits:',
  limitsRedisTimeoutMs: 1_000,
  maxMessages: 2_048,
  maxContentChars: 1_000_000,
  maxTools: 128,
  maxJsonDepth: 64,
  /** Parsing cost grows with objects and arrays, not bytes (issue 13: 10 MiB of `{}` took 4 s). */
  maxJsonContainers: 100_000,
} as const;

export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];
export const AUTH_MODES: readonly AuthMode[] = ['required', 'disabled'];
export const REASONING_MODES: readonly ReasoningMode[] = ['passthrough', 'strip'];
export const TRUNCATE_POLICIES: readonly TruncatePolicy[] = ['none', 'oldest'];
export const CLASSIFIER_NAMES: readonly ClassifierName[] = ['rules', 'learned', 'semantic'];
export const REDIS_FAILURE_MODES: readonly RedisFailureMode[] = ['open', 'closed'];
export const BALANCING_POLICIES: readonly BalancingPolicy[] = [
  'least-outstanding',
  'round-robin',
  'load-aware',
];

/** Model names with a fixed meaning (docs/api.md §4) that an alias may not take over. */
export const RESERVED_MODEL_NAMES: readonly string[] = ['auto', 'instant', 'thinking'];

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
