import { Module } from '@nestjs/common';
import { MetricsService } from '../telemetry';
import { BudgetService } from './budget.service';
import { MemorySpendStore } from './memory-spend.store';
import { PricingService } from './pricing.service';
import { RedisSpendStore } from './redis-spend.store';
import { SPEND_CONFIG, type SpendSlice } from './spend.config';
import { SpendHeaders } from './spend-headers';
import { SpendMetrics } from './spend-metrics';
import type { SpendStore } from './spend-store.interface';
import { SPEND_STORE } from './spend.constants';
import { SPEND_OPTIONS, type SpendOptions } from './spend.options';
import { SpendService } from './spend.service';
import { ThroughputShare } from './throughput-share';

function spendStoreFor(config: SpendSlice, options: SpendOptions): SpendStore {
  const url = config.redis.url;
  if (url === undefined) return new MemorySpendStore();
  const { onError, timeoutMs } = config.limitsRedis;
  return RedisSpendStore.connect(url, { keyPrefix: options.budgets.keyPrefix, onError, timeoutMs });
}

/**
 * Prices, the cost of each request and budgets per key (issue 15, points 1-3): `PricingService`
 * (C4's `priceOf`), `BudgetService` (`statusOf`, the `/v1/usage` report) and `SpendService`
 * (admission and the request's {@link SpendTicket}).
 */
@Module({
  providers: [
    SPEND_CONFIG.provider,
    {
      provide: SPEND_OPTIONS,
      useFactory: ({ pricing, budgets }: SpendSlice): SpendOptions => ({ pricing, budgets }),
      inject: [SPEND_CONFIG.token],
    },
    {
      provide: SPEND_STORE,
      useFactory: spendStoreFor,
      inject: [SPEND_CONFIG.token, SPEND_OPTIONS],
    },
    {
      provide: PricingService,
      useFactory: (config: SpendSlice, options: SpendOptions) =>
        new PricingService(options.pricing, config.catalog),
      inject: [SPEND_CONFIG.token, SPEND_OPTIONS],
    },
    {
      provide: BudgetService,
      useFactory: (config: SpendSlice, options: SpendOptions, store: SpendStore) =>
        new BudgetService(
          options.budgets,
          options.pricing.currency,
          store,
          config.limitsRedis.onError,
        ),
      inject: [SPEND_CONFIG.token, SPEND_OPTIONS, SPEND_STORE],
    },
    {
      provide: SpendMetrics,
      useFactory: (metrics: MetricsService, options: SpendOptions) =>
        new SpendMetrics(metrics, options.pricing.currency),
      inject: [MetricsService, SPEND_OPTIONS],
    },
    {
      provide: SpendService,
      useFactory: (pricing: PricingService, budgets: BudgetService, metrics: SpendMetrics) =>
        new SpendService(pricing, budgets, metrics),
      inject: [PricingService, BudgetService, SpendMetrics],
    },
    SpendHeaders,
    ThroughputShare,
  ],
  exports: [PricingService, BudgetService, SpendService, SPEND_OPTIONS],
})
export class SpendModule {}
