import 'reflect-metadata';
import { applyDecorators } from '@nestjs/common';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsPositive,
  IsString,
  Max,
  Min,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import {
  AUTH_MODES,
  BALANCING_POLICIES,
  CLASSIFIER_NAMES,
  CONFIG_DEFAULTS,
  CONFIG_LIMITS,
  LOG_LEVELS,
  REASONING_MODES,
  REDIS_FAILURE_MODES,
  TRUNCATE_POLICIES,
} from './config.constants';
import { ConfigMessages as M } from './config.messages';
import {
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
} from './gateway-config.interface';

/*
 * The validation schema of the merged configuration (YAML keys already camelCased, environment
 * already applied). Property initialisers are the defaults: `plainToInstance` constructs each
 * class and then assigns only the keys that were given. Every property carries at least one
 * decorator, because validation runs with `forbidNonWhitelisted` and that is how unknown (for
 * example misspelt) keys are reported instead of silently ignored.
 */

// ${VAR} expansion always yields strings; a numeric or boolean field still accepts `"9000"` or
// `"true"` so that `port: ${PORT_OVERRIDE:-9000}` works.
const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/;
const coerceNumber = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && NUMERIC.test(value) ? Number(value) : value;
const coerceBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;
const trimTrailingSlashes = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim().replace(/\/+$/, '') : value;

/** An empty string (`${VAR:-}`) means the optional value is not set. */
const emptyAsUnset = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** True for an absolute http(s) URL with a host. */
export function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** True for a `redis://` or `rediss://` URL with a host. */
export function isRedisUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** True for `*` or a browser origin: `http(s)://host[:port]`, nothing after it. */
export function isCorsOrigin(value: unknown): boolean {
  if (value === '*') return true;
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

/** True for a list of distinct non-empty strings. */
function isNameList(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.every((item) => typeof item === 'string' && item.trim() !== '') &&
    new Set(value).size === value.length
  );
}

/** True for an http(s) URL without query or fragment whose path ends in `/v1` (no trailing slash). */
export function isUpstreamUrl(value: unknown): boolean {
  if (typeof value !== 'string' || !value.endsWith('/v1')) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    url.hostname !== '' &&
    url.search === '' &&
    url.hash === '' &&
    url.pathname.endsWith('/v1')
  );
}

/** True for a path on an origin: `/health`, `/v1/models` (no scheme, host, query or fragment). */
export function isOriginPath(value: unknown): boolean {
  return typeof value === 'string' && /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(value);
}

const Required = () => IsDefined({ message: M.required() });

const NonEmptyString = () =>
  applyDecorators(
    IsString({ message: M.mustBeNonEmptyString() }),
    IsNotEmpty({ message: M.mustBeNonEmptyString() }),
  );

const IntegerField = (min: number, max: number) =>
  applyDecorators(
    Transform(coerceNumber),
    IsInt({ message: M.integerBetween(min, max) }),
    Min(min, { message: M.integerBetween(min, max) }),
    Max(max, { message: M.integerBetween(min, max) }),
  );

const NumberField = (min: number, max: number) =>
  applyDecorators(
    Transform(coerceNumber),
    IsNumber({ allowNaN: false, allowInfinity: false }, { message: M.numberBetween(min, max) }),
    Min(min, { message: M.numberBetween(min, max) }),
    Max(max, { message: M.numberBetween(min, max) }),
  );

const OneOf = (allowed: readonly string[]) => IsIn([...allowed], { message: M.oneOf(allowed) });

const BooleanField = () =>
  applyDecorators(Transform(coerceBoolean), IsBoolean({ message: M.mustBeBoolean() }));

const OriginPath = () =>
  applyDecorators(
    ValidateBy(
      { name: 'isOriginPath', validator: { validate: isOriginPath } },
      { message: M.originPath() },
    ),
  );

/** A list of distinct non-empty names (models, tools). */
const NameList = () =>
  ValidateBy(
    { name: 'isNameList', validator: { validate: isNameList } },
    { message: M.nameList() },
  );

/** A nested mapping with its own schema. */
const Section = (type: () => new () => object) =>
  applyDecorators(
    IsObject({ message: M.mustBeMapping() }),
    ValidateNested({ message: M.mustBeMapping() }),
    Type(type),
  );

/** A list of mappings with their own schema. */
const ListOf = (type: () => new () => object) =>
  applyDecorators(
    IsArray({ message: M.mustBeList() }),
    ValidateNested({ each: true, message: M.mustBeMapping() }),
    Type(type),
  );

