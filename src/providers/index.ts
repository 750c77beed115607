export { ProvidersModule } from './providers.module';
export { UpstreamPoolsService } from './upstream-pools.service';
export { UpstreamPool } from './upstream-pool';
export { OpenAiCompatibleClient } from './openai-compatible.client';
export type {
  ChatUpstream,
  FlowGate,
  UpstreamCallOptions,
  UpstreamChunk,
  UpstreamJson,
} from './upstream.interface';
export { UpstreamsHealthIndicator } from './upstreams.health';
