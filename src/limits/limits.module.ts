import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AuthModule } from '../auth';
import { SpendModule } from '../spend';
import type { LimitStore } from './limit-store.interface';
import { LIMITS_CONFIG, type LimitsSlice } from './limits.config';
import { LIMIT_STORE } from './limits.constants';
import { LimitsHealthIndicator } from './limits.health';
import { LimitsService } from './limits.service';
import { MemoryLimitStore } from './memory-limit.store';
import { RedisLimitStore } from './redis-limit.store';
import { UsageController } from './usage.controller';
import { UsageMetrics } from './usage-metrics';

function limitStoreFor(config: LimitsSlice): LimitStore {
  const url = config.redis.url;
  if (url === undefined) return new MemoryLimitStore();
  const { keyPrefix, onError, timeoutMs } = config.limits.redis;
  return RedisLimitStore.connect(url, { keyPrefix, onError, timeoutMs });
}

/** Per-key rate limits (in memory, or shared through Redis), usage accounting and `/v1/usage`. */
@Module({
  imports: [AuthModule, TerminusModule, SpendModule],
  controllers: [UsageController],
  providers: [
    LIMITS_CONFIG.provider,
    { provide: LIMIT_STORE, useFactory: limitStoreFor, inject: [LIMITS_CONFIG.token] },
    LimitsService,
    UsageMetrics,
    LimitsHealthIndicator,
  ],
  exports: [LimitsService, LimitsHealthIndicator],
})
export class LimitsModule {}