/** A mapping of user-chosen names (pools, aliases) to mappings; class-transformer makes it a Map. */
const NamedMapOf = (type: () => new () => object) =>
  applyDecorators(ValidateNested({ each: true, message: M.mustBeMapping() }), Type(type));

export class ShutdownSchema {
  @IntegerField(0, CONFIG_LIMITS.maxTimeoutMs)
  drainDelayMs: number = CONFIG_DEFAULTS.drainDelayMs;

  @IntegerField(0, CONFIG_LIMITS.maxTimeoutMs)
  gracePeriodMs: number = CONFIG_DEFAULTS.gracePeriodMs;
}

export class CorsSchema {
  @IsArray({ message: M.mustBeList() })
  @ValidateBy(
    { name: 'isCorsOrigin', validator: { validate: isCorsOrigin } },
    { each: true, message: M.corsOrigin() },
  )
  allowedOrigins: string[] = [];
}

export class ServerSchema {
  @IntegerField(1, CONFIG_LIMITS.maxPort)
  port: number = CONFIG_DEFAULTS.port;

  @NonEmptyString()
  host: string = CONFIG_DEFAULTS.host;

  @IntegerField(1, CONFIG_LIMITS.maxBodyLimitBytes)
  bodyLimitBytes: number = CONFIG_DEFAULTS.bodyLimitBytes;

  @IntegerField(1, CONFIG_LIMITS.maxTimeoutMs)
  bodyTimeoutMs: number = CONFIG_DEFAULTS.bodyTimeoutMs;

  @IntegerField(1, CONFIG_LIMITS.maxClientConnections)
  maxConnections: number = CONFIG_DEFAULTS.maxClientConnections;

  @OneOf(LOG_LEVELS)
  logLevel: LogLevel = CONFIG_DEFAULTS.logLevel;

  @Section(() => ShutdownSchema)
  shutdown: ShutdownSchema = new ShutdownSchema();

  @Section(() => CorsSchema)
  cors: CorsSchema = new CorsSchema();
}

/** Unset values are unlimited. */
export class RateLimitsSchema {
  @IsOptional()
  @IntegerField(1, CONFIG_LIMITS.maxRateLimit)
  rpm?: number;

  @IsOptional()
  @IntegerField(1, CONFIG_LIMITS.maxRateLimit)
  tpm?: number;

  @IsOptional()
  @IntegerField(1, CONFIG_LIMITS.maxConcurrency)
  concurrency?: number;
}

export class ClientKeySchema {
  @Required()
  @NonEmptyString()
  name!: string;

  @Required()
  @NonEmptyString()
  key!: string;

  @IsOptional()
  @IsArray({ message: M.listOf(ACCESS_TIERS) })
  @IsIn([...ACCESS_TIERS], { each: true, message: M.listOf(ACCESS_TIERS) })
  @ArrayUnique({ message: M.listOf(ACCESS_TIERS) })
  allowedTiers?: AccessTier[];

  @IsOptional()
  @NameList()
  allowedModels?: string[];

  @IsOptional()
  @NameList()
  allowedTools?: string[];

  @IsOptional()
  @Section(() => RateLimitsSchema)
  limits?: RateLimitsSchema;
}

export class AuthSchema {
  @OneOf(AUTH_MODES)
  mode: AuthMode = CONFIG_DEFAULTS.authMode;

  @ListOf(() => ClientKeySchema)
  keys: ClientKeySchema[] = [];
}

export class TlsSchema {
  @BooleanField()
  rejectUnauthorized: boolean = CONFIG_DEFAULTS.rejectUnauthorized;
}

export class UpstreamSchema {
  @Required()
  @Transform(trimTrailingSlashes)
  @ValidateBy(
    { name: 'isUpstreamUrl', validator: { validate: isUpstreamUrl } },
    { message: M.upstreamUrl() },
  )
  url!: string;

  /** Resolved against the environment before validation; an empty string means none. */
  @IsOptional()
  @IsString({ message: M.mustBeNonEmptyString() })
  apiKey?: string;

  @Transform(coerceNumber)
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: M.positiveNumber() })
  @IsPositive({ message: M.positiveNumber() })
  weight: number = CONFIG_DEFAULTS.upstreamWeight;

  @Section(() => TlsSchema)
  tls: TlsSchema = new TlsSchema();
}

export class HealthCheckSchema {
  @BooleanField()
  enabled: boolean = true;

