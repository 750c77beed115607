import { camelToSnake } from './config-keys.normalizer';
import {
  AUTH_MODES,
  CONFIG_DEFAULTS,
  CONFIG_LIMITS,
  LOG_LEVELS,
  REDIS_FAILURE_MODES,
} from './config.constants';
import { formatConfigPath, isWithinPath, type ConfigIssue } from './config.errors';
import { ConfigMessages } from './config.messages';
import { isPlainObject, type EnvSource } from './env-expand';

/** Where each value that came from the environment sits in the YAML-shaped tree. */
export type EnvSources = Map<string, string>;

export interface EnvOverlayResult {
  issues: ConfigIssue[];
  /** Formatted path (prefix) → the variable that set it, e.g. `pools.instant.upstreams` → `INSTANT_UPSTREAMS`. */
  sources: EnvSources;
  /** The default of every `timeouts.request_ms` that the YAML file leaves unset. */
  requestTimeoutMs: number;
}

interface EnvPool {
  /** Variable prefix: `INSTANT_UPSTREAMS`, `INSTANT_MODEL`, `INSTANT_API_KEY`. */
  prefix: string;
  /** The pool that `<prefix>_UPSTREAMS` defines. */
  pool: string;
  /** Where `pool` and `model` go: `tiers.instant` or `embeddings`. */
  target: readonly ['tiers', string] | readonly ['embeddings'];
}

export const ENV_POOLS: readonly EnvPool[] = [
  { prefix: 'INSTANT', pool: 'instant', target: ['tiers', 'instant'] },
  { prefix: 'THINKING', pool: 'thinking', target: ['tiers', 'thinking'] },
  { prefix: 'EMBEDDINGS', pool: 'embeddings', target: ['embeddings'] },
];

/**
 * Applies the environment (docs/api.md §3) on top of the camelCased YAML tree, in place: environment
 * beats YAML. Scalars are checked here, named by their variable (`PORT: must be …`), and not
 * applied when bad, so the schema does not report them a second time. Values whose checks need
 * the merged tree (URLs, pool references, key formats) are recorded in `sources`, so that later
 * issues about them can say which variable they came from.
 */
