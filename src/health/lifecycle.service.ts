import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { Server, ServerResponse } from 'node:http';
import type { ShutdownConfig } from '../config';
import { HEALTH_CONFIG, type HealthSlice } from './health.config';
import { HealthMessages } from './health.messages';

/**
 * Whether this process should receive traffic, and the graceful shutdown of docs/api.md §9:
 *
 * 1. SIGTERM: readiness reports 503 at once, so Kubernetes stops routing here;
 * 2. for `drain_delay_ms` connections are still accepted (endpoint removal takes a moment to
 *    reach every proxy); a programmatic `app.close()` without a signal skips this wait;
 * 3. Nest then closes the HTTP server: new connections are refused, requests arriving on open
 *    keep-alive connections get 503, in-flight requests and streams run to their end, and each
 *    connection is closed as soon as its last response is done;
 * 4. whatever still runs after `grace_period_ms` is cut; the shutdown hooks close the pools
 *    and timers, and the process exits 0.
 */
@Injectable()
export class LifecycleService
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('Lifecycle');
  private readonly shutdown: ShutdownConfig;
  private server: Server | undefined;
  private listening = false;
  private draining = false;
  private closing = false;
  private inFlight = 0;
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly health: HealthIndicatorService,
    @Inject(HEALTH_CONFIG.token) config: HealthSlice,
  ) {
    this.shutdown = config.shutdown;
  }

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server) return;
    this.server = server;
    if (server.listening) this.listening = true;
    else server.once('listening', () => (this.listening = true));
    server.on('request', (_request, response: ServerResponse) => {
      this.inFlight++;
      response.once('close', this.onResponseClose);
    });
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.draining = true;
    this.logger.log(HealthMessages.shutdownBegun(signal, this.inFlight));
    const { drainDelayMs, gracePeriodMs } = this.shutdown;
    if (signal !== undefined && drainDelayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, drainDelayMs));
    }
    // Nest closes the HTTP server next and waits for its connections; this bounds that wait.
    this.closing = true;
    this.logger.log(HealthMessages.closingServer(this.inFlight, gracePeriodMs));
    this.graceTimer = setTimeout(() => {
      this.logger.warn(HealthMessages.graceOver(this.inFlight));
      this.server?.closeAllConnections();
    }, gracePeriodMs);
    this.graceTimer.unref();
    this.closeIdleSoon();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.graceTimer);
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** Requests (and streams) being answered right now. */
  get requestsInFlight(): number {
    return this.inFlight;
  }

  check(): HealthIndicatorResult<'server'> {
    const session = this.health.check('server');
    if (this.draining) return session.down({ listening: this.listening, draining: true });
    if (!this.listening) return session.down({ listening: false, draining: false });
    return session.up({ listening: true, draining: false });
  }

  private readonly onResponseClose = (): void => {
    this.inFlight--;
    if (this.closing) this.closeIdleSoon();
  };

  /**
   * Keep-alive connections would otherwise hold the closing server open until their idle
   * timeout; a connection is idle once its response has been detached, hence the next turn.
   */
  private closeIdleSoon(): void {
    setImmediate(() => this.server?.closeIdleConnections());
  }
}