  @OriginPath()
  path: string = CONFIG_DEFAULTS.healthCheckPath;

  @IntegerField(1, CONFIG_LIMITS.maxTimeoutMs)
  intervalMs: number = CONFIG_DEFAULTS.healthCheckIntervalMs;

  @IntegerField(1, CONFIG_LIMITS.maxTimeoutMs)
  timeoutMs: number = CONFIG_DEFAULTS.healthCheckTimeoutMs;

  @IntegerField(1, CONFIG_LIMITS.maxThreshold)
  healthyThreshold: number = CONFIG_DEFAULTS.healthyThreshold;

  @IntegerField(1, CONFIG_LIMITS.maxThreshold)
  unhealthyThreshold: number = CONFIG_DEFAULTS.unhealthyThreshold;

  @IntegerField(0, CONFIG_LIMITS.maxTimeoutMs)
  verifyIntervalMs: number = CONFIG_DEFAULTS.verifyIntervalMs;
}

export class OutlierSchema {
  @IntegerField(1, CONFIG_LIMITS.maxThreshold)
  consecutiveFailures: number = CONFIG_DEFAULTS.outlierConsecutiveFailures;

  @IntegerField(1, CONFIG_LIMITS.maxTimeoutMs)
  ejectionMs: number = CONFIG_DEFAULTS.outlierEjectionMs;

  @IntegerField(1, CONFIG_LIMITS.maxTimeoutMs)
  maxEjectionMs: number = CONFIG_DEFAULTS.outlierMaxEjectionMs;
}

export class RetriesSchema {
  @IntegerField(1, CONFIG_LIMITS.maxAttempts)
  maxAttempts: number = CONFIG_DEFAULTS.retryMaxAttempts;

  @IntegerField(0, CONFIG_LIMITS.maxTimeoutMs)
  backoffBaseMs: number = CONFIG_DEFAULTS.retryBackoffBaseMs;

  @IntegerField(0, CONFIG_LIMITS.maxTimeoutMs)
  backoffMaxMs: number = CONFIG_DEFAULTS.retryBackoffMaxMs;

  @IntegerField(0, CONFIG_LIMITS.maxTimeoutMs)
  maxRetryAfterMs: number = CONFIG_DEFAULTS.retryMaxRetryAfterMs;
}

export class LoadAwareSchema {
  @OriginPath()
  metricsPath: string = CONFIG_DEFAULTS.metricsPath;

  @IntegerField(1, CONFIG_LIMITS.maxTimeoutMs)
  scrapeIntervalMs: number = CONFIG_DEFAULTS.scrapeIntervalMs;

  /** Unset means three scrape intervals, applied after validation. */
  @IsOptional()
  @IntegerField(1, CONFIG_LIMITS.maxTimeoutMs)
  staleAfterMs?: number;
}

export class PrefixAffinitySchema {
  @BooleanField()
  enabled: boolean = false;

  @NumberField(1, 100)
  loadFactor: number = CONFIG_DEFAULTS.affinityLoadFactor;
}

export class PoolSchema {
  @Required()
  @ArrayMinSize(1, { message: M.atLeastOneUpstream() })
  @ListOf(() => UpstreamSchema)
  upstreams!: UpstreamSchema[];

  /**
   * Unset means no bound: a model server admits and queues requests itself (vLLM runs 256
   * sequences and queues the rest), so a default cap here would only turn its queue into 503s.
   */
  @IsOptional()
  @IntegerField(1, CONFIG_LIMITS.maxConnections)
  maxConnections?: number;

  @IntegerField(1, CONFIG_LIMITS.maxTimeoutMs)
  connectTimeoutMs: number = CONFIG_DEFAULTS.connectTimeoutMs;

  @IntegerField(1024, CONFIG_LIMITS.maxResponseBytes)
  maxResponseBytes: number = CONFIG_DEFAULTS.maxResponseBytes;

  @IntegerField(1024, CONFIG_LIMITS.maxResponseBytes)
  maxStreamLineBytes: number = CONFIG_DEFAULTS.maxStreamLineBytes;
  /** false: streamed requests are sent as non-streamed calls and streamed from the answer. */
  @BooleanField()
  streaming: boolean = CONFIG_DEFAULTS.streaming;

  @OneOf(BALANCING_POLICIES)
  balancing: BalancingPolicy = CONFIG_DEFAULTS.balancing;

  /** Unset means `max_connections` (and no bound when that is unset), applied after validation. */
  @IsOptional()
  @IntegerField(1, CONFIG_LIMITS.maxConnections)
  maxConcurrency?: number;

