import { Observable } from 'rxjs';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  CompletionChunk,
  CompletionRequest,
  EmbeddingRequest,
  EmbeddingResponse,
} from '../common/openai/chat.types';
import type { PoolConfig, UpstreamConfig } from '../config';
import { AttemptRunner } from './attempt-runner';
import { AttemptTelemetry, type UpstreamCallDescription } from './attempt-telemetry';
import { createBalancer } from './balancers';
import { OpenAiCompatibleClient } from './openai-compatible.client';
import type { PoolObserver } from './pool-observer';
import { PoolMonitor } from './pool-monitor';
import { PooledStream, type StreamOpener } from './pooled-stream';
import { PrefixAffinityRing } from './prefix-affinity';
import { Replica, type ReplicaState, type ReplicaTransport } from './replica';
import { ReplicaProbe, type ReplicaProber } from './replica-probe';
import { ReplicaSelector } from './replica-selector';
import { RESPONSES_STREAM } from './responses-wire';
import { chunkStream, type StreamShape } from './stream-shape';
import type {
  ChatUpstream,
  ResponsesStreamEvent,
  UpstreamCallOptions,
  UpstreamChunk,
  UpstreamJson,
} from './upstream.interface';

export interface UpstreamPoolOptions {
  observer?: PoolObserver;
  /** Spans and metrics of each attempt; spans only (through the global tracer) when absent. */
  attempts?: AttemptTelemetry;
  /** Seams for unit specs; production uses the undici client and probe. */
  createTransport?: (upstream: UpstreamConfig, config: PoolConfig) => ReplicaTransport;
  createProbe?: (upstream: UpstreamConfig, config: PoolConfig) => ReplicaProber;
  /** The model ids requests to this pool name, verified against each replica's `/v1/models`. */
  expectedModels?: readonly string[];
  random?: () => number;
  now?: () => number;
}

/**
 * A named pool of replicas serving the same model, behind the same port as one replica. It
 * composes the parts: the {@link ReplicaSelector} picks each attempt's replica (prefix
 * affinity first, when enabled, then the balancing policy) or queues the attempt when all are
 * busy, shedding it with 503 `overloaded` when the queue is full or its wait is over; the
 * {@link AttemptRunner} retries failures before anything reached the caller on another
 * replica (ADR 0006), for whole answers and, through a {@link PooledStream}, for streams up to
 * their commit point; the {@link PoolMonitor} runs the active health checks.
 */
export class UpstreamPool implements ChatUpstream {
  readonly replicas: readonly Replica[];
  private readonly probes: readonly ReplicaProber[];
  private readonly monitor: PoolMonitor;
  private readonly selector: ReplicaSelector;
  private readonly runner: AttemptRunner;
  private readonly observer: PoolObserver | undefined;
  /** The model ids requests to this pool carry (its tiers' and the embeddings' `model`). */
  readonly expectedModels: readonly string[];

  constructor(
    readonly config: PoolConfig,
    options: UpstreamPoolOptions = {},
  ) {
    this.observer = options.observer;
    this.expectedModels = options.expectedModels ?? [];
    const random = options.random ?? Math.random;
    const now = options.now ?? Date.now;
    const createTransport =
      options.createTransport ?? ((upstream, pool) => new OpenAiCompatibleClient(upstream, pool));
    const createProbe =
      options.createProbe ?? ((upstream, pool) => new ReplicaProbe(upstream, pool));
    this.replicas = config.upstreams.map(
      (upstream, index) =>
        new Replica(
          index,
          labelOf(upstream.url),
          upstream.weight,
          createTransport(upstream, config),
          config,
          (replica, from, to, reason) => this.onStateChange(replica, from, to, reason),
        ),
    );
    this.probes = config.upstreams.map((upstream) => createProbe(upstream, config));
    this.monitor = new PoolMonitor(
      this.replicas,
      this.probes,
      config,
      now,
      options.expectedModels,
      {
        loadMetricsChanged: (replica, problem, server) =>
          this.observer?.loadMetricsChanged?.(this.name, replica, problem, server),
      },
    );
    this.selector = new ReplicaSelector(
      this.replicas,
      config,
      createBalancer(config.balancing, config.loadAware, random),
      config.prefixAffinity.enabled
        ? new PrefixAffinityRing(this.replicas, config.prefixAffinity.loadFactor)
        : undefined,
      this.observer,
      now,
    );
    this.runner = new AttemptRunner(
      config.name,
      config,
      this.selector,
      this.probes,
      options.attempts ?? new AttemptTelemetry(),
      this.observer,
      random,
      now,
    );
  }

  get name(): string {
    return this.config.name;
  }

  /** Some replica is healthy (or half-open): the pool can serve without panic routing. */
  get available(): boolean {
    return this.selector.available;
  }

  /** Some replica is not known to be down by the active checks. */
  get serving(): boolean {
    return this.selector.serving;
  }

  /** Every replica that could take a request is at its limit, and the wait queue is full. */
  get saturated(): boolean {
    return this.selector.saturated;
  }

  get queueDepth(): number {
    return this.selector.queueDepth;
  }

  /** What a caller refused for want of a replica is told to wait (`Retry-After`, seconds). */
  get retryAfterSeconds(): number {
    return this.selector.retryAfterSeconds;
  }

