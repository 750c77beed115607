import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { GatewayConfig } from '../config';
import { MetricsService } from '../telemetry';
import { BudgetService } from './budget.service';
import { MemorySpendStore } from './memory-spend.store';
import { PricingService } from './pricing.service';
import { RedisSpendStore } from './redis-spend.store';
import { pricingCatalogFrom } from './spend-config';
import { SpendHeaders } from './spend-headers';
import { SpendMetrics } from './spend-metrics';
import type { SpendStore } from './spend-store.interface';
import { SPEND_STORE } from './spend.constants';
import { SPEND_OPTIONS, type SpendOptions } from './spend.options';
import { SpendService } from './spend.service';

type Config = ConfigService<GatewayConfig, true>;

function spendStoreFor(config: Config, options: SpendOptions): SpendStore {
  const url = config.get('redis', { infer: true }).url;
  if (url === undefined) return new MemorySpendStore();
  const { onError, timeoutMs } = config.get('limits', { infer: true }).redis;
  return RedisSpendStore.connect(url, { keyPrefix: options.budgets.keyPrefix, onError, timeoutMs });
}

/**
 * Prices, the cost of each request and budgets per key (issue 15, points 1-3): `PricingService`
 * (C4's `priceOf`), `BudgetService` (`statusOf`, the `/v1/usage` report) and `SpendService`
 * (admission and the request's {@link SpendTicket}).
 */
@Module({
  providers: [
    {
      provide: SPEND_OPTIONS,
      useFactory: (config: Config): SpendOptions => ({
        pricing: config.get('pricing', { infer: true }),
        budgets: config.get('budgets', { infer: true }),
      }),
      inject: [ConfigService],
    },
    { provide: SPEND_STORE, useFactory: spendStoreFor, inject: [ConfigService, SPEND_OPTIONS] },
    {
      provide: PricingService,
      useFactory: (config: Config, options: SpendOptions) =>
        new PricingService(
          options.pricing,
          pricingCatalogFrom({
            tiers: config.get('tiers', { infer: true }),
            embeddings: config.get('embeddings', { infer: true }),
            aliases: config.get('aliases', { infer: true }),
            pools: config.get('pools', { infer: true }),
          }),
        ),
      inject: [ConfigService, SPEND_OPTIONS],
    },
    {
      provide: BudgetService,
      useFactory: (config: Config, options: SpendOptions, store: SpendStore) =>
        new BudgetService(
          options.budgets,
          options.pricing.currency,
          store,
          config.get('limits', { infer: true }).redis.onError,
        ),
      inject: [ConfigService, SPEND_OPTIONS, SPEND_STORE],
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
  ],
  exports: [PricingService, BudgetService, SpendService, SPEND_OPTIONS],
})
export class SpendModule {}
