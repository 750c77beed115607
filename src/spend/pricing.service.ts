import type { ModelPrice } from './token-cost';
import type { PriceConfig, PricingOptions } from './spend.options';
import { ThroughputMeter, type ThroughputExchange } from './throughput-meter';

/** The configured routes prices attach to, read from the gateway's configuration once. */
export interface PricingCatalog {
  /** Chat tiers and `embeddings`: the pool and the pool's model id. */
  tiers: Record<string, { pool: string; model: string }>;
  /** Alias → its tier. */
  aliases: Record<string, string>;
  /** Pool → its number of replicas (upstreams). */
  replicas: Record<string, number>;
}

/** The tier name calls to the embeddings pool are recorded under (their telemetry tier is ''). */
export const EMBEDDINGS_TIER = 'embeddings';

/** A GPU-hour pool: its cost per second and its measured throughput. */
interface GpuPool {
  costPerSecond: number;
  meter: ThroughputMeter;
}

/**
 * Prices per million tokens of each kind. For one upstream call, the first that applies wins:
 * the alias the caller asked for (when the call ran on the alias's tier), the tier's price, the
 * pool model id's price, then the pool's GPU-hour price (from its measured throughput); else the
 * call is unpriced (it costs 0 and says so).
 *
 * The GPU-hour price of a pool with `r` replicas at `c` per replica-hour that handled `T`
 * tokens (input and output) over the last window of `W` seconds is, per million tokens,
 * `c × r / 3600 ÷ (T / W) × 1e6`: the pool's cost per second shared by the tokens per second it
 * served. All four kinds get that price.
 */
export class PricingService {
  readonly currency: string;
  private readonly tierPrices = new Map<string, ModelPrice>();
  private readonly modelPrices = new Map<string, ModelPrice>();
  private readonly aliasPrices = new Map<string, { tier: string; price: ModelPrice }>();
  private readonly gpuPools = new Map<string, GpuPool>();

  constructor(
    options: PricingOptions,
    private readonly catalog: PricingCatalog,
    now: () => number = Date.now,
  ) {
    this.currency = options.currency;
    for (const [tier, price] of Object.entries(options.tiers))
      this.tierPrices.set(tier, configured(price));
    for (const [model, price] of Object.entries(options.models))
      this.modelPrices.set(model, configured(price));
    for (const [alias, price] of Object.entries(options.aliases)) {
      const tier = catalog.aliases[alias];
      if (tier !== undefined) this.aliasPrices.set(alias, { tier, price: configured(price) });
    }
    for (const [pool, gpu] of Object.entries(options.pools)) {
      this.gpuPools.set(pool, {
        costPerSecond: (gpu.gpuHourCost * (catalog.replicas[pool] ?? 1)) / 3600,
        meter: new ThroughputMeter(gpu.throughputWindowMs, now),
      });
    }
  }

  /** Whether any price is configured (else every call is unpriced and nothing is metered). */
  get enabled(): boolean {
    return (
      this.tierPrices.size + this.modelPrices.size + this.aliasPrices.size + this.gpuPools.size > 0
    );
  }

  /** The price of `model` served by `pool` (the provider registry's view; aliases aside). */
  priceOf(pool: string, model: string): ModelPrice | undefined {
    for (const [tier, route] of Object.entries(this.catalog.tiers)) {
      if (route.pool !== pool || route.model !== model) continue;
      const price = this.tierPrices.get(tier);
      if (price) return price;
    }
    return this.modelPrices.get(model) ?? this.gpuPrice(pool);
  }

  /**
   * The price of one call that ran on `tier` (`''` or `embeddings` for the embeddings pool) with
   * the pool's model id `model`, for a request that asked for `requested`.
   */
  priceForCall(requested: string | undefined, tier: string, model: string): ModelPrice | undefined {
    const name = tier === '' ? EMBEDDINGS_TIER : tier;
    if (requested !== undefined) {
      const alias = this.aliasPrices.get(requested);
      if (alias && alias.tier === name) return alias.price;
    }
    return (
      this.tierPrices.get(name) ??
      this.modelPrices.get(model) ??
      this.gpuPrice(this.catalog.tiers[name]?.pool)
    );
  }

  /** Counts a call's tokens towards its pool's measured throughput (GPU-hour pools only). */
  recordThroughput(tier: string, tokens: number): void {
    if (this.gpuPools.size === 0) return;
    const pool = this.catalog.tiers[tier === '' ? EMBEDDINGS_TIER : tier]?.pool;
    if (pool !== undefined) this.gpuPools.get(pool)?.meter.add(tokens);
  }

  /** Whether some pool is priced by the GPU-hour (its throughput is then worth sharing). */
  get meters(): boolean {
    return this.gpuPools.size > 0;
  }

  /**
   * Exchanges each GPU-hour pool's counted tokens with the shared count of every replica
   * (`exchangeOf(pool, retentionMs)` is the store's atomic add-and-sum for that pool).
   */
  async shareThroughput(
    exchangeOf: (pool: string, retentionMs: number) => ThroughputExchange,
  ): Promise<void> {
    for (const [pool, gpu] of this.gpuPools) {
      await gpu.meter.share(exchangeOf(pool, gpu.meter.retentionMs));
    }
  }

  /**
   * The highest price of each kind a request asking for `requested` may be charged, over the
   * tiers it may be routed to (`embeddings`, or the chat tiers): what admission reserves at.
   */
  worstCase(requested: string | undefined, tiers: readonly string[]): ModelPrice | undefined {
    let worst: ModelPrice | undefined;
    for (const tier of tiers) {
      const route = this.catalog.tiers[tier];
      if (route === undefined) continue;
      const price = this.priceForCall(requested, tier, route.model);
      if (price === undefined) continue;
      worst = worst
        ? {
            input: Math.max(worst.input, price.input),
            cachedInput: Math.max(worst.cachedInput, price.cachedInput),
            output: Math.max(worst.output, price.output),
            reasoning: Math.max(worst.reasoning, price.reasoning),
            source: worst.source,
          }
        : price;
    }
    return worst;
  }

  /** The chat tiers configured (what `auto` may reach). */
  get chatTiers(): string[] {
    return Object.keys(this.catalog.tiers).filter((tier) => tier !== EMBEDDINGS_TIER);
  }

  private gpuPrice(pool: string | undefined): ModelPrice | undefined {
    const gpu = pool === undefined ? undefined : this.gpuPools.get(pool);
    if (gpu === undefined) return undefined;
    const tokensPerSecond = gpu.meter.tokensPerSecond();
    if (tokensPerSecond <= 0) return undefined;
    const perMillion = (gpu.costPerSecond / tokensPerSecond) * 1e6;
    return {
      input: perMillion,
      cachedInput: perMillion,
      output: perMillion,
      reasoning: perMillion,
      source: 'gpu_hour',
    };
  }
}

function configured(price: PriceConfig): ModelPrice {
  return {
    input: price.input,
    cachedInput: price.cachedInput ?? price.input,
    output: price.output,
    reasoning: price.reasoning ?? price.output,
    source: 'configured',
  };
}
