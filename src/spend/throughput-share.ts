import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { PricingService } from './pricing.service';
import { SPEND_STORE } from './spend.constants';
import type { SpendStore } from './spend-store.interface';
import type { ThroughputExchange } from './throughput-meter';

/** How often each process exchanges its GPU-hour pools' token counts with the others. */
export const THROUGHPUT_SHARE_INTERVAL_MS = 1_000;

/**
 * The store's period name for a pool's shared token count: no budget period is spelled so, so
 * a pool's count never meets a key's spend (`<prefix>{<pool>}:gpu-throughput`).
 */
export const THROUGHPUT_PERIOD = 'gpu-throughput';

/**
 * With Redis, every gateway replica prices a GPU-hour pool by the whole cluster's throughput,
 * not by its own share of the traffic: once a second each process adds the tokens it counted to
 * the pool's shared buckets (the spend store's atomic add-and-sum) and takes back the total.
 * In memory (one process) there is nothing to share.
 */
@Injectable()
export class ThroughputShare implements OnModuleInit, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly pricing: PricingService,
    @Inject(SPEND_STORE) private readonly store: SpendStore,
  ) {}

  onModuleInit(): void {
    if (this.store.kind !== 'redis' || !this.pricing.meters) return;
    this.timer = setInterval(() => void this.exchange(), THROUGHPUT_SHARE_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One exchange for every GPU-hour pool; never two at once (a slow Redis skips a tick). */
  exchange(): Promise<void> {
    this.running ??= this.pricing
      .shareThroughput((pool, retentionMs) => this.exchangeFor(pool, retentionMs))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private exchangeFor(pool: string, retentionMs: number): ThroughputExchange {
    return async (bucket, first, tokens) =>
      (
        await this.store.charge(
          { key: pool, period: THROUGHPUT_PERIOD, bucket, first, ttlMs: retentionMs },
          tokens,
        )
      ).after;
  }
}
