import type { Observable } from 'rxjs';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  CompletionChunk,
  CompletionRequest,
  EmbeddingRequest,
  EmbeddingResponse,
  ModelList,
} from '../common/openai/chat.types';
import type { PoolConfig } from '../config';
import { OpenAiCompatibleClient } from './openai-compatible.client';
import type {
  ChatUpstream,
  UpstreamCallOptions,
  UpstreamChunk,
  UpstreamJson,
} from './upstream.interface';

/**
 * A named pool of replicas serving the same model. Each call goes to one replica chosen by
 * smooth weighted round-robin (nginx's algorithm: even spread, honours `weight`, O(n) per pick
 * with n the handful of replicas of a pool).
 */
export class UpstreamPool implements ChatUpstream {
  readonly replicas: readonly OpenAiCompatibleClient[];
  private readonly weights: number[];
  private readonly current: number[];
  private readonly totalWeight: number;

  constructor(readonly config: PoolConfig) {
    this.replicas = config.upstreams.map(
      (upstream) => new OpenAiCompatibleClient(upstream, config),
    );
    this.weights = config.upstreams.map((u) => u.weight);
    this.current = this.weights.map(() => 0);
    this.totalWeight = this.weights.reduce((a, b) => a + b, 0);
  }

  get name(): string {
    return this.config.name;
  }

  pick(): OpenAiCompatibleClient {
    if (this.replicas.length === 1) return this.replicas[0];
    let best = 0;
    for (let i = 0; i < this.current.length; i++) {
      this.current[i] += this.weights[i];
      if (this.current[i] > this.current[best]) best = i;
    }
    this.current[best] -= this.totalWeight;
    return this.replicas[best];
  }

  chat(
    body: ChatCompletionRequest,
    options: UpstreamCallOptions,
  ): Promise<UpstreamJson<ChatCompletion>> {
    return this.pick().chat(body, options);
  }

  chatStream(
    body: ChatCompletionRequest,
    options: UpstreamCallOptions,
  ): Observable<UpstreamChunk<ChatCompletionChunk>> {
    return this.pick().chatStream(body, options);
  }

  completions(
    body: CompletionRequest,
    options: UpstreamCallOptions,
  ): Promise<UpstreamJson<unknown>> {
    return this.pick().completions(body, options);
  }

  completionsStream(
    body: CompletionRequest,
    options: UpstreamCallOptions,
  ): Observable<UpstreamChunk<CompletionChunk>> {
    return this.pick().completionsStream(body, options);
  }

  embeddings(
    body: EmbeddingRequest,
    options: UpstreamCallOptions,
  ): Promise<UpstreamJson<EmbeddingResponse>> {
    return this.pick().embeddings(body, options);
  }

  listModels(options: UpstreamCallOptions): Promise<ModelList> {
    return this.pick().listModels(options);
  }

  async close(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => replica.close()));
  }
}
