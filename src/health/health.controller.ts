import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth';
import { UpstreamsHealthIndicator } from '../providers';
import { LifecycleService } from './lifecycle.service';

/** SPEC §5's health endpoints, in Terminus format; open to probes without a key. */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly lifecycle: LifecycleService,
    private readonly upstreams: UpstreamsHealthIndicator,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 while the process can serve at all' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: 200 when listening, not draining and every tier has upstreams',
  })
  ready(@Res() reply: FastifyReply): Promise<void> {
    return this.respond(reply);
  }

  @Get()
  @ApiOperation({ summary: 'The same details as readiness, for people and dashboards' })
  details(@Res() reply: FastifyReply): Promise<void> {
    return this.respond(reply);
  }

  private async respond(reply: FastifyReply): Promise<void> {
    let status = 200;
    let result: HealthCheckResult;
    try {
      result = await this.health.check([() => this.lifecycle.check(), ...this.upstreamChecks()]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      status = 503;
      result = error.getResponse() as HealthCheckResult;
    }
    await reply.status(status).header('cache-control', 'no-store').send(result);
  }

  private upstreamChecks(): (() => ReturnType<UpstreamsHealthIndicator['check']>[number])[] {
    return this.upstreams.check().map((result) => () => result);
  }
}
