import type { TierName } from '../config';

/** What the routing rule needs to know of a pool to place a tier's request (see `UpstreamPool`). */
export interface PoolAvailability {
  /** Some replica is healthy or half-open. */
  available: boolean;
  /** Some replica is not known to be down (an ejected one still takes requests). */
  serving: boolean;
}

/** A pool's availability and, for spill, its load. */
export interface PoolLoad extends PoolAvailability {
  /** Every replica that could take a request is at its limit, and the wait queue is full. */
  saturated: boolean;
}

/** What the rule reads of a tier's configuration. */
export interface TierPlacementConfig {
  pool: string;
  fallback: boolean;
  spill?: boolean;
}

/**
 * How a tier's requests are served right now:
 * - `direct`: by its own pool;
 * - `fallback`: its pool has no healthy replica and `fallback` sends them to the other tier;
 * - `ejected`: its pool's replicas are all ejected, and still get its requests (no fallback);
 * - `none`: nothing serves it: 503 `tier_unavailable`.
 */
export type TierService = 'direct' | 'fallback' | 'ejected' | 'none';

/** Where one request goes: as {@link TierService}, or `spill` (`auto` traffic, saturated pool). */
export type TierPlacement = TierService | 'spill';

export const OTHER_TIER: Readonly<Record<TierName, TierName>> = {
  instant: 'thinking',
  thinking: 'instant',
};

/**
 * The tier fallback rule (ADR 0006), one pure function for the router and for readiness: a
 * tier whose pool has no available replica goes to the other tier when its `fallback` allows
 * and the other tier's pool is available; otherwise to its own pool while a replica serves.
 */
export function tierService(
  tier: TierName,
  tiers: Partial<Record<TierName, TierPlacementConfig>>,
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

/**
 * Where one request for `tier` goes (`TierRouterService`): {@link tierService}, and then spill
 * (ADR 0006): when the request is `auto` traffic and its pool is saturated, it goes to the other
 * tier if its `spill` allows and the other tier's pool is available and not saturated.
 */
export function placeRequest(
  tier: TierName,
  tiers: Partial<Record<TierName, TierPlacementConfig>>,
  pool: (name: string) => PoolLoad,
  auto: boolean,
): TierPlacement {
  const service = tierService(tier, tiers, pool);
  if (service !== 'direct' || !auto) return service;
  const config = tiers[tier] as TierPlacementConfig;
  const other = tiers[OTHER_TIER[tier]];
  if (!config.spill || other === undefined || !pool(config.pool).saturated) return service;
  const otherPool = pool(other.pool);
  return otherPool.available && !otherPool.saturated ? 'spill' : service;
}
