import type {
  AuthMode,
  ClassifierName,
  LogLevel,
  ReasoningMode,
  TierName,
  TruncatePolicy,
} from './gateway-config.interface';

/** Values used when neither the environment nor the YAML file says otherwise (SPEC §3). */
export const CONFIG_DEFAULTS = {
  port: 9000,
  host: '0.0.0.0',
  bodyLimitBytes: 10 * 1024 * 1024,
  logLevel: 'info' as LogLevel,
  authMode: 'required' as AuthMode,
  requestTimeoutMs: 300_000,
  maxConnections: 64,
  connectTimeoutMs: 5_000,
  upstreamWeight: 1,
  rejectUnauthorized: true,
  reasoning: 'passthrough' as ReasoningMode,
  truncate: 'none' as TruncatePolicy,
  defaultModel: 'auto',
  defaultTier: 'instant' as TierName,
  classifiers: ['learned', 'rules'] as readonly ClassifierName[],
  thinkingThreshold: 0.5,
  stepMinConfidence: 0.6,
  semanticBudgetMs: 20,
  heartbeatMs: 15_000,
} as const;

export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];
export const AUTH_MODES: readonly AuthMode[] = ['required', 'disabled'];
export const REASONING_MODES: readonly ReasoningMode[] = ['passthrough', 'strip'];
export const TRUNCATE_POLICIES: readonly TruncatePolicy[] = ['none', 'oldest'];
export const CLASSIFIER_NAMES: readonly ClassifierName[] = ['rules', 'learned', 'semantic'];

/** Model names with a fixed meaning (SPEC §4) that an alias may not take over. */
export const RESERVED_MODEL_NAMES: readonly string[] = ['auto', 'instant', 'thinking'];

/** Upper bounds that only catch typos (an extra zero), not policy. */
export const CONFIG_LIMITS = {
  maxPort: 65_535,
  maxTimeoutMs: 24 * 60 * 60 * 1000,
  maxBodyLimitBytes: 1024 * 1024 * 1024,
  maxConnections: 65_536,
} as const;
