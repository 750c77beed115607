import { camelToSnake } from './config-keys.normalizer';
import { parseEnvInteger, type ConfigNode, type EnvBinding } from './config-key.builders';
import { CONFIG_LIMITS, DEFAULT_REQUEST_TIMEOUT_MS } from './config.constants';
import { formatConfigPath, isWithinPath, type ConfigIssue } from './config.errors';
import { ConfigMessages } from './config.messages';
import { isPlainObject, type EnvSource } from './env-expand';
import { GATEWAY_CONFIG_KEYS } from './gateway-config.keys';

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
 * beats YAML. Keys declared with `env:` in gateway-config.keys.ts are set from their variable;
 * numbers and choices are checked here, named by their variable (`PORT: must be …`), and not
 * applied when bad, so the schema does not report them a second time. The structural variables
 * (`<TIER>_UPSTREAMS`, `_MODEL`, `_API_KEY`, `UPSTREAM_API_KEY`, `GATEWAY_API_KEYS`,
 * `REQUEST_TIMEOUT_MS`), which build pools, tiers and keys rather than set one key, are applied
 * below. Values whose checks need the merged tree (URLs, pool references, key formats) are
 * recorded in `sources`, so that later issues about them can say which variable they came from.
 */
export function applyEnvOverlay(raw: Record<string, unknown>, env: EnvSource): EnvOverlayResult {
  const issues: ConfigIssue[] = [];
  const sources: EnvSources = new Map();
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const set = (path: readonly string[], value: unknown, source: string): void => {
    const parent = section(raw, path.slice(0, -1));
    if (!parent) return;
    parent[path[path.length - 1]] = value;
    sources.set(formatConfigPath(path.map(camelToSnake)), source);
  };

  // Keys bound to one variable each, as declared; a bad value is reported under its variable.
  for (const { path, env: binding } of envBoundKeys()) {
    const text = read(binding.variable);
    if (text === undefined) continue;
    const parsed = binding.parse(text);
    if ('message' in parsed) issues.push({ path: binding.variable, message: parsed.message });
    else set(path, parsed.value, binding.variable);
  }
  appendClientKeys(raw, read('GATEWAY_API_KEYS'), sources);
  const timeout = read('REQUEST_TIMEOUT_MS');
  let requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;
  if (timeout !== undefined) {
    const parsed = parseEnvInteger(1, CONFIG_LIMITS.maxTimeoutMs)(timeout);
    if ('message' in parsed) issues.push({ path: 'REQUEST_TIMEOUT_MS', message: parsed.message });
    else requestTimeoutMs = parsed.value as number;
  }

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

/** A key bound to a variable: where it sits (camelCase) and how the variable's text is read. */
export interface EnvBoundKey {
  path: readonly string[];
  env: EnvBinding;
}

/** Every key of the declaration that a variable sets, in declaration order. */
export function envBoundKeys(node: ConfigNode = GATEWAY_CONFIG_KEYS): EnvBoundKey[] {
  const found: EnvBoundKey[] = [];
  const walk = (current: ConfigNode, path: readonly string[]): void => {
    if (current.env) found.push({ path, env: current.env });
    // Variables bind fixed paths: keys inside lists and named maps have none.
    if (current.kind !== 'section') return;
    for (const [key, child] of Object.entries(current.shape)) walk(child, [...path, key]);
  };
  walk(node, []);
  return found;
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
