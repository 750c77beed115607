import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { UpstreamPoolsService } from './upstream-pools.service';

/**
 * Health of each pool, from what the gateway knows of it; a probe never calls a model. Until
 * active health checking exists, a pool counts as up when it has replicas configured, and says
 * `checked: false` so nobody mistakes it for a measured state.
 */
@Injectable()
export class UpstreamsHealthIndicator {
  constructor(
    private readonly pools: UpstreamPoolsService,
    private readonly health: HealthIndicatorService,
  ) {}

  /** One result per pool, keyed `pool:<name>`. */
  check(): HealthIndicatorResult[] {
    return this.pools.all().map((pool) => {
      const session = this.health.check(`pool:${pool.name}`);
      const details = {
        checked: false,
        upstreams: pool.replicas.map((replica) => ({
          url: replica.upstream.url,
          state: 'unchecked',
        })),
      };
      return pool.replicas.length > 0 ? session.up(details) : session.down(details);
    });
  }
}