  @IntegerField(0, CONFIG_LIMITS.maxQueueSize)
  queueSize: number = CONFIG_DEFAULTS.queueSize;

  @Section(() => HealthCheckSchema)
  healthCheck: HealthCheckSchema = new HealthCheckSchema();

  @Section(() => OutlierSchema)
  outlier: OutlierSchema = new OutlierSchema();

  @Section(() => RetriesSchema)
  retries: RetriesSchema = new RetriesSchema();

  @Section(() => LoadAwareSchema)
  loadAware: LoadAwareSchema = new LoadAwareSchema();

  @Section(() => PrefixAffinitySchema)
  prefixAffinity: PrefixAffinitySchema = new PrefixAffinitySchema();

  /** The pool's default for upstreams that give no key of their own. */
  @IsOptional()
  @IsString({ message: M.mustBeNonEmptyString() })
  apiKey?: string;
}

export class TimeoutsSchema {
  /** Unset means the global REQUEST_TIMEOUT_MS, applied after validation. */
  @IsOptional()
  @IntegerField(1, CONFIG_LIMITS.maxTimeoutMs)
  requestMs?: number;

  /** Unset means the tier's default (a thinking model may take long to start answering). */
  @IsOptional()
  @IntegerField(1, CONFIG_LIMITS.maxTimeoutMs)
  ttfbMs?: number;

  @IsOptional()
  @IntegerField(1, CONFIG_LIMITS.maxTimeoutMs)
  idleMs?: number;

  @IsOptional()
  @IntegerField(0, CONFIG_LIMITS.maxTimeoutMs)
  queueMs?: number;
}

export class TierSchema {
  // Both optional here: whether a tier is complete is a cross-field rule that can name the
  // environment variable a half-configured tier is missing.
  @IsOptional()
  @NonEmptyString()
  pool?: string;

  @IsOptional()
  @NonEmptyString()
  model?: string;

  @OneOf(REASONING_MODES)
  reasoning: ReasoningMode = CONFIG_DEFAULTS.reasoning;

  @IsOptional()
  @IntegerField(1, Number.MAX_SAFE_INTEGER)
  contextWindow?: number;

  @Section(() => TimeoutsSchema)
  timeouts: TimeoutsSchema = new TimeoutsSchema();

  @BooleanField()
  fallback: boolean = CONFIG_DEFAULTS.tierFallback;

  @BooleanField()
  spill: boolean = CONFIG_DEFAULTS.tierSpill;
}

export class TiersSchema {
  @IsOptional()
  @Section(() => TierSchema)
  instant?: TierSchema;

  @IsOptional()
  @Section(() => TierSchema)
  thinking?: TierSchema;
}

export class EmbeddingsSchema {
  @IsOptional()
  @NonEmptyString()
  pool?: string;

  @IsOptional()
  @NonEmptyString()
  model?: string;

  @Section(() => TimeoutsSchema)
  timeouts: TimeoutsSchema = new TimeoutsSchema();
}

export class AliasSchema {
  @Required()
  @OneOf(TIER_NAMES)
  tier!: TierName;

  @OneOf(TRUNCATE_POLICIES)
  truncate: TruncatePolicy = CONFIG_DEFAULTS.truncate;
}

export class ClassifierStepSchema {
  // No default here: the loader applies each step's own default.
  @IsOptional()
  @NumberField(0.5, 1)
  minConfidence?: number;
}

export class ClassifierStepsSchema {
  @IsOptional()
  @Section(() => ClassifierStepSchema)
  rules?: ClassifierStepSchema;

  @IsOptional()
  @Section(() => ClassifierStepSchema)
  learned?: ClassifierStepSchema;

  @IsOptional()
  @Section(() => ClassifierStepSchema)
  semantic?: ClassifierStepSchema;
}

export class RoutingSchema {
  @NonEmptyString()
  defaultModel: string = CONFIG_DEFAULTS.defaultModel;

  /** Unset means instant when instant is configured, else thinking. */
  @IsOptional()
  @OneOf(TIER_NAMES)
  defaultTier?: TierName;

  @IsArray({ message: M.listOf(CLASSIFIER_NAMES) })
  @IsIn([...CLASSIFIER_NAMES], { each: true, message: M.listOf(CLASSIFIER_NAMES) })
  @ArrayUnique({ message: M.listOf(CLASSIFIER_NAMES) })
  classifiers: ClassifierName[] = [...CONFIG_DEFAULTS.classifiers];

