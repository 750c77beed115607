import { plainToInstance } from 'class-transformer';
import { normalizeConfigKeys } from './config-keys.normalizer';
import { CLASSIFIER_NAMES, CONFIG_DEFAULTS } from './config.constants';
import { ConfigValidationError, isWithinPath, type ConfigIssue } from './config.errors';
import {
  GatewayConfigSchema,
  type ClientKeySchema,
  type RateLimitsSchema,
  type TimeoutsSchema,
  type UpstreamSchema,
} from './config.schema';
import {
  attributeToEnv,
  crossCheckConfig,
  normalizeClientKey,
  validateConfigSchema,
} from './config.validator';
import { expandEnvTree, type EnvSource } from './env-expand';
import { applyEnvOverlay } from './env.overlay';
import {
  TIER_NAMES,
  type ClassifierStepConfig,
  type ClientKeyConfig,
  type GatewayConfig,
  type PoolConfig,
  type RateLimitsConfig,
  type TierConfig,
  type TierName,
  type TierTimeouts,
  type UpstreamConfig,
} from './gateway-config.interface';
import { readYamlConfigFile } from './yaml-file.reader';

/**
 * Builds the gateway's configuration from `env` and the YAML file that `env.GATEWAY_CONFIG`
 * names: defaults < YAML (after `${VAR}` expansion from `env`) < environment. Pure apart from
 * reading that file; takes the environment as an argument so specs need not touch
 * `process.env`.
 *
 * @throws ConfigValidationError listing every bad key, one per line, when anything is wrong.
 * @example
 * loadGatewayConfig({
 *   INSTANT_UPSTREAMS: 'http://127.0.0.1:8001/v1',
 *   INSTANT_MODEL: 'Qwen/Qwen2.5-7B-Instruct',
 *   GATEWAY_AUTH: 'disabled',
 * }).tiers.instant?.pool; // 'instant'
 */
export function loadGatewayConfig(env: EnvSource): GatewayConfig {
  const issues: ConfigIssue[] = [];
  let tree: Record<string, unknown> = {};
  let fileUsable = true;
  // Paths whose ${VAR} could not be expanded: that is their one problem, whatever the
  // placeholder left behind would fail later.
  const unexpanded: string[] = [];

  const file = env.GATEWAY_CONFIG?.trim();
  if (file) {
    const read = readYamlConfigFile(file);
    issues.push(...read.issues);
    fileUsable = read.issues.length === 0;
    const expanded = expandEnvTree(read.tree, env);
    issues.push(...expanded.issues);
    unexpanded.push(...expanded.issues.map((issue) => issue.path));
    const normalized = normalizeConfigKeys(expanded.value as Record<string, unknown>);
    issues.push(...normalized.issues);
    tree = normalized.value;
  }

  const overlay = applyEnvOverlay(tree, env);
  issues.push(...overlay.issues);
  // Without the file, relations such as "at least one tier" would only report its absence.
  if (!fileUsable) throw new ConfigValidationError(issues);

  const schema = plainToInstance(GatewayConfigSchema, tree);
  const found = [...validateConfigSchema(schema), ...crossCheckConfig(schema, overlay.sources)];
  issues.push(
    ...attributeToEnv(
      found.filter((issue) => !unexpanded.some((path) => isWithinPath(issue.path, path))),
      overlay.sources,
    ),
  );
  if (issues.length > 0) throw new ConfigValidationError(withoutRepeats(issues));
  return deepFreeze(toGatewayConfig(schema, overlay.requestTimeoutMs));
}

/**
 * The configuration of this process: {@link loadGatewayConfig} applied to `process.env`. This
 * folder is the only code that reads `process.env` (STYLE: validate once, at the edge).
 *
 * @throws ConfigValidationError as {@link loadGatewayConfig} does.
 */
export function readGatewayConfig(): GatewayConfig {
  return loadGatewayConfig(process.env);
}