  /**
   * The context window of `model` as the pool's serving replicas report it (model discovery):
   * the smallest, since a request may go to any of them; undefined when none says.
   */
  contextWindow(model: string): number | undefined {
    let smallest: number | undefined;
    for (const replica of this.replicas) {
      if (!replica.serving) continue;
      const length = discoveredWindow(replica, model);
      if (length !== undefined && (smallest === undefined || length < smallest)) smallest = length;
    }
    return smallest;
  }

  /** Runs one active check and one `/v1/models` verification of a replica now. */
  async probe(replica: Replica): Promise<void> {
    const index = this.replicas.indexOf(replica);
    if (index === -1) return;
    await Promise.all([this.monitor.checkOne(index), this.monitor.verifyOne(index)]);
  }

  /** Starts the active health checks (and metric scrapes for `load-aware`). */
  start(): void {
    this.monitor.start();
  }

  /**
   * Stops the timers and closes every connection; waiting requests are refused. By now the
   * HTTP server has drained, so an upstream request still running has nobody to answer: after
   * `graceMs` it is aborted rather than allowed to hold the process open.
   */
  async close(graceMs = 1000): Promise<void> {
    this.runner.close();
    this.monitor.stop();
    this.selector.refuseWaiting();
    await Promise.all([
      ...this.replicas.map((replica) => closeWithin(replica.transport, graceMs)),
      ...this.probes.map((probe) => probe.close()),
    ]);
  }

  chat(
    body: ChatCompletionRequest,
    options: UpstreamCallOptions,
  ): Promise<UpstreamJson<ChatCompletion>> {
    return this.runner.execute(
      options,
      this.selector.affinityOf(body, options),
      (transport, attempt) => transport.chat(body, attempt),
      callDescription('chat', body, false),
    );
  }

  chatStream(
    body: ChatCompletionRequest,
    options: UpstreamCallOptions,
  ): Observable<UpstreamChunk<ChatCompletionChunk>> {
    return this.stream(
      options,
      this.selector.affinityOf(body, options),
      (transport, attempt) => transport.chatStream(body, attempt),
      callDescription('chat', body, true),
    );
  }

  completions(
    body: CompletionRequest,
    options: UpstreamCallOptions,
  ): Promise<UpstreamJson<unknown>> {
    return this.runner.execute(
      options,
      this.selector.explicitAffinity(options),
      (transport, attempt) => transport.completions(body, attempt),
      callDescription('text_completion', body, false),
    );
  }

  completionsStream(
    body: CompletionRequest,
    options: UpstreamCallOptions,
  ): Observable<UpstreamChunk<CompletionChunk>> {
    return this.stream(
      options,
      this.selector.explicitAffinity(options),
      (transport, attempt) => transport.completionsStream(body, attempt),
      callDescription('text_completion', body, true),
    );
  }

  embeddings(
    body: EmbeddingRequest,
    options: UpstreamCallOptions,
  ): Promise<UpstreamJson<EmbeddingResponse>> {
    return this.runner.execute(
      options,
      undefined,
      (transport, attempt) => transport.embeddings(body, attempt),
      callDescription('embeddings', body, false),
    );
  }

  /** The replicas' own `/v1/responses` (a pool with `responses_api: native`). */
  responses(
    body: Record<string, unknown>,
    options: UpstreamCallOptions,
  ): Promise<UpstreamJson<Record<string, unknown>>> {
    return this.runner.execute(
      options,
      this.selector.explicitAffinity(options),
      (transport, attempt) => transport.responses(body, attempt),
      callDescription('chat', body, false),
    );
  }

  responsesStream(
    body: Record<string, unknown>,
    options: UpstreamCallOptions,
  ): Observable<UpstreamChunk<ResponsesStreamEvent>> {
    return this.stream(
      options,
      this.selector.explicitAffinity(options),
      (transport, attempt) => transport.responsesStream(body, attempt),
      callDescription('chat', body, true),
      RESPONSES_STREAM,
    );
  }

  private stream<T>(
    options: UpstreamCallOptions,
    affinityKey: number | undefined,
    open: StreamOpener<T>,
    description: UpstreamCallDescription,
    shape: StreamShape<T> = chunkStream<T & { choices: unknown[] }>() as StreamShape<T>,
  ): Observable<UpstreamChunk<T>> {
    return new Observable<UpstreamChunk<T>>((subscriber) => {
      const stream = new PooledStream(
        this.runner,
        subscriber,
        options,
        affinityKey,
        open,
        description,
        shape,
      );
      stream.start();
      return stream;
    });
  }

  private onStateChange(replica: Replica, from: ReplicaState, to: ReplicaState, why: string): void {
    this.observer?.stateChanged(this.name, replica, from, to, why);
    this.selector.replicaChanged();
  }
}

function callDescription(
  operation: UpstreamCallDescription['operation'],
  body: { model?: string },
  stream: boolean,
): UpstreamCallDescription {
  return { operation, model: body.model ?? '', stream, body };
}

/**
 * A replica's window for `model`: its listed entry's, or, for a replica verified to serve it
 * under an alias (llama.cpp lists its first alias as the id), its only model's.
 */
function discoveredWindow(replica: Replica, model: string): number | undefined {
  const models = replica.discovery?.models;
  if (models === undefined) return undefined;
  const entry =
    models.find((m) => m.id === model) ??
    (models.length === 1 && replica.verifiedAt !== undefined ? models[0] : undefined);
  return entry?.contextLength ?? undefined;
}

/** The upstream URL as a label: no user-info, no query. */
function labelOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

async function closeWithin(transport: ReplicaTransport, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([
    transport.close().then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]);
  clearTimeout(timer);
  if (!closed) await transport.destroy();
}
