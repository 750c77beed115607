import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { AuthModule } from '../auth';
import type { GatewayConfig } from '../config';
import { SpendModule } from '../spend';
import type { LimitStore } from './limit-store.interface';
import { LIMIT_STORE } from './limits.constants';
import { LimitsHealthIndicator } from './limits.health';
import { LimitsService } from './limits.service';
import { MemoryLimitStore } from './memory-limit.store';
import { RedisLimitStore } from './redis-limit.store';
import { UsageController } from './usage.controller';
import { UsageMetrics } from './usage-metrics';

function limitStoreFor(config: ConfigService<GatewayConfig, true>): LimitStore {
  const url = config.get('redis', { infer: true }).url;
  if (url === undefined) return new MemoryLimitStore();
  const { keyPrefix, onError, timeoutMs } = config.get('limits', { infer: true }).redis;
  return RedisLimitStore.connect(url, { keyPrefix, onError, timeoutMs });
}

/** Per-key rate limits (in memory, or shared through Redis), usage accounting and `/v1/usage`. */
@Module({
  imports: [AuthModule, TerminusModule, SpendModule],
  controllers: [UsageController],
  providers: [
    { provide: LIMIT_STORE, useFactory: limitStoreFor, inject: [ConfigService] },
    LimitsService,
    UsageMetrics,
    LimitsHealthIndicator,
  ],
  exports: [LimitsService, LimitsHealthIndicator],
})
export class LimitsModule {}
