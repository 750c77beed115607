import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheckService,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth';
import { LimitsHealthIndicator } from '../limits';
import { UpstreamsHealthIndicator } from '../providers';
import { LifecycleService } from './lifecycle.service';

/** `/health`'s status: Terminus' `ok` / `error`, plus SPEC §5's `degraded`. */
export type GatewayHealthStatus = HealthCheckResult['status'] | 'degraded';

export type GatewayHealthResult = Omit<HealthCheckResult, 'status'> & {
  status: GatewayHealthStatus;
};

/**
 * SPEC §5's health endpoints, in Terminus format; open to probes without a key. Readiness is
 * the server's own state plus one indicator per pool that serves a chat tier; `/health` adds
 * the other pools (embeddings) and says `degraded` when some upstream is not healthy while
 * every tier is still served. With Redis-backed rate limits, a `redis` entry joins them: it
 * fails readiness only in fail-closed mode, and otherwise makes `/health` say `degraded`.
 */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly lifecycle: LifecycleService,
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
      'Readiness: 200 when listening, not draining and every chat tier has a healthy upstream',
  })
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const pools = this.upstreams.check();
    const limits = this.limits.check();
    const { status, result } = await this.evaluate([
      ...pools.filter((pool) => pool.critical),
      ...(limits?.critical ? [limits] : []),
    ]);
    await send(reply, status, result);
  }

  @Get()
  @ApiOperation({
    summary: 'The same details for every pool; status ok, degraded (some upstream down) or error',
  })
  async details(@Res() reply: FastifyReply): Promise<void> {
    const pools = this.upstreams.check();
    const limits = this.limits.check();
    const { status, result } = await this.evaluate([
      ...pools.filter((pool) => pool.critical),
      ...(limits?.critical ? [limits] : []),
    ]);
    const body: GatewayHealthResult = { ...result, details: { ...result.details } };
    let degraded = pools.some((pool) => pool.degraded);
    // Pools that serve no chat tier (embeddings) and fail-open Redis never fail the check,
    // but do show.
    for (const pool of [...pools, ...(limits ? [limits] : [])]) {
      if (pool.critical) continue;
      const entry = pool.result[pool.key];
      body.details[pool.key] = entry;
      if (entry.status === 'up') body.info = { ...body.info, [pool.key]: entry };
      else {
        body.error = { ...body.error, [pool.key]: entry };
        degraded = true;
      }
    }
    if (status === 200 && degraded) body.status = 'degraded';
    await send(reply, status, body);
  }

  private async evaluate(
    pools: readonly { result: HealthIndicatorResult }[],
  ): Promise<{ status: number; result: HealthCheckResult }> {
    try {
      const result = await this.health.check([
        () => this.lifecycle.check(),
        ...pools.map((pool) => () => pool.result),
      ]);
      return { status: 200, result };
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      return { status: 503, result: error.getResponse() as HealthCheckResult };
    }
  }
}

async function send(reply: FastifyReply, status: number, body: object): Promise<void> {
  await reply.status(status).header('cache-control', 'no-store').send(body);
}
