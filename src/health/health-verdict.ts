import type { TierService } from '../tier-routing';

/** What the health endpoints know, reduced to what decides their status. */
export interface HealthFacts {
  /** Listening and not draining. */
  server: boolean;
  /** How each configured chat tier is served. */
  tiers: readonly TierService[];
  pools: readonly { up: boolean; degraded: boolean; credentialsRejected: boolean }[];
  /** Redis-backed rate limits; `critical` in fail-closed mode (every request gets 503 without it). */
  redis?: { up: boolean; critical: boolean };
}

/**
 * docs/api.md §5: `error` (readiness 503) only when this pod cannot serve chat at
 * all — shutdown has begun, no chat tier is served by its own pool or by fallback, or a
 * fail-closed Redis is down; `degraded` when chat is served but an upstream or a tier is down,
 * a tier is served only by fallback (or by ejected replicas), an upstream rejects the
 * gateway's credentials, or a fail-open Redis is down; `ok` otherwise.
 */
export function healthVerdict(facts: HealthFacts): 'ok' | 'degraded' | 'error' {
  const chat = facts.tiers.some((service) => service !== 'none');
  if (!facts.server || !chat || (facts.redis?.critical && !facts.redis.up)) return 'error';
  const degraded =
    facts.tiers.some((service) => service !== 'direct') ||
    facts.pools.some((pool) => !pool.up || pool.degraded || pool.credentialsRejected) ||
    (facts.redis !== undefined && !facts.redis.up);
  return degraded ? 'degraded' : 'ok';
}
