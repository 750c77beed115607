import { formatConfigPath, type ConfigIssue, type ConfigPathSegment } from './config.errors';
import { ConfigMessages } from './config.messages';
import { defineEntry, isPlainObject } from './env-expand';

export interface NormalizedKeys {
  /** The same tree with structural keys camelCased; `pools` and `aliases` keep their names. */
  value: Record<string, unknown>;
  issues: ConfigIssue[];
}

/** Top-level mappings whose keys are names chosen by the operator, not schema keys. */
const NAMED_MAPS: ReadonlySet<string> = new Set(['pools', 'aliases']);

/** Nested mappings of operator-chosen names (tiers, model ids, aliases, pools, key names). */
const NESTED_NAMED_MAPS: ReadonlySet<string> = new Set([
  'pricing.tiers',
  'pricing.models',
  'pricing.aliases',
  'pricing.pools',
  'budgets.keys',
]);

const SNAKE_KEY = /^[a-z]+(_[a-z]+)*$/;
const POOL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export const snakeToCamel = (key: string): string =>
  key.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());

export const camelToSnake = (key: string): string =>
  key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/**
 * Converts the YAML file's snake_case keys to the camelCase of the schema. Only canonical
 * snake_case keys are converted; anything else (`bodyLimitBytes`, `Port`) is reported as an
 * unknown key here, because camelCasing it would let it pass the schema unnoticed. Keys that
 * are well-formed but unknown (`max_conections`) are left to the schema's whitelist, which
 * reports them with the same message. `name: instant` alias shorthand becomes `{ tier: instant }`.
 */
export function normalizeConfigKeys(tree: Record<string, unknown>): NormalizedKeys {
  const issues: ConfigIssue[] = [];

  const walk = (node: unknown, path: ConfigPathSegment[]): unknown => {
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]));
    if (!isPlainObject(node)) return node;
    const isNamedMap =
      (path.length === 1 && NAMED_MAPS.has(path[0] as string)) ||
      (path.length === 2 && NESTED_NAMED_MAPS.has(path.join('.')));
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      const childPath = [...path, key];
      if (isNamedMap) {
        defineEntry(out, key, walk(value, childPath));
      } else if (SNAKE_KEY.test(key)) {
        out[snakeToCamel(key)] = walk(value, childPath);
      } else {
        issues.push({ path: formatConfigPath(childPath), message: ConfigMessages.unknownKey() });
      }
    }
    return out;
  };

  const value: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(tree)) {
    if (!SNAKE_KEY.test(key)) {
      issues.push({ path: formatConfigPath([key]), message: ConfigMessages.unknownKey() });
      continue;
    }
    if (NAMED_MAPS.has(key) && !isPlainObject(child)) {
      // Dropped so the schema does not also try to read a list or a scalar as a Map.
      issues.push({ path: key, message: ConfigMessages.mustBeMapping() });
      continue;
    }
    value[snakeToCamel(key)] = walk(child, [key]);
  }

  if (isPlainObject(value.pools)) {
    for (const name of Object.keys(value.pools)) {
      if (!POOL_NAME.test(name)) {
        issues.push({
          path: formatConfigPath(['pools', name]),
          message: ConfigMessages.poolName(),
        });
      }
    }
  }
  if (isPlainObject(value.aliases)) {
    for (const [name, alias] of Object.entries(value.aliases)) {
      if (typeof alias === 'string') defineEntry(value.aliases, name, { tier: alias });
    }
  }
  return { value, issues };
}
