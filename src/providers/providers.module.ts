import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { PROVIDERS_CONFIG } from './providers.config';
import { UpstreamPoolsService } from './upstream-pools.service';
import { UpstreamsHealthIndicator } from './upstreams.health';

/** LLM upstreams: the OpenAI-compatible client, the pools of replicas and how a replica is picked. */
@Module({
  imports: [TerminusModule],
  providers: [PROVIDERS_CONFIG.provider, UpstreamPoolsService, UpstreamsHealthIndicator],
  exports: [UpstreamPoolsService, UpstreamsHealthIndicator],
})
export class ProvidersModule {}
