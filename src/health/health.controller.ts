import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { HealthCheckResult, HealthIndicatorResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth';
import { LimitsHealthIndicator } from '../limits';
import { UpstreamsHealthIndicator } from '../providers';
import { TiersHealthIndicator } from '../tier-routing';
import { LifecycleService } from './lifecycle.service';
import { healthVerdict } from './health-verdict';

/** `/health`'s status: Terminus' `ok` / `error`, plus docs/api.md §5's `degraded`. */
export type GatewayHealthStatus = HealthCheckResult['status'] | 'degraded';

export type GatewayHealthResult = Omit<HealthCheckResult, 'status'> & {
  status: GatewayHealthStatus;
};

/**
 * docs/api.md §5's health endpoints, in Terminus format; open to probes without a key. Both carry the
 * same details: the server (listening, draining), each chat tier (`tier:<name>`: served by its
 * own pool, by fallback, by ejected replicas, or not), each pool (`pool:<name>`, with every
 * upstream's state, why it does not serve and how it is balanced) and, with Redis-backed rate
 * limits, `redis`.
 *
 * Readiness is 200 while this pod can serve chat: listening, not draining, and at least one
 * configured chat tier served (by its own pool or by fallback). One dead pool does not take
 * every pod out of its Service. A fail-closed Redis that is down also fails it (every request
 * would get 503). `/health` says `degraded` when something is wrong but chat is served, and
 * `error` (503) exactly when readiness fails; see {@link healthVerdict}.
 */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly lifecycle: LifecycleService,
    private readonly tiers: TiersHealthIndicator,
    private readonly upstreams: UpstreamsHealthIndicator,
    private readonly limits: LimitsHealthIndicator,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 while the process can serve at all' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary:
      'Readiness: 200 while listening, not draining and at least one chat tier is served (by its own pool or by fallback)',
  })
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const { ready, body } = this.evaluate();
    await send(reply, ready ? 200 : 503, { ...body, status: ready ? 'ok' : 'error' });
  }

  @Get()
  @ApiOperation({
    summary:
      'The same details per tier and upstream; status ok, degraded (an upstream or a tier is down, a tier served only by fallback, credentials rejected) or error (503: nothing can be served)',
  })
  async details(@Res() reply: FastifyReply): Promise<void> {
    const { ready, body } = this.evaluate();
    await send(reply, ready ? 200 : 503, body);
  }

  private evaluate(): { ready: boolean; body: GatewayHealthResult } {
    const server = this.lifecycle.check();
    const tiers = this.tiers.check();
    const pools = this.upstreams.check();
    const limits = this.limits.check();
    const verdict = healthVerdict({
      server: server.server.status === 'up',
      tiers: tiers.map((tier) => tier.service),
      pools: pools.map((pool) => ({
        up: pool.result[pool.key].status === 'up',
        degraded: pool.degraded,
        credentialsRejected: pool.credentialsRejected,
      })),
      redis:
        limits === undefined
          ? undefined
          : { up: limits.result[limits.key].status === 'up', critical: limits.critical },
    });
    const body: GatewayHealthResult = { status: verdict, info: {}, error: {}, details: {} };
    const results: HealthIndicatorResult[] = [
      server,
      ...tiers.map((tier) => tier.result),
      ...pools.map((pool) => pool.result),
      ...(limits ? [limits.result] : []),
    ];
    for (const result of results) {
      for (const [key, entry] of Object.entries(result)) {
        body.details[key] = entry;
        if (entry.status === 'up') body.info![key] = entry;
        else body.error![key] = entry;
      }
    }
    return { ready: verdict !== 'error', body };
  }
}

async function send(reply: FastifyReply, status: number, body: object): Promise<void> {
  await reply.status(status).header('cache-control', 'no-store').send(body);
}
