import type { GatewayConfig } from './gateway-config.interface';

/**
 * Every secret the configuration holds, for the scrubber of relayed messages (docs/api.md §6): the
 * upstreams' API keys, client keys given in plain text (a `sha256:` digest is no secret), and
 * passwords in the user-info of configured URLs (upstreams, Redis, the search engine).
 */
export function configuredSecrets(
  config: Pick<GatewayConfig, 'pools' | 'auth' | 'redis' | 'tools'>,
): string[] {
  const secrets: string[] = [];
  for (const pool of Object.values(config.pools)) {
    for (const upstream of pool.upstreams) {
      if (upstream.apiKey) secrets.push(upstream.apiKey);
      secrets.push(...urlSecrets(upstream.url));
    }
  }
  for (const key of config.auth.keys) {
    if (!key.key.startsWith('sha256:')) secrets.push(key.key);
  }
  secrets.push(...urlSecrets(config.redis.url), ...urlSecrets(config.tools.webSearch.endpoint));
  return secrets;
}

/** The password (and a user name that may be a token) in a URL's user-info. */
function urlSecrets(url: string | undefined): string[] {
  if (url === undefined) return [];
  try {
    const parsed = new URL(url);
    return [parsed.password, parsed.password ? '' : parsed.username]
      .filter((part) => part !== '')
      .map(decodeURIComponent);
  } catch {
    return [];
  }
}
