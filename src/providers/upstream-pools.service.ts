import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { installSecrets } from '../common/secrets';
import type { EmbeddingsConfig, GatewayConfig, TierConfig } from '../config';
import { MetricsService, TELEMETRY_OPTIONS, type TelemetryOptions } from '../telemetry';
import { AttemptTelemetry, type AttemptRecord } from './attempt-telemetry';
import { PROVIDERS_CONFIG, type ProvidersSlice } from './providers.config';
import { ProvidersMessages } from './providers.messages';
import { UpstreamMetrics } from './upstream-metrics';
import { UpstreamPool } from './upstream-pool';

/**
 * Builds one {@link UpstreamPool} per configured pool at boot, starts their health checks once
 * the application is up, and stops and closes them at shutdown (after the HTTP server has
 * drained, so in-flight requests keep their connections).
 */
@Injectable()
export class UpstreamPoolsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Upstreams');
  private readonly pools = new Map<string, UpstreamPool>();
  private readonly attempts: AttemptTelemetry;

  constructor(
    @Inject(PROVIDERS_CONFIG.token) config: ProvidersSlice,
    metrics: MetricsService,
    @Optional() @Inject(TELEMETRY_OPTIONS) telemetry?: TelemetryOptions,
  ) {
    const observer = new UpstreamMetrics(metrics.registry, () => this.all());
    const attempts = (this.attempts = new AttemptTelemetry({
      metrics,
      captureContent: telemetry?.captureContent ?? false,
    }));
    const { pools } = config;
    const expected = expectedModels(config.tiers, config.embeddings);
    // Once, at boot: every message relayed from an upstream or a tool is scrubbed of these.
    installSecrets(config.secrets);
    for (const name of Object.keys(pools)) {
      this.pools.set(
        name,
        new UpstreamPool(pools[name], {
          observer,
          attempts,
          expectedModels: expected.get(name) ?? [],
        }),
      );
    }
  }

  /** The pool of that name; names are validated against the configuration at boot. */
  get(name: string): UpstreamPool {
    const pool = this.pools.get(name);
    if (!pool)
      throw new Error(`No upstream pool named '${name}' (configuration is validated at boot)`);
    return pool;
  }

  all(): UpstreamPool[] {
    return [...this.pools.values()];
  }

  /** Tells `listener` of every ended upstream attempt (analytics per replica). */
  observeAttempts(listener: (attempt: AttemptRecord) => void): void {
    this.attempts.listener = listener;
  }

  onApplicationBootstrap(): void {
    const pools = this.all();
    for (const pool of pools) pool.start();
    const replicas = pools.reduce((n, pool) => n + pool.replicas.length, 0);
    this.logger.log(ProvidersMessages.poolsStarted(pools.length, replicas));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.all().map((pool) => pool.close()));
  }
}

/** Pool name → the model ids requests to it carry (its tiers' and the embeddings' `model`). */
function expectedModels(
  tiers: GatewayConfig['tiers'],
  embeddings: EmbeddingsConfig | undefined,
): Map<string, string[]> {
  const byPool = new Map<string, string[]>();
  const users: (TierConfig | EmbeddingsConfig | undefined)[] = [
    ...Object.values(tiers),
    embeddings,
  ];
  for (const user of users) {
    if (user === undefined) continue;
    const models = byPool.get(user.pool) ?? [];
    if (!models.includes(user.model)) models.push(user.model);
    byPool.set(user.pool, models);
  }
  return byPool;
}