/** The same, shaped for `ConfigModule.forRoot({ load: [gatewayConfigFactory] })`. */
export const gatewayConfigFactory = (): GatewayConfig => readGatewayConfig();

/** Maps the validated schema to the public shape; only called when there were no issues. */
function toGatewayConfig(schema: GatewayConfigSchema, requestTimeoutMs: number): GatewayConfig {
  const pools: Record<string, PoolConfig> = {};
  for (const [name, pool] of schema.pools) {
    pools[name] = {
      name,
      upstreams: pool.upstreams.map((upstream) => toUpstream(upstream, pool.apiKey)),
      maxConnections: pool.maxConnections,
      connectTimeoutMs: pool.connectTimeoutMs,
      maxResponseBytes: pool.maxResponseBytes,
      maxStreamLineBytes: pool.maxStreamLineBytes,
      streaming: pool.streaming,
      balancing: pool.balancing,
      maxConcurrency: pool.maxConcurrency ?? pool.maxConnections ?? Number.POSITIVE_INFINITY,
      queueSize: pool.queueSize,
      healthCheck: { ...pool.healthCheck },
      outlier: { ...pool.outlier },
      retries: { ...pool.retries },
      loadAware: {
        metricsPath: pool.loadAware.metricsPath,
        scrapeIntervalMs: pool.loadAware.scrapeIntervalMs,
        staleAfterMs: pool.loadAware.staleAfterMs ?? 3 * pool.loadAware.scrapeIntervalMs,
      },
      prefixAffinity: { ...pool.prefixAffinity },
    };
  }

  const tiers: Partial<Record<TierName, TierConfig>> = {};
  for (const name of TIER_NAMES) {
    const tier = schema.tiers[name];
    if (!tier) continue;
    tiers[name] = {
      name,
      pool: tier.pool as string,
      model: tier.model as string,
      timeouts: toTimeouts(tier.timeouts, name, requestTimeoutMs),
      reasoning: tier.reasoning,
      ...(tier.contextWindow === undefined ? {} : { contextWindow: tier.contextWindow }),
      fallback: tier.fallback,
      spill: tier.spill,
    };
  }

  const { embeddings, routing, tools } = schema;
  const steps: Partial<Record<(typeof CLASSIFIER_NAMES)[number], ClassifierStepConfig>> = {};
  for (const name of CLASSIFIER_NAMES) {
    steps[name] = {
      minConfidence: routing.steps[name]?.minConfidence ?? CONFIG_DEFAULTS.stepMinConfidence[name],
    };
  }

  return {
    server: {
      ...schema.server,
      shutdown: { ...schema.server.shutdown },
      cors: { allowedOrigins: [...schema.server.cors.allowedOrigins] },
    },
    auth: { mode: schema.auth.mode, keys: schema.auth.keys.map(toClientKey) },
    pools,
    tiers,
    ...(embeddings
      ? {
          embeddings: {
            pool: embeddings.pool as string,
            model: embeddings.model as string,
            timeouts: toTimeouts(embeddings.timeouts, 'embeddings', requestTimeoutMs),
          },
        }
      : {}),
    aliases: Object.fromEntries(
      [...schema.aliases].map(([name, { tier, truncate }]) => [name, { tier, truncate }]),
    ),
    routing: {
      defaultModel: routing.defaultModel,
      defaultTier: routing.defaultTier ?? (tiers.instant ? 'instant' : 'thinking'),
      classifiers: [...routing.classifiers],
      thinkingThreshold: routing.thinkingThreshold,
      steps,
      semanticBudgetMs: routing.semanticBudgetMs,
    },
    streaming: { heartbeatMs: schema.streaming.heartbeatMs },
    tools: {
      maxRounds: tools.maxRounds,
      timeoutMs: tools.timeoutMs,
      maxCallsPerRound: tools.maxCallsPerRound,
      maxCallsPerRequest: tools.maxCallsPerRequest,
      sandbox: { ...tools.sandbox },
      escalation: {
        enabled: tools.escalation.enabled,
        invalidArguments: tools.escalation.invalidArguments,
        rounds: tools.escalation.rounds ?? Math.ceil(tools.maxRounds / 2),
      },
      builtin: {
        calculator: { enabled: tools.builtin.calculator.enabled },
        currentTime: { enabled: tools.builtin.currentTime.enabled },
        runJavascript: { enabled: tools.builtin.runJavascript.enabled },
        webSearch: { enabled: tools.builtin.webSearch.enabled },
        memory: { enabled: tools.builtin.memory.enabled },
      },
      runJavascript: { ...tools.runJavascript },
      webSearch: {
        ...(tools.webSearch.endpoint === undefined ? {} : { endpoint: tools.webSearch.endpoint }),
        maxResults: tools.webSearch.maxResults,
        timeoutMs: tools.webSearch.timeoutMs,
        maxBodyBytes: tools.webSearch.maxBodyBytes,
        redirectHosts: tools.webSearch.redirectHosts.map((host) => host.toLowerCase()),
      },
      memory: { maxNotes: tools.memory.maxNotes, keyPrefix: tools.memory.keyPrefix },
    },
    redis: schema.redis.url === undefined ? {} : { url: schema.redis.url },
    limits: {
      defaults: toRateLimits(schema.limits.defaults),
      reserveCompletionTokens: schema.limits.reserveCompletionTokens,
      redis: { ...schema.limits.redis },
      request: { ...schema.limits.request },
    },
  };
}

