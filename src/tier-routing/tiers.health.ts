import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { TIER_NAMES, type TierConfig, type TierName } from '../config';
import { UpstreamPoolsService } from '../providers';
import { OTHER_TIER, tierService, type TierService } from './tier-availability';
import { TIER_ROUTING_CONFIG, type TierRoutingSlice } from './tier-routing.config';

/** One chat tier's health, as the health endpoints compose it. */
export interface TierHealth {
  /** `tier:<name>`, the key in Terminus' `info` / `error` / `details`. */
  key: string;
  tier: TierName;
  service: TierService;
  /** Up while its requests are served, by its own pool or by fallback. */
  result: HealthIndicatorResult;
}

/**
 * Whether each configured chat tier can be served right now, by the router's own fallback
 * rule: readiness holds while at least one can (docs/api.md §5), and `/health` says `degraded` when
 * one is served only by fallback, by ejected replicas, or not at all.
 */
@Injectable()
export class TiersHealthIndicator {
  private readonly tiers: Partial<Record<TierName, TierConfig>>;

  constructor(
    private readonly pools: UpstreamPoolsService,
    private readonly health: HealthIndicatorService,
    @Inject(TIER_ROUTING_CONFIG.token) config: TierRoutingSlice,
  ) {
    this.tiers = config.tiers;
  }

  check(): TierHealth[] {
    const out: TierHealth[] = [];
    for (const tier of TIER_NAMES) {
      const config = this.tiers[tier];
      if (config === undefined) continue;
      const service = tierService(tier, this.tiers, (name) => this.pools.get(name));
      const key = `tier:${tier}`;
      const details = {
        pool: config.pool,
        served: service,
        ...(service === 'fallback' ? { via: OTHER_TIER[tier] } : {}),
      };
      const session = this.health.check(key);
      out.push({
        key,
        tier,
        service,
        result: service === 'none' ? session.down(details) : session.up(details),
      });
    }
    return out;
  }
}