export function applyEnvOverlay(raw: Record<string, unknown>, env: EnvSource): EnvOverlayResult {
  const issues: ConfigIssue[] = [];
  const sources: EnvSources = new Map();
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const integer = (name: string, min: number, max: number): number | undefined => {
    const text = read(name);
    if (text === undefined) return undefined;
    const value = /^\d+$/.test(text) ? Number(text) : NaN;
    if (Number.isSafeInteger(value) && value >= min && value <= max) return value;
    issues.push({ path: name, message: ConfigMessages.integerBetween(min, max) });
    return undefined;
  };
  const choice = <T extends string>(name: string, allowed: readonly T[]): T | undefined => {
    const text = read(name)?.toLowerCase();
    if (text === undefined) return undefined;
    if ((allowed as readonly string[]).includes(text)) return text as T;
    issues.push({ path: name, message: ConfigMessages.oneOf(allowed) });
    return undefined;
  };
  const set = (path: readonly string[], value: unknown, source: string): void => {
    const parent = section(raw, path.slice(0, -1));
    if (!parent) return;
    parent[path[path.length - 1]] = value;
    sources.set(formatConfigPath(path.map(camelToSnake)), source);
  };

  const port = integer('PORT', 1, CONFIG_LIMITS.maxPort);
  if (port !== undefined) set(['server', 'port'], port, 'PORT');
  const host = read('HOST');
  if (host !== undefined) set(['server', 'host'], host, 'HOST');
  const bodyLimit = integer('BODY_LIMIT_BYTES', 1, CONFIG_LIMITS.maxBodyLimitBytes);
  if (bodyLimit !== undefined) set(['server', 'bodyLimitBytes'], bodyLimit, 'BODY_LIMIT_BYTES');
  const bodyTimeout = integer('BODY_TIMEOUT_MS', 1, CONFIG_LIMITS.maxTimeoutMs);
  if (bodyTimeout !== undefined) set(['server', 'bodyTimeoutMs'], bodyTimeout, 'BODY_TIMEOUT_MS');
  const maxConnections = integer('MAX_CLIENT_CONNECTIONS', 1, CONFIG_LIMITS.maxClientConnections);
  if (maxConnections !== undefined) {
    set(['server', 'maxConnections'], maxConnections, 'MAX_CLIENT_CONNECTIONS');
  }
  const logLevel = choice('LOG_LEVEL', LOG_LEVELS);
  if (logLevel !== undefined) set(['server', 'logLevel'], logLevel, 'LOG_LEVEL');

  const authMode = choice('GATEWAY_AUTH', AUTH_MODES);
  if (authMode !== undefined) set(['auth', 'mode'], authMode, 'GATEWAY_AUTH');
  appendClientKeys(raw, read('GATEWAY_API_KEYS'), sources);

  const defaultModel = read('ROUTING_DEFAULT_MODEL');
  if (defaultModel !== undefined) {
    set(['routing', 'defaultModel'], defaultModel, 'ROUTING_DEFAULT_MODEL');
  }
  const heartbeat = integer('STREAM_HEARTBEAT_MS', 1, CONFIG_LIMITS.maxTimeoutMs);
  if (heartbeat !== undefined) set(['streaming', 'heartbeatMs'], heartbeat, 'STREAM_HEARTBEAT_MS');
  const maxRounds = integer('TOOLS_MAX_ROUNDS', 1, CONFIG_LIMITS.maxToolRounds);
  if (maxRounds !== undefined) set(['tools', 'maxRounds'], maxRounds, 'TOOLS_MAX_ROUNDS');
  const toolTimeout = integer('TOOLS_TIMEOUT_MS', 1, CONFIG_LIMITS.maxTimeoutMs);
  if (toolTimeout !== undefined) set(['tools', 'timeoutMs'], toolTimeout, 'TOOLS_TIMEOUT_MS');
  // URLs are checked by the schema, which names the variable through `sources`.
  const searchEndpoint = read('WEB_SEARCH_ENDPOINT');
  if (searchEndpoint !== undefined) {
    set(['tools', 'webSearch', 'endpoint'], searchEndpoint, 'WEB_SEARCH_ENDPOINT');
  }
  const redisUrl = read('REDIS_URL');
  if (redisUrl !== undefined) set(['redis', 'url'], redisUrl, 'REDIS_URL');
  // Origins are checked by the schema, which names the variable through `sources`.
  const corsOrigins = read('CORS_ALLOWED_ORIGINS');
  if (corsOrigins !== undefined) {
    const origins = corsOrigins
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== '');
    set(['server', 'cors', 'allowedOrigins'], origins, 'CORS_ALLOWED_ORIGINS');
  }
  const rpm = integer('RATE_LIMIT_RPM', 1, CONFIG_LIMITS.maxRateLimit);
  if (rpm !== undefined) set(['limits', 'defaults', 'rpm'], rpm, 'RATE_LIMIT_RPM');
  const tpm = integer('RATE_LIMIT_TPM', 1, CONFIG_LIMITS.maxRateLimit);
  if (tpm !== undefined) set(['limits', 'defaults', 'tpm'], tpm, 'RATE_LIMIT_TPM');
  const concurrency = integer('RATE_LIMIT_CONCURRENCY', 1, CONFIG_LIMITS.maxConcurrency);
  if (concurrency !== undefined) {
    set(['limits', 'defaults', 'concurrency'], concurrency, 'RATE_LIMIT_CONCURRENCY');
  }
  const onRedisError = choice('RATE_LIMIT_ON_REDIS_ERROR', REDIS_FAILURE_MODES);
  if (onRedisError !== undefined) {
    set(['limits', 'redis', 'onError'], onRedisError, 'RATE_LIMIT_ON_REDIS_ERROR');
  }
  const requestTimeoutMs =
    integer('REQUEST_TIMEOUT_MS', 1, CONFIG_LIMITS.maxTimeoutMs) ??
    CONFIG_DEFAULTS.requestTimeoutMs;

  for (const { prefix, pool, target } of ENV_POOLS) {
    const upstreams = read(`${prefix}_UPSTREAMS`);
    if (upstreams !== undefined) {
      const pools = section(raw, ['pools']);
      if (pools) {
        // Replaces the upstream list only: max_connections and friends of a YAML pool of the
        // same name still apply.
        const existing = pools[pool];
        const definition = isPlainObject(existing) ? existing : {};
        definition.upstreams = upstreams
          .split(',')
          .map((url) => url.trim())
          .filter((url) => url !== '')
          .map((url) => ({ url }));
        pools[pool] = definition;
        sources.set(formatConfigPath(['pools', pool, 'upstreams']), `${prefix}_UPSTREAMS`);
      }
      set([...target, 'pool'], pool, `${prefix}_UPSTREAMS`);
    }
    const model = read(`${prefix}_MODEL`);
    if (model !== undefined) set([...target, 'model'], model, `${prefix}_MODEL`);
  }

  applyUpstreamKeys(raw, read, issues);
  return { issues, sources, requestTimeoutMs };
}

