import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { effectiveBalancing } from './balancers';
import { UpstreamPoolsService } from './upstream-pools.service';

/** One pool's health, as the health endpoints compose it. */
export interface PoolHealth {
  /** `pool:<name>`, the key in Terminus' `info` / `error` / `details`. */
  key: string;
  name: string;
  /** Up while some replica serves (see {@link UpstreamsHealthIndicator}). */
  result: HealthIndicatorResult;
  /** Some replica is not healthy (down, ejected, on trial, or refusing key or model). */
  degraded: boolean;
  /** Some replica rejects the gateway's credentials. */
  credentialsRejected: boolean;
}

/**
 * Health of each pool from the state the active checks, the `/v1/models` verifications and the
 * circuits keep; a probe of the gateway never calls a model. A pool is up while at least one
 * replica serves: not known to be down by the active checks nor to refuse the gateway's key or
 * model (an ejected replica still counts: the pool would route to it rather than fail).
 * Each replica's own state, why it does not serve, and how it is really balanced (`load-aware`
 * needs load figures from every replica) are in the details. Whether a pool's trouble makes
 * this pod unready is the tiers' business: readiness is composed in `health/`.
 */
@Injectable()
export class UpstreamsHealthIndicator {
  constructor(
    private readonly pools: UpstreamPoolsService,
    private readonly health: HealthIndicatorService,
  ) {}

  /** One entry per pool, keyed `pool:<name>`. */
  check(): PoolHealth[] {
    const now = Date.now();
    return this.pools.all().map((pool) => {
      const key = `pool:${pool.name}`;
      const { balancing, loadAware } = pool.config;
      const peers = pool.replicas.filter((replica) => replica.serving);
      const balanced = pool.replicas.map((replica) =>
        effectiveBalancing(balancing, replica, peers, loadAware.staleAfterMs, now),
      );
      const upstreams = pool.replicas.map((replica, i) => ({
        ...replica.describe(now),
        balancing: balanced[i],
      }));
      const healthy = pool.replicas.filter((replica) => replica.state === 'healthy').length;
      const details = {
        balancing: {
          configured: balancing,
          effective: balanced.every((b) => b.effective === balancing)
            ? balancing
            : 'least-outstanding',
        },
        healthy,
        total: pool.replicas.length,
        queued: pool.queueDepth,
        upstreams,
      };
      const session = this.health.check(key);
      return {
        key,
        name: pool.name,
        result: pool.serving ? session.up(details) : session.down(details),
        degraded: healthy < pool.replicas.length,
        credentialsRejected: pool.replicas.some(
          (replica) => replica.refused?.kind === 'credentials',
        ),
      };
    });
  }
}
