import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LimitsModule } from '../limits';
import { ProvidersModule } from '../providers';
import { TierRoutingModule } from '../tier-routing';
import { HEALTH_CONFIG } from './health.config';
import { HealthController } from './health.controller';
import { LifecycleService } from './lifecycle.service';

/** Composes the indicators of the other modules into `/health`, `/health/live`, `/health/ready`. */
@Module({
  imports: [
    TerminusModule.forRoot({ logger: false }),
    ProvidersModule,
    LimitsModule,
    TierRoutingModule,
  ],
  controllers: [HealthController],
  providers: [HEALTH_CONFIG.provider, LifecycleService],
  exports: [LifecycleService],
})
export class HealthModule {}
