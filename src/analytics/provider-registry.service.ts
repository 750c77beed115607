import { Inject, Injectable, Optional } from '@nestjs/common';
import { ErrorCode, GatewayException } from '../common/errors';
import { UpstreamPoolsService, type Replica, type UpstreamPool } from '../providers';
import type { GroupFigures } from './analytics-fields';
import { ANALYTICS_CONFIG, type AnalyticsSlice } from './analytics.config';
import { AnalyticsMessages } from './analytics.messages';
import { AnalyticsService } from './analytics.service';
import { PROVIDER_PRICING, type ProviderPricing } from './analytics.constants';
import type { Percentiles } from './latency-sketch';

/** What the gateway sends a pool: the chat tiers (and their model ids) and embeddings. */
interface PoolRole {
  tiers: string[];
  chatModels: Set<string>;
  embeddingsModel?: string;
}

/** One replica in `GET /v1/providers` (C5). */
export interface ReplicaView {
  id: string;
  url: string;
  health: 'healthy' | 'unhealthy' | 'unknown';
  circuit: 'closed' | 'open' | 'half_open';
  models: {
    id: string;
    context_length: number | null;
    serves_configured_model: boolean;
    capabilities: { chat: boolean; stream: boolean; embeddings: boolean; tools: boolean | null };
  }[];
  discovered_at: string | null;
  load: {
    in_flight: number;
    queued: number;
    server_running: number | null;
    server_waiting: number | null;
    kv_cache_usage: number | null;
  };
  performance: {
    window: '5m';
    requests: number;
    error_rate: number;
    latency_ms: Percentiles | null;
    ttft_ms: Percentiles | null;
    tokens_per_second: number | null;
  };
}

/**
 * The provider registry (`GET /v1/providers`): every pool and replica as the gateway sees it
 * now (health, circuit, what its `/v1/models` listed, load) with its last 5 minutes from
 * analytics and its price through the {@link PROVIDER_PRICING} port.
 */
@Injectable()
export class ProviderRegistryService {
  private readonly roles = new Map<string, PoolRole>();

  constructor(
    private readonly pools: UpstreamPoolsService,
    private readonly analytics: AnalyticsService,
    @Inject(ANALYTICS_CONFIG.token) config: AnalyticsSlice,
    @Optional() @Inject(PROVIDER_PRICING) private readonly pricing?: ProviderPricing,
  ) {
    const roleOf = (pool: string): PoolRole => {
      let role = this.roles.get(pool);
      if (role === undefined) this.roles.set(pool, (role = { tiers: [], chatModels: new Set() }));
      return role;
    };
    for (const [name, tier] of Object.entries(config.tiers)) {
      if (!tier) continue;
      roleOf(tier.pool).tiers.push(name);
      roleOf(tier.pool).chatModels.add(tier.model);
    }
    const embeddings = config.embeddings;
    if (embeddings) {
      roleOf(embeddings.pool).tiers.push('embeddings');
      roleOf(embeddings.pool).embeddingsModel = embeddings.model;
    }
  }

  async list(): Promise<Record<string, unknown>> {
    const performance = await this.analytics.replicaPerformance();
    return {
      object: 'list',
      scope: this.analytics.scope,
      currency: this.analytics.currency,
      data: this.pools.all().map((pool) => this.poolView(pool, performance)),
    };
  }

  /** Runs one health check and one `/v1/models` read of a replica now; answers its view. */
  async probe(poolName: string, id: string): Promise<ReplicaView> {
    const pool = this.pools.all().find((p) => p.name === poolName);
    const replica = pool?.replicas.find((r) => r.id === id);
    if (pool === undefined || replica === undefined) {
      throw new GatewayException(
        ErrorCode.NotFound,
        AnalyticsMessages.unknownReplica(poolName, id),
      );
    }
    await pool.probe(replica);
    return this.replicaView(pool, replica, await this.analytics.replicaPerformance());
  }

  private poolView(pool: UpstreamPool, performance: Map<string, GroupFigures>) {
    const model = pool.expectedModels[0] ?? '';
    const price = this.pricing?.priceOf(pool.name, model);
    return {
      pool: pool.name,
      tiers: this.roles.get(pool.name)?.tiers ?? [],
      balancing: pool.config.balancing,
      model,
      price:
        price === undefined
          ? null
          : {
              input: price.input,
              cached_input: price.cachedInput,
              output: price.output,
              reasoning: price.reasoning,
              unit: 'per_million_tokens',
              source: price.source,
            },
      replicas: pool.replicas.map((replica) => this.replicaView(pool, replica, performance)),
    };
  }

  private replicaView(
    pool: UpstreamPool,
    replica: Replica,
    performance: Map<string, GroupFigures>,
  ): ReplicaView {
    const role = this.roles.get(pool.name) ?? { tiers: [], chatModels: new Set<string>() };
    const discovery = replica.discovery;
    const listed = discovery?.models ?? [];
    const streams = pool.config.streaming && !replica.transport.refusesStreaming;
    const figures = performance.get(`${pool.name}/${replica.id}`);
    const load = replica.load;
    // llama.cpp reports no KV-cache gauge: its 0 means "not said".
    const kvKnown = load !== undefined && replica.loadMetricsServer !== 'llamacpp';
    return {
      id: replica.id,
      url: replica.label,
      health: !replica.serving ? 'unhealthy' : replica.known ? 'healthy' : 'unknown',
      circuit: replica.circuitState,
      models: listed.map((entry) => {
        // llama.cpp lists its first alias as the id: a verified single model is the configured one.
        const configured =
          pool.expectedModels.includes(entry.id) ||
          (listed.length === 1 &&
            replica.refused === undefined &&
            replica.verifiedAt !== undefined);
        const says = entry.serverCapabilities;
        const chat = says ? says.includes('completion') : configured && role.chatModels.size > 0;
        return {
          id: entry.id,
          context_length: entry.contextLength,
          serves_configured_model: configured,
          capabilities: {
            chat,
            stream: chat && streams,
            embeddings: configured && role.embeddingsModel !== undefined,
            tools: discovery?.tools ?? null,
          },
        };
      }),
      discovered_at: discovery ? new Date(discovery.at).toISOString() : null,
      load: {
        in_flight: replica.inFlight,
        // The wait queue is the pool's, shared by its replicas.
        queued: pool.queueDepth,
        server_running: load?.running ?? null,
        server_waiting: load?.waiting ?? null,
        kv_cache_usage: kvKnown ? load.kvUsage : null,
      },
      performance: {
        window: '5m',
        requests: figures?.requests ?? 0,
        error_rate: figures?.error_rate ?? 0,
        latency_ms: figures?.latency_ms ?? null,
        ttft_ms: figures?.ttft_ms ?? null,
        tokens_per_second: figures?.tokens_per_second ?? null,
      },
    };
  }
}
