import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { Server } from 'node:http';

/**
 * Whether this process should receive traffic: ready once the server listens, not ready from
 * the moment shutdown begins (SPEC §9), so Kubernetes stops routing before connections close.
 */
@Injectable()
export class LifecycleService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Lifecycle');
  private listening = false;
  private draining = false;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly health: HealthIndicatorService,
  ) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server) return;
    if (server.listening) this.listening = true;
    else server.once('listening', () => (this.listening = true));
  }

  beforeApplicationShutdown(signal?: string): void {
    this.draining = true;
    this.logger.log(`Shutdown begun${signal ? ` (${signal})` : ''}: readiness now reports 503`);
  }

  get isDraining(): boolean {
    return this.draining;
  }

  check(): HealthIndicatorResult<'server'> {
    const session = this.health.check('server');
    if (this.draining) return session.down({ listening: this.listening, draining: true });
    if (!this.listening) return session.down({ listening: false, draining: false });
    return session.up({ listening: true, draining: false });
  }
}
