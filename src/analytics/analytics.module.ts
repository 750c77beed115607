import { Module } from '@nestjs/common';
import Redis from 'ioredis';
import { ProvidersModule } from '../providers';
import { BudgetService, PricingService, SpendModule } from '../spend';
import { ANALYTICS_CONFIG, type AnalyticsSlice } from './analytics.config';
import { AnalyticsController } from './analytics.controller';
import { AnalyticsService } from './analytics.service';
import type { AnalyticsStore } from './analytics-store.interface';
import {
  ANALYTICS_OPTIONS,
  ANALYTICS_STORE,
  DEFAULT_ANALYTICS_OPTIONS,
  KEY_BUDGETS,
  PROVIDER_PRICING,
  type AnalyticsOptions,
} from './analytics.constants';
import { MemoryAnalyticsStore } from './memory-analytics.store';
import { ProviderRegistryService } from './provider-registry.service';
import { ProvidersController } from './providers.controller';
import { RedisAnalyticsStore } from './redis-analytics.store';

/** `analytics.*` of the configuration, as the module's options. */
function analyticsOptionsOf(config: AnalyticsSlice): AnalyticsOptions {
  const analytics = config.analytics;
  return {
    ...DEFAULT_ANALYTICS_OPTIONS,
    enabled: analytics.enabled,
    flushIntervalMs: analytics.flushIntervalMs,
    keyPrefix: analytics.redis.keyPrefix,
  };
}

function analyticsStoreFor(config: AnalyticsSlice, options: AnalyticsOptions): AnalyticsStore {
  const url = config.redis.url;
  if (url === undefined) return new MemoryAnalyticsStore();
  // Fails fast while Redis is away: a flush keeps its figures for the next one.
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 2_000,
    lazyConnect: false,
  });
  redis.on('error', () => undefined);
  return new RedisAnalyticsStore(redis, options.keyPrefix);
}

/**
 * Operator views (issue 15): analytics of requests and replicas (`GET /v1/analytics`), kept in
 * bounded time buckets in memory or Redis, and the provider registry (`GET /v1/providers`).
 */
@Module({
  imports: [ProvidersModule, SpendModule],
  controllers: [ProvidersController, AnalyticsController],
  providers: [
    ANALYTICS_CONFIG.provider,
    {
      provide: ANALYTICS_OPTIONS,
      useFactory: analyticsOptionsOf,
      inject: [ANALYTICS_CONFIG.token],
    },
    {
      provide: ANALYTICS_STORE,
      useFactory: analyticsStoreFor,
      inject: [ANALYTICS_CONFIG.token, ANALYTICS_OPTIONS],
    },
    // The ports of C5, bound to the spend module (issue 15): prices and budgets in the reports.
    { provide: PROVIDER_PRICING, useExisting: PricingService },
    { provide: KEY_BUDGETS, useExisting: BudgetService },
    AnalyticsService,
    ProviderRegistryService,
  ],
  exports: [AnalyticsService],
})
export class AnalyticsModule {}
