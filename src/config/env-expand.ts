import { formatConfigPath, type ConfigIssue, type ConfigPathSegment } from './config.errors';
import { ConfigMessages } from './config.messages';

/** The environment as the loader sees it (`process.env` in production, a literal in specs). */
export type EnvSource = Readonly<Record<string, string | undefined>>;

export interface ExpandedString {
  value: string;
  /** Names referenced as `${NAME}` (no default) that are not set, each once. */
  unset: string[];
  /** Offset of the first `${` that does not form a valid reference, if any. */
  malformedAt?: number;
}

export interface ExpandedTree {
  value: unknown;
  issues: ConfigIssue[];
}

const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/**
 * Expands `${NAME}` and `${NAME:-default}` in one string, shell-style: the default applies when
 * NAME is unset or empty, and `$$` is a literal `$`. A `$` followed by anything else stays as is.
 * The substituted text is not scanned again, so a variable's value can never inject a reference.
 *
 * @example expandEnvString('http://${HOST:-localhost}:8000/v1', {}) // value 'http://localhost:8000/v1'
 */
export function expandEnvString(input: string, env: EnvSource): ExpandedString {
  const unset: string[] = [];
  let malformedAt: number | undefined;
  let value = '';
  let i = 0;
  while (i < input.length) {
    const dollar = input.indexOf('$', i);
    if (dollar === -1) {
      value += input.slice(i);
      break;
    }
    value += input.slice(i, dollar);
    const next = input[dollar + 1];
    if (next === '$') {
      value += '$';
      i = dollar + 2;
      continue;
    }
    if (next !== '{') {
      value += '$';
      i = dollar + 1;
      continue;
    }
    const close = input.indexOf('}', dollar + 2);
    const match = close === -1 ? null : REFERENCE.exec(input.slice(dollar + 2, close));
    if (!match) {
      // Keep the text verbatim so the value stays recognisable; the issue stops the boot anyway.
      malformedAt ??= dollar;
      value += '$';
      i = dollar + 1;
      continue;
    }
    const [, name, fallback] = match;
    const current = env[name];
    if (fallback !== undefined) {
      value += current === undefined || current === '' ? fallback : current;
    } else if (current === undefined) {
      if (!unset.includes(name)) unset.push(name);
    } else {
      value += current;
    }
    i = close + 1;
  }
  return malformedAt === undefined ? { value, unset } : { value, unset, malformedAt };
}

/**
 * Applies {@link expandEnvString} to every string scalar of a parsed YAML tree (never to keys)
 * and returns a new tree. Problems are collected, not thrown, so one boot reports all of them;
 * each names the YAML path and the variable.
 */
export function expandEnvTree(
  tree: unknown,
  env: EnvSource,
  basePath: readonly ConfigPathSegment[] = [],
): ExpandedTree {
  const issues: ConfigIssue[] = [];
  const walk = (node: unknown, path: ConfigPathSegment[]): unknown => {
    if (typeof node === 'string') {
      const expanded = expandEnvString(node, env);
      const where = formatConfigPath(path);
      for (const name of expanded.unset) {
        issues.push({ path: where, message: ConfigMessages.unsetVariable(name) });
      }
      if (expanded.malformedAt !== undefined) {
        issues.push({
          path: where,
          message: ConfigMessages.malformedReference(expanded.malformedAt),
        });
      }
      return expanded.value;
    }
    if (Array.isArray(node)) {
      return node.map((item, index) => walk(item, [...path, index]));
    }
    if (isPlainObject(node)) {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) {
        defineEntry(out, key, walk(value, [...path, key]));
      }
      return out;
    }
    return node;
  };
  return { value: walk(tree, [...basePath]), issues };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Sets an own enumerable property even for a key like `__proto__`, which `out[key] =` would not. */
export function defineEntry(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