/** The source that set `path` or one of its ancestors, if any (the most specific one wins). */
export function envSourceOf(sources: EnvSources, path: string): string | undefined {
  let best: string | undefined;
  let bestLength = -1;
  for (const [prefix, source] of sources) {
    if (isWithinPath(path, prefix) && prefix.length > bestLength) {
      best = source;
      bestLength = prefix.length;
    }
  }
  return best;
}

function appendClientKeys(
  raw: Record<string, unknown>,
  list: string | undefined,
  sources: EnvSources,
): void {
  if (list === undefined) return;
  const auth = section(raw, ['auth']);
  if (!auth) return;
  auth.keys ??= [];
  const keys = auth.keys;
  if (!Array.isArray(keys)) return; // the schema reports auth.keys
  const entries = list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  entries.forEach((key, index) => {
    const number = index + 1;
    sources.set(
      formatConfigPath(['auth', 'keys', keys.length]),
      `GATEWAY_API_KEYS entry ${number}`,
    );
    keys.push({ name: `env-${number}`, key });
  });
}

/**
 * Upstream bearer tokens: `<TIER>_API_KEY` (for the pool that tier uses) > `UPSTREAM_API_KEY` >
 * the upstream's own `api_key` > the pool's `api_key`. The last step happens after validation.
 */
function applyUpstreamKeys(
  raw: Record<string, unknown>,
  read: (name: string) => string | undefined,
  issues: ConfigIssue[],
): void {
  const pools = raw.pools;
  if (!isPlainObject(pools)) return;

  const perPool = new Map<string, { variable: string; key: string }>();
  for (const { prefix, target } of ENV_POOLS) {
    const variable = `${prefix}_API_KEY`;
    const key = read(variable);
    const pool = valueAt(raw, [...target, 'pool']);
    if (key === undefined || typeof pool !== 'string') continue;
    const earlier = perPool.get(pool);
    if (earlier && earlier.key !== key) {
      issues.push({
        path: formatConfigPath(['pools', pool]),
        message: ConfigMessages.conflictingPoolKeys(earlier.variable, variable),
      });
      continue;
    }
    perPool.set(pool, { variable, key });
  }

  const everywhere = read('UPSTREAM_API_KEY');
  for (const [name, pool] of Object.entries(pools)) {
    const key = perPool.get(name)?.key ?? everywhere;
    if (key === undefined || !isPlainObject(pool) || !Array.isArray(pool.upstreams)) continue;
    for (const upstream of pool.upstreams) {
      if (isPlainObject(upstream)) upstream.apiKey = key;
    }
  }
}

/** The mapping at `path`, created where missing; undefined when something else is in the way. */
function section(
  root: Record<string, unknown>,
  path: readonly string[],
): Record<string, unknown> | undefined {
  let node = root;
  for (const key of path) {
    const child = node[key];
    if (child === undefined) {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    } else if (isPlainObject(child)) {
      node = child;
    } else {
      return undefined; // a YAML value of the wrong type; the schema reports it
    }
  }
  return node;
}

function valueAt(root: Record<string, unknown>, path: readonly string[]): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (!isPlainObject(node)) return undefined;
    node = node[key];
  }
  return node;
}
