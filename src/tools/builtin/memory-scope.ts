import { createHash } from 'node:crypto';
import type { ClientKeyConfig } from '../../config';

/**
 * The scope of callers without an API key (authentication disabled): they all share it. Key
 * scopes are hex digests, so none can take this name.
 */
export const ANONYMOUS_SCOPE = '(anonymous)';

/**
 * The memory tool's scope of each configured key: a digest of the key's secret, not its name
 * (issue 13, finding 6). A name is a position for `GATEWAY_API_KEYS` (`env-1`, `env-2`, …) and
 * is reused by every deployment, so re-ordering the list, or another deployment on the same
 * Redis, would read someone else's notes; the secret is what identifies a caller. The digest is
 * of the SHA-256 the gateway keeps (`sha256:` entries are that already), salted with a label so
 * the stored name is not the key's plain SHA-256.
 *
 * @example
 * const scopeOf = memoryScopes(config.auth.keys);
 * scopeOf('team-a'); // 'k_3f1c…' (32 hex digits), the same for the same secret, in any order
 */
export function memoryScopes(keys: readonly ClientKeyConfig[]): (keyName?: string) => string {
  const scopes = new Map<string, string>();
  for (const key of keys) {
    const digest = key.key.startsWith('sha256:')
      ? key.key.slice('sha256:'.length).toLowerCase()
      : sha256Hex(key.key);
    scopes.set(key.name, `k_${sha256Hex(`tiergate memory scope\0${digest}`).slice(0, 32)}`);
  }
  return (keyName) => {
    if (keyName === undefined) return ANONYMOUS_SCOPE;
    // Every caller with a name is a configured key; a name without one never shares a scope.
    return scopes.get(keyName) ?? `n_${sha256Hex(`tiergate memory name\0${keyName}`).slice(0, 32)}`;
  };
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
