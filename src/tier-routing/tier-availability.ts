import type { TierName } from '../config';

/** What the router needs to know of a pool to place a tier's request (see `UpstreamPool`). */
export interface PoolAvailability {
  /** Some replica is healthy or half-open. */
  available: boolean;
  /** Some replica is not known to be down (an ejected one still takes requests). */
  serving: boolean;
}

/**
 * How a tier's requests are served right now:
 * - `direct`: by its own pool;
 * - `fallback`: its pool has no healthy replica and `fallback` sends them to the other tier;
 * - `ejected`: its pool's replicas are all ejected, and still get its requests (no fallback);
 * - `none`: nothing serves it: 503 `tier_unavailable`.
 */
export type TierService = 'direct' | 'fallback' | 'ejected' | 'none';

export const OTHER_TIER: Readonly<Record<TierName, TierName>> = {
  instant: 'thinking',
  thinking: 'instant',
};

/**
 * The tier fallback rule of `TierRouterService` (ADR 0006), as a pure function for readiness:
 * a tier whose pool has no available replica goes to the other tier when its `fallback` allows
 * and the other tier's pool is available; otherwise to its own pool while a replica serves.
 */
export function tierService(
  tier: TierName,
  tiers: Partial<Record<TierName, { pool: string; fallback: boolean }>>,
  pool: (name: string) => PoolAvailability,
): TierService {
  const config = tiers[tier];
  if (config === undefined) return 'none';
  const own = pool(config.pool);
  if (own.available) return 'direct';
  const other = tiers[OTHER_TIER[tier]];
  if (config.fallback && other !== undefined && pool(other.pool).available) return 'fallback';
  return own.serving ? 'ejected' : 'none';
}
