export { ProvidersModule } from './providers.module';
export { UpstreamPoolsService } from './upstream-pools.service';
export { UpstreamPool } from './upstream-pool';
export { OpenAiCompatibleClient } from './openai-compatible.client';
export { callTimeouts } from './call-timeouts';
export type { Replica, ReplicaDiscovery, ReplicaState } from './replica';
export { replicaIdOf } from './replica';
export type { AttemptRecord } from './attempt-telemetry';
export type { DiscoveredModel } from './model-verification';
export { effectiveBalancing } from './balancers';
export type {
  ChatUpstream,
  ResponsesStreamEvent,
  UpstreamCallOptions,
  UpstreamChunk,
  UpstreamJson,
} from './upstream.interface';
export { UpstreamsHealthIndicator, type PoolHealth } from './upstreams.health';
