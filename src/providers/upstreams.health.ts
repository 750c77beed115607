import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { GatewayConfig } from '../config';
import { UpstreamPoolsService } from './upstream-pools.service';

/** One pool's health, as the health endpoints compose it. */
export interface PoolHealth {
  /** `pool:<name>`, the key in Terminus' `info` / `error` / `details`. */
  key: string;
  /** Serves a chat tier: readiness fails while it is down. */
  critical: boolean;
  result: HealthIndicatorResult;
  /** Some replica is not healthy (down, ejected or on trial). */
  degraded: boolean;
}

/**
 * Health of each pool from the state the active checks and circuits keep; a probe of the
 * gateway never calls a model. A pool is up while at least one replica is not known to be down
 * by the active checks (an ejected replica still counts: the pool would route to it rather
 * than fail, and readiness must not flap with every burst of errors). Each replica's own state
 * is in the details.
 */
@Injectable()
export class UpstreamsHealthIndicator {
  private readonly chatPools: ReadonlySet<string>;

  constructor(
    private readonly pools: UpstreamPoolsService,
    private readonly health: HealthIndicatorService,
    config: ConfigService<GatewayConfig, true>,
  ) {
    const tiers = config.get('tiers', { infer: true });
    this.chatPools = new Set(
      Object.values(tiers).flatMap((tier) => (tier === undefined ? [] : [tier.pool])),
    );
  }

  /** One entry per pool, keyed `pool:<name>`. */
  check(): PoolHealth[] {
    const now = Date.now();
    return this.pools.all().map((pool) => {
      const key = `pool:${pool.name}`;
      const upstreams = pool.replicas.map((replica) => replica.describe(now));
      const healthy = pool.replicas.filter((replica) => replica.state === 'healthy').length;
      const serving = pool.replicas.some((replica) => replica.serving);
      const details = {
        balancing: pool.config.balancing,
        healthy,
        total: pool.replicas.length,
        queued: pool.queueDepth,
        upstreams,
      };
      const session = this.health.check(key);
      return {
        key,
        critical: this.chatPools.has(pool.name),
        result: serving ? session.up(details) : session.down(details),
        degraded: healthy < pool.replicas.length,
      };
    });
  }
}
