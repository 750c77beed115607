import { ConfigMessages } from './config.messages';

/** One segment of a configuration path: a mapping key or a list index. */
export type ConfigPathSegment = string | number;

/** One bad key: where it is (`pools.instant.upstreams[0].url`, or an env variable name) and why. */
export interface ConfigIssue {
  path: string;
  message: string;
}

// Keys that read unambiguously after a dot; anything else (aliases such as `Qwen/Qwen2.5-7B`)
// is written as `["…"]` so the path still points at exactly one key.
const PLAIN_SEGMENT = /^[A-Za-z0-9_-]+$/;

/**
 * Formats a path the way a reader finds it in the YAML file:
 * `['pools', 'instant', 'upstreams', 0, 'url']` → `pools.instant.upstreams[0].url`.
 */
export function formatConfigPath(segments: readonly ConfigPathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') {
      out += `[${segment}]`;
    } else if (PLAIN_SEGMENT.test(segment)) {
      out += out === '' ? segment : `.${segment}`;
    } else {
      out += `[${JSON.stringify(segment)}]`;
    }
  }
  return out;
}

/** Whether formatted `path` is `ancestor` or lies beneath it. */
export function isWithinPath(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}.`) || path.startsWith(`${ancestor}[`);
}

/**
 * The configuration could not be loaded. The message lists every problem found, one per line,
 * as `<path>: <why>`; `issues` holds the same list for callers and tests. No message ever
 * contains a key's value.
 */
export class ConfigValidationError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(
      [
        ConfigMessages.header(issues.length),
        ...issues.map((issue) => `  ${issue.path}: ${issue.message}`),
      ].join('\n'),
    );
    this.name = 'ConfigValidationError';
    this.issues = issues;
  }
}