  @NumberField(0, 1)
  thinkingThreshold: number = CONFIG_DEFAULTS.thinkingThreshold;

  @Section(() => ClassifierStepsSchema)
  steps: ClassifierStepsSchema = new ClassifierStepsSchema();

  @IntegerField(1, CONFIG_LIMITS.maxTimeoutMs)
  semanticBudgetMs: number = CONFIG_DEFAULTS.semanticBudgetMs;
}

export class StreamingSchema {
  @IntegerField(1, CONFIG_LIMITS.maxTimeoutMs)
  heartbeatMs: number = CONFIG_DEFAULTS.heartbeatMs;
}

export class ToolSwitchSchema {
  @BooleanField()
  enabled: boolean = true;
}

/** The switch of a tool that runs code or keeps state: off unless configured (issue 13). */
export class OptInToolSwitchSchema {
  @BooleanField()
  enabled: boolean = false;
}

export class BuiltinToolsSchema {
  @Section(() => ToolSwitchSchema)
  calculator: ToolSwitchSchema = new ToolSwitchSchema();

  @Section(() => ToolSwitchSchema)
  currentTime: ToolSwitchSchema = new ToolSwitchSchema();

  @Section(() => OptInToolSwitchSchema)
  runJavascript: OptInToolSwitchSchema = new OptInToolSwitchSchema();

  @Section(() => ToolSwitchSchema)
  webSearch: ToolSwitchSchema = new ToolSwitchSchema();

  @Section(() => OptInToolSwitchSchema)
  memory: OptInToolSwitchSchema = new OptInToolSwitchSchema();
}

export class ToolEscalationSchema {
  @BooleanField()
  enabled: boolean = true;

  @IntegerField(1, CONFIG_LIMITS.maxToolRounds)
  invalidArguments: number = CONFIG_DEFAULTS.escalationInvalidArguments;

  /** Unset means half of `max_rounds`, rounded up, applied after validation. */
  @IsOptional()
  @IntegerField(1, CONFIG_LIMITS.maxToolRounds)
  rounds?: number;
}

export class RunJavascriptSchema {
  @IntegerField(1, CONFIG_LIMITS.maxTimeoutMs)
  timeoutMs: number = CONFIG_DEFAULTS.runJavascriptTimeoutMs;

  @IntegerField(1, CONFIG_LIMITS.maxSandboxMemoryMb)
  memoryLimitMb: number = CONFIG_DEFAULTS.runJavascriptMemoryLimitMb;
}

export class WebSearchSchema {
  @IsOptional()
  @Transform(emptyAsUnset)
  @ValidateBy({ name: 'isHttpUrl', validator: { validate: isHttpUrl } }, { message: M.httpUrl() })
  endpoint?: string;

  @IntegerField(1, CONFIG_LIMITS.maxSearchResults)
  maxResults: number = CONFIG_DEFAULTS.webSearchMaxResults;

  @IntegerField(1, CONFIG_LIMITS.maxTimeoutMs)
  timeoutMs: number = CONFIG_DEFAULTS.webSearchTimeoutMs;

  @IntegerField(1, CONFIG_LIMITS.maxBodyLimitBytes)
  maxBodyBytes: number = CONFIG_DEFAULTS.webSearchMaxBodyBytes;

  @IsArray({ message: M.mustBeList() })
  @IsString({ each: true, message: M.mustBeNonEmptyString() })
  @IsNotEmpty({ each: true, message: M.mustBeNonEmptyString() })
  redirectHosts: string[] = [];
}

export class MemoryToolSchema {
  @IntegerField(1, CONFIG_LIMITS.maxMemoryNotes)
  maxNotes: number = CONFIG_DEFAULTS.memoryMaxNotes;

  @NonEmptyString()
  keyPrefix: string = CONFIG_DEFAULTS.memoryKeyPrefix;
}

export class SandboxPoolSchema {
  @IntegerField(1, CONFIG_LIMITS.maxSandboxWorkers)
  maxWorkers: number = CONFIG_DEFAULTS.sandboxMaxWorkers;

  @IntegerField(1, CONFIG_LIMITS.maxTimeoutMs)
  queueTimeoutMs: number = CONFIG_DEFAULTS.sandboxQueueTimeoutMs;
}

export class ToolsSchema {
  @IntegerField(1, CONFIG_LIMITS.maxToolRounds)
  maxRounds: number = CONFIG_DEFAULTS.toolMaxRounds;