/** Optional fields appear only when set, so a plain key stays `{ name, key }`. */
function toClientKey(key: ClientKeySchema): ClientKeyConfig {
  return {
    name: key.name,
    key: normalizeClientKey(key.key),
    ...(key.allowedTiers === undefined ? {} : { allowedTiers: [...key.allowedTiers] }),
    ...(key.allowedModels === undefined ? {} : { allowedModels: [...key.allowedModels] }),
    ...(key.allowedTools === undefined ? {} : { allowedTools: [...key.allowedTools] }),
    ...(key.limits === undefined ? {} : { limits: toRateLimits(key.limits) }),
  };
}

function toRateLimits(limits: RateLimitsSchema): RateLimitsConfig {
  return {
    ...(limits.rpm === undefined ? {} : { rpm: limits.rpm }),
    ...(limits.tpm === undefined ? {} : { tpm: limits.tpm }),
    ...(limits.concurrency === undefined ? {} : { concurrency: limits.concurrency }),
  };
}

function toTimeouts(
  timeouts: TimeoutsSchema,
  kind: TierName | 'embeddings',
  requestTimeoutMs: number,
): TierTimeouts {
  return {
    requestMs: timeouts.requestMs ?? requestTimeoutMs,
    ttfbMs: timeouts.ttfbMs ?? CONFIG_DEFAULTS.ttfbMs[kind],
    idleMs: timeouts.idleMs ?? CONFIG_DEFAULTS.idleMs,
    queueMs: timeouts.queueMs ?? CONFIG_DEFAULTS.queueMs[kind],
  };
}

function toUpstream(upstream: UpstreamSchema, poolKey: string | undefined): UpstreamConfig {
  // An empty key (`api_key: ${X:-}`) means "none", so the pool default can still apply.
  const apiKey = upstream.apiKey || poolKey || undefined;
  return {
    url: upstream.url,
    ...(apiKey === undefined ? {} : { apiKey }),
    weight: upstream.weight,
    tls: { rejectUnauthorized: upstream.tls.rejectUnauthorized },
  };
}

function withoutRepeats(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const line = `${issue.path}\n${issue.message}`;
    if (seen.has(line)) return false;
    seen.add(line);
    return true;
  });
}

// The object is shared by every module for the life of the process; freezing turns an
// accidental write into an error instead of a change other modules would observe.
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