  @IntegerField(1, CONFIG_LIMITS.maxTimeoutMs)
  timeoutMs: number = CONFIG_DEFAULTS.toolTimeoutMs;

  @IntegerField(1, CONFIG_LIMITS.maxToolCalls)
  maxCallsPerRound: number = CONFIG_DEFAULTS.toolMaxCallsPerRound;

  @IntegerField(1, CONFIG_LIMITS.maxToolCalls)
  maxCallsPerRequest: number = CONFIG_DEFAULTS.toolMaxCallsPerRequest;

  @Section(() => SandboxPoolSchema)
  sandbox: SandboxPoolSchema = new SandboxPoolSchema();

  @Section(() => ToolEscalationSchema)
  escalation: ToolEscalationSchema = new ToolEscalationSchema();

  @Section(() => BuiltinToolsSchema)
  builtin: BuiltinToolsSchema = new BuiltinToolsSchema();

  @Section(() => RunJavascriptSchema)
  runJavascript: RunJavascriptSchema = new RunJavascriptSchema();

  @Section(() => WebSearchSchema)
  webSearch: WebSearchSchema = new WebSearchSchema();

  @Section(() => MemoryToolSchema)
  memory: MemoryToolSchema = new MemoryToolSchema();
}

export class RedisSchema {
  @IsOptional()
  @Transform(emptyAsUnset)
  @ValidateBy(
    { name: 'isRedisUrl', validator: { validate: isRedisUrl } },
    { message: M.redisUrl() },
  )
  url?: string;
}

export class LimitsRedisSchema {
  @OneOf(REDIS_FAILURE_MODES)
  onError: RedisFailureMode = CONFIG_DEFAULTS.redisOnError;

  @NonEmptyString()
  keyPrefix: string = CONFIG_DEFAULTS.limitsKeyPrefix;

  @IntegerField(1, CONFIG_LIMITS.maxTimeoutMs)
  timeoutMs: number = CONFIG_DEFAULTS.limitsRedisTimeoutMs;
}

export class RequestLimitsSchema {
  @IntegerField(1, CONFIG_LIMITS.maxMessages)
  maxMessages: number = CONFIG_DEFAULTS.maxMessages;

  @IntegerField(1, CONFIG_LIMITS.maxContentChars)
  maxContentChars: number = CONFIG_DEFAULTS.maxContentChars;

  @IntegerField(0, CONFIG_LIMITS.maxTools)
  maxTools: number = CONFIG_DEFAULTS.maxTools;

  @IntegerField(2, CONFIG_LIMITS.maxJsonDepth)
  maxJsonDepth: number = CONFIG_DEFAULTS.maxJsonDepth;

  @IntegerField(1, CONFIG_LIMITS.maxJsonContainers)
  maxJsonContainers: number = CONFIG_DEFAULTS.maxJsonContainers;
}

export class LimitsSchema {
  @Section(() => RateLimitsSchema)
  defaults: RateLimitsSchema = new RateLimitsSchema();

  @IntegerField(0, CONFIG_LIMITS.maxRateLimit)
  reserveCompletionTokens: number = CONFIG_DEFAULTS.reserveCompletionTokens;

  @Section(() => LimitsRedisSchema)
  redis: LimitsRedisSchema = new LimitsRedisSchema();

  @Section(() => RequestLimitsSchema)
  request: RequestLimitsSchema = new RequestLimitsSchema();
}

export class GatewayConfigSchema {
  @Section(() => ServerSchema)
  server: ServerSchema = new ServerSchema();

  @Section(() => AuthSchema)
  auth: AuthSchema = new AuthSchema();

  @NamedMapOf(() => PoolSchema)
  pools: Map<string, PoolSchema> = new Map();

  @Section(() => TiersSchema)
  tiers: TiersSchema = new TiersSchema();

  @IsOptional()
  @Section(() => EmbeddingsSchema)
  embeddings?: EmbeddingsSchema;

  @NamedMapOf(() => AliasSchema)
  aliases: Map<string, AliasSchema> = new Map();

  @Section(() => RoutingSchema)
  routing: RoutingSchema = new RoutingSchema();

  @Section(() => StreamingSchema)
  streaming: StreamingSchema = new StreamingSchema();

  @Section(() => ToolsSchema)
  tools: ToolsSchema = new ToolsSchema();

  @Section(() => RedisSchema)
  redis: RedisSchema = new RedisSchema();

  @Section(() => LimitsSchema)
  limits: LimitsSchema = new LimitsSchema();
}
