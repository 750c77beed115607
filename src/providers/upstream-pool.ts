import { context, type Context } from '@opentelemetry/api';
import {
  Observable,
  type Observer,
  type Subscriber,
  type Subscription,
  type Unsubscribable,
} from 'rxjs';
import { ErrorCode, ErrorMessages, GatewayException } from '../common/errors';
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
import {
  AttemptTelemetry,
  type AttemptTrace,
  type UpstreamCallDescription,
} from './attempt-telemetry';
import { createBalancer, type Balancer } from './balancers';
import { isCommitChunk } from './commit-point';
import { OpenAiCompatibleClient } from './openai-compatible.client';
import type { PoolObserver } from './pool-observer';
import { PoolMonitor } from './pool-monitor';
import { fnv1a, prefixKeyOf, PrefixAffinityRing } from './prefix-affinity';
import { Replica, type ReplicaState, type ReplicaTransport } from './replica';
import { ReplicaProbe, type ReplicaProber } from './replica-probe';
import { backoffDelay, classifyFailure, judgeSuspect, type FailureKind } from './retry-policy';
import type {
  ChatUpstream,
  UpstreamCallOptions,
  UpstreamChunk,
  UpstreamJson,
} from './upstream.interface';
import { WaitQueue } from './wait-queue';

/** What a shed request is told to wait before trying again. */
const SHED_RETRY_AFTER_S = 1;

/** `select()`'s answer when no replica serves at all (every one is down). */
const NO_REPLICA = Symbol('no replica');

/**
 * One request's failed attempts as its pool judges them (SPEC §6): a 500 waits for the next
 * attempt to say whether it followed the request. Allocated at the first failure only.
 */
interface FaultLedger {
  /** The replica whose 500 is not judged yet. */
  suspect: Replica | undefined;
  /** 500s in this request: the first is retried once elsewhere, the second is not. */
  serverErrors: number;
  /** The request has failed the same way on two replicas: its 500s are its own. */
  followsRequest: boolean;
}

/** After a failed attempt: wait this long and try again, or end with this error. */
type RetryPlan = number | { error: unknown };

/** One attempt's hold on a replica: counted in flight until released, exactly once. */
interface Lease {
  replica: Replica;
  /** The half-open circuit's single trial request. */
  trial: boolean;
  released: boolean;
}

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
 * A named pool of replicas serving the same model, behind the same port as one replica. Each
 * attempt goes to a healthy replica below its concurrency limit, chosen by the pool's
 * balancing policy (prefix affinity first, when enabled); when all are busy the request waits
 * in a bounded queue, and is shed with 503 `overloaded` when that is full or its wait is over.
 *
 * Failures before anything reached the caller are retried on another replica (ADR 0006):
 * exponential backoff with full jitter, bounded attempts, the call's deadline over everything,
 * and the upstream's `Retry-After` respected. Streams hold back their preamble (the role
 * chunk) until the first content or tool-call delta, the commit point: a stream cut, stalled
 * or corrupted before it is retried unseen; after it, the error reaches the caller in-band.
 */
export class UpstreamPool implements ChatUpstream {
  readonly replicas: readonly Replica[];
  private readonly probes: readonly ReplicaProber[];
  private readonly monitor: PoolMonitor;
  private readonly balancer: Balancer;
  private readonly ring: PrefixAffinityRing | undefined;
  private readonly queue = new WaitQueue<Lease, readonly Replica[] | undefined>();
  private readonly observer: PoolObserver | undefined;
  private readonly attempts: AttemptTelemetry;
  private readonly random: () => number;
  private readonly now: () => number;
  /** Reused for every pick: selection allocates nothing. */
  private readonly candidates: Replica[] = [];
  private epoch = 0;
  private drainScheduled = false;
  private closed = false;
  /** Replicas whose suspect 500 a health probe is confirming now (one probe each at a time). */
  private readonly confirming = new Set<Replica>();
  /** What this pool's streams use of it: one object per pool, not closures per stream. */
  private readonly host: StreamHost;

  constructor(
    readonly config: PoolConfig,
    options: UpstreamPoolOptions = {},
  ) {
    this.observer = options.observer;
    this.attempts = options.attempts ?? new AttemptTelemetry();
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
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
      this.now,
      options.expectedModels,
      {
        loadMetricsChanged: (replica, problem, server) =>
          this.observer?.loadMetricsChanged?.(this.name, replica, problem, server),
      },
    );
    this.balancer = createBalancer(config.balancing, config.loadAware, this.random);
    this.ring = config.prefixAffinity.enabled
      ? new PrefixAffinityRing(this.replicas, config.prefixAffinity.loadFactor)
      : undefined;
    this.host = {
      name: config.name,
      attempts: this.attempts,
      now: this.now,
      acquire: (avoid, key, options, deadline) => this.acquire(avoid, key, options, deadline),
      release: (lease) => this.release(lease),
      afterFailure: (lease, error, attempt, deadline, signal, ledger) =>
        this.afterFailure(lease, error, attempt, deadline, signal, ledger),
      succeeded: (replica, ledger) => this.succeeded(replica, ledger),
      gaveUp: (ledger) => this.settleSuspect(ledger, 'none', undefined),
      attemptOptions: (options, deadline, traceContext) =>
        this.attemptOptions(options, deadline, traceContext),
    };
  }

  get name(): string {
    return this.config.name;
  }

  /** Some replica is healthy (or half-open): the pool can serve without panic routing. */
  get available(): boolean {
    const now = this.now();
    return this.replicas.some((replica) => replica.selectable(now));
  }

  /** Some replica is not known to be down by the active checks. */
  get serving(): boolean {
    return this.replicas.some((replica) => replica.serving);
  }

  /** Every replica that could take a request is at its limit, and the wait queue is full. */
  get saturated(): boolean {
    return this.queue.size >= this.config.queueSize && !this.hasCapacity();
  }

  get queueDepth(): number {
    return this.queue.size;
  }

  /**
   * What a caller refused for want of a replica is told to wait (`Retry-After`, whole
   * seconds): until the first ejection ends, or, when the active checks have taken every
   * replica out, the checks it takes to bring one back.
   */
  get retryAfterSeconds(): number {
    const now = this.now();
    let soonest = Number.POSITIVE_INFINITY;
    for (const replica of this.replicas) {
      if (replica.serving) soonest = Math.min(soonest, Math.max(now, replica.availableAt(now)));
    }
    const { intervalMs, healthyThreshold } = this.config.healthCheck;
    const ms = Number.isFinite(soonest) ? soonest - now : intervalMs * healthyThreshold;
    return Math.max(1, Math.ceil(ms / 1000));
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
    this.closed = true;
    this.monitor.stop();
    this.queue.rejectAll(() => noHealthyUpstream(this.retryAfterSeconds));
    await Promise.all([
      ...this.replicas.map((replica) => closeWithin(replica.transport, graceMs)),
      ...this.probes.map((probe) => probe.close()),
    ]);
  }

  chat(
    body: ChatCompletionRequest,
    options: UpstreamCallOptions,
  ): Promise<UpstreamJson<ChatCompletion>> {
    return this.execute(
      options,
      this.affinityOf(body, options),
      (transport, attempt) => transport.chat(body, attempt),
      describe('chat', body, false),
    );
  }

  chatStream(
    body: ChatCompletionRequest,
    options: UpstreamCallOptions,
  ): Observable<UpstreamChunk<ChatCompletionChunk>> {
    return this.stream(
      options,
      this.affinityOf(body, options),
      (transport, attempt) => transport.chatStream(body, attempt),
      describe('chat', body, true),
    );
  }

  completions(
    body: CompletionRequest,
    options: UpstreamCallOptions,
  ): Promise<UpstreamJson<unknown>> {
    return this.execute(
      options,
      this.explicitAffinity(options),
      (transport, attempt) => transport.completions(body, attempt),
      describe('text_completion', body, false),
    );
  }

  completionsStream(
    body: CompletionRequest,
    options: UpstreamCallOptions,
  ): Observable<UpstreamChunk<CompletionChunk>> {
    return this.stream(
      options,
      this.explicitAffinity(options),
      (transport, attempt) => transport.completionsStream(body, attempt),
      describe('text_completion', body, true),
    );
  }

  embeddings(
    body: EmbeddingRequest,
    options: UpstreamCallOptions,
  ): Promise<UpstreamJson<EmbeddingResponse>> {
    return this.execute(
      options,
      undefined,
      (transport, attempt) => transport.embeddings(body, attempt),
      describe('embeddings', body, false),
    );
  }

  // --------------------------------------------------------------------------- attempts

  private async execute<T>(
    options: UpstreamCallOptions,
    affinityKey: number | undefined,
    call: (transport: ReplicaTransport, attempt: UpstreamCallOptions) => Promise<T>,
    description?: UpstreamCallDescription,
  ): Promise<T> {
    const deadline = this.now() + options.timeoutMs;
    const parent = options.traceContext ?? context.active();
    let tried: Replica[] | undefined;
    let lastError: unknown;
    let ledger: FaultLedger | undefined;
    for (let attempt = 1; ; attempt++) {
      let lease: Lease;
      try {
        const acquired = this.acquire(tried, tried ? undefined : affinityKey, options, deadline);
        lease = acquired instanceof Promise ? await acquired : acquired;
      } catch (error) {
        if (ledger !== undefined) this.settleSuspect(ledger, 'none', undefined);
        // On a retry, what the upstream did says more than "no slot for the retry".
        throw lastError ?? error;
      }
      const traced = description
        ? this.attempts.start(description, this.name, lease.replica.label, attempt, parent)
        : undefined;
      let value: T;
      try {
        value = await call(
          lease.replica.transport,
          this.attemptOptions(options, deadline, traced?.context),
        );
      } catch (error) {
        traced?.failed(error, options.signal.aborted);
        ledger ??= { suspect: undefined, serverErrors: 0, followsRequest: false };
        const plan = this.afterFailure(lease, error, attempt, deadline, options.signal, ledger);
        this.release(lease);
        if (typeof plan !== 'number') throw plan.error;
        (tried ??= []).push(lease.replica);
        lastError = error;
        if (plan > 0) {
          try {
            await sleep(plan, options.signal);
          } catch (reason) {
            this.settleSuspect(ledger, 'none', undefined);
            throw reason;
          }
        }
        continue;
      }
      traced?.succeeded(value);
      this.succeeded(lease.replica, ledger);
      this.release(lease);
      return value;
    }
  }

  private stream<T extends { choices: unknown[] }>(
    options: UpstreamCallOptions,
    affinityKey: number | undefined,
    open: StreamOpener<T>,
    description: UpstreamCallDescription,
  ): Observable<UpstreamChunk<T>> {
    return new Observable<UpstreamChunk<T>>((subscriber) => {
      const stream = new PooledStream(
        this.host,
        subscriber,
        options,
        affinityKey,
        open,
        description,
      );
      stream.start();
      return stream;
    });
  }

  /**
   * Records what a failed attempt says of its replica and decides whether to retry: the wait
   * before the next attempt, or the error to end with. A refused connection is never retried
   * on the same replica, and a pool left with no replica answers 503 `tier_unavailable` with
   * `Retry-After` rather than the connection error. A 500 is retried once, on another replica.
   */
  private afterFailure(
    lease: Lease,
    error: unknown,
    attempt: number,
    deadline: number,
    signal: AbortSignal,
    ledger: FaultLedger,
  ): RetryPlan {
    const replica = lease.replica;
    const now = this.now();
    const verdict = signal.aborted ? undefined : classifyFailure(error, now);
    this.settleSuspect(ledger, verdict?.kind ?? 'none', replica);
    if (verdict === undefined) return { error };
    switch (verdict.replica) {
      case 'failed':
        replica.recordFailure(now, verdict.kind);
        break;
      case 'down':
        replica.recordDown(now, verdict.kind);
        break;
      case 'suspect':
        ledger.serverErrors++;
        if (!ledger.followsRequest) ledger.suspect = replica;
        break;
      case 'neutral':
        break;
    }
    if (verdict.retryAfterMs !== undefined) replica.cooldownUntil = now + verdict.retryAfterMs;
    const plan = this.retryPlan(verdict.retry, replica, attempt, deadline, ledger, now);
    if (plan !== undefined) {
      this.observer?.retried(this.name, verdict.kind);
      return plan;
    }
    this.settleSuspect(ledger, 'none', undefined);
    if (verdict.kind === 'refused' && !this.available) {
      return { error: noHealthyUpstream(this.retryAfterSeconds) };
    }
    return { error };
  }

  /** The wait before the next attempt, or undefined when there is none to make. */
  private retryPlan(
    retry: 'any' | 'elsewhere' | 'none',
    replica: Replica,
    attempt: number,
    deadline: number,
    ledger: FaultLedger,
    now: number,
  ): number | undefined {
    const { maxAttempts, backoffBaseMs, backoffMaxMs, maxRetryAfterMs } = this.config.retries;
    if (retry === 'none' || attempt >= maxAttempts || ledger.serverErrors > 1) return undefined;
    const alternative = this.hasAlternative(replica, now);
    if (retry === 'elsewhere' && !alternative) return undefined;
    // Another replica answers a refused connection or a 500 at once: no backoff.
    let delay =
      retry === 'elsewhere' ? 0 : backoffDelay(attempt, backoffBaseMs, backoffMaxMs, this.random);
    if (!alternative) {
      // Only the same replica can take the retry: honour its Retry-After, within reason.
      const wait = replica.cooldownUntil - now;
      if (wait > maxRetryAfterMs) return undefined;
      delay = Math.max(delay, wait);
    }
    return now + delay >= deadline ? undefined : delay;
  }

  /** An attempt succeeded: its replica is fine, and a 500 elsewhere was that replica's fault. */
  private succeeded(replica: Replica, ledger: FaultLedger | undefined): void {
    replica.recordSuccess();
    if (ledger !== undefined) this.settleSuspect(ledger, 'succeeded', replica);
  }

  /**
   * Judges the request's pending 500 (if any) by what came next (see {@link judgeSuspect}):
   * `next` is the following attempt's outcome on `on`, or `none` when there is no other attempt.
   */
  private settleSuspect(
    ledger: FaultLedger,
    next: FailureKind | 'succeeded' | 'none',
    on: Replica | undefined,
  ): void {
    const suspect = ledger.suspect;
    if (suspect === undefined) return;
    ledger.suspect = undefined;
    // The same replica again proves nothing either way.
    const judgement = on === suspect ? 'probe' : judgeSuspect(next);
    if (judgement === 'count') suspect.recordFailure(this.now(), 'server_error');
    else if (judgement === 'forgive') ledger.followsRequest = true;
    else this.confirm(suspect);
  }

  /**
   * A replica's 500 that nothing else explains: its own health probe, now, decides whether it
   * counts (a replica that answers its probe is serving; the request was at fault).
   */
  private confirm(replica: Replica): void {
    if (this.closed || this.confirming.has(replica)) return;
    this.confirming.add(replica);
    const { path, timeoutMs } = this.config.healthCheck;
    void this.probes[replica.index].get(path, timeoutMs, false).then((result) => {
      this.confirming.delete(replica);
      if (!result.ok && !this.closed) replica.recordFailure(this.now(), 'server_error');
    });
  }

  private attemptOptions(
    options: UpstreamCallOptions,
    deadline: number,
    traceContext: Context | undefined,
  ): UpstreamCallOptions {
    const remaining = Math.max(1, deadline - this.now());
    return {
      signal: options.signal,
      requestId: options.requestId,
      gate: options.gate,
      timeoutMs: remaining,
      ttfbMs: Math.min(options.ttfbMs ?? remaining, remaining),
      idleMs: options.idleMs,
      traceContext,
    };
  }

  // --------------------------------------------------------------------------- admission

  /** A lease at once when a replica is free, else a place in the wait queue (or a 503). */
  private acquire(
    avoid: readonly Replica[] | undefined,
    affinityKey: number | undefined,
    options: UpstreamCallOptions,
    deadline: number,
  ): Lease | Promise<Lease> {
    // First come, first served: nobody overtakes a request that is already waiting.
    if (this.queue.size === 0) {
      const replica = this.select(avoid, affinityKey);
      if (replica === NO_REPLICA) throw noHealthyUpstream(this.retryAfterSeconds);
      if (replica !== undefined) return this.lease(replica);
    } else if (!this.serving) {
      throw noHealthyUpstream(this.retryAfterSeconds);
    }
    if (this.queue.size >= this.config.queueSize) {
      this.observer?.shed(this.name, 'queue_full');
      throw overloaded();
    }
    const waitMs = Math.min(options.queueMs ?? Number.POSITIVE_INFINITY, deadline - this.now());
    if (waitMs <= 0) {
      this.observer?.shed(this.name, 'queue_timeout');
      throw overloaded();
    }
    return this.queue.wait(avoid, waitMs, options.signal, () => {
      this.observer?.shed(this.name, 'queue_timeout');
      return overloaded();
    });
  }

  /**
   * The replica for the next attempt: undefined when every candidate is at its concurrency
   * limit, {@link NO_REPLICA} when none serves at all. Candidates are the selectable replicas;
   * when there is none, those the active checks still see up (panic routing: an ejected
   * replica is a better bet than a certain 503). Among them, replicas not tried yet and not in
   * Retry-After cooldown are preferred; then prefix affinity, then the balancer.
   */
  private select(
    avoid: readonly Replica[] | undefined,
    affinityKey: number | undefined,
  ): Replica | undefined | typeof NO_REPLICA {
    const now = this.now();
    const candidates = this.candidates;
    candidates.length = 0;
    const epoch = ++this.epoch;
    const limit = this.config.maxConcurrency;
    let selectable = false;
    for (const replica of this.replicas) {
      if (!replica.selectable(now)) continue;
      selectable = true;
      if (replica.inFlight < limit) {
        replica.candidateEpoch = epoch;
        candidates.push(replica);
      }
    }
    if (!selectable) {
      let serving = false;
      for (const replica of this.replicas) {
        if (!replica.serving) continue;
        serving = true;
        if (replica.inFlight < limit) {
          replica.candidateEpoch = epoch;
          candidates.push(replica);
        }
      }
      if (!serving) return NO_REPLICA;
    }
    if (candidates.length === 0) return undefined;
    this.preferFresh(candidates, avoid, now);
    if (affinityKey !== undefined && this.ring !== undefined) {
      const replica = this.ring.pick(affinityKey, candidates, epoch);
      if (replica !== undefined) return replica;
    }
    return this.balancer.pick(candidates, now);
  }

  /** Narrows the candidates to those not tried and not cooling down, when any are left. */
  private preferFresh(
    candidates: Replica[],
    avoid: readonly Replica[] | undefined,
    now: number,
  ): void {
    let fresh = 0;
    for (const replica of candidates) {
      if (replica.cooldownUntil <= now && !avoid?.includes(replica)) fresh++;
    }
    if (fresh === 0 || fresh === candidates.length) return;
    let kept = 0;
    for (const replica of candidates) {
      if (replica.cooldownUntil <= now && !avoid?.includes(replica)) candidates[kept++] = replica;
      else replica.candidateEpoch = 0;
    }
    candidates.length = kept;
  }

  private hasAlternative(replica: Replica, now: number): boolean {
    return this.replicas.some(
      (other) => other !== replica && other.cooldownUntil <= now && other.selectable(now),
    );
  }

  private hasCapacity(): boolean {
    const now = this.now();
    const limit = this.config.maxConcurrency;
    let selectable = false;
    for (const replica of this.replicas) {
      if (!replica.selectable(now)) continue;
      selectable = true;
      if (replica.inFlight < limit) return true;
    }
    return !selectable && this.replicas.some((r) => r.serving && r.inFlight < limit);
  }

  private lease(replica: Replica): Lease {
    return { replica, trial: replica.begin(), released: false };
  }

  private release(lease: Lease): void {
    if (lease.released) return;
    lease.released = true;
    lease.replica.end(lease.trial);
    if (this.queue.size > 0) this.drain();
  }

  /** Hands free replicas to waiting requests, in order; refuses them all when none serves. */
  private drain(): void {
    let none = false;
    this.queue.serve((avoid) => {
      const replica = this.select(avoid, undefined);
      if (replica === NO_REPLICA) {
        none = true;
        return undefined;
      }
      return replica === undefined ? undefined : this.lease(replica);
    });
    if (none) this.queue.rejectAll(() => noHealthyUpstream(this.retryAfterSeconds));
  }

  private onStateChange(replica: Replica, from: ReplicaState, to: ReplicaState, why: string): void {
    this.observer?.stateChanged(this.name, replica, from, to, why);
    // A replica that can take traffic again (or the last one going down) concerns the queue;
    // later, since this may run in the middle of a pick.
    if (this.queue.size > 0 && !this.drainScheduled) {
      this.drainScheduled = true;
      queueMicrotask(() => {
        this.drainScheduled = false;
        if (this.queue.size > 0) this.drain();
      });
    }
  }

  private affinityOf(
    body: ChatCompletionRequest,
    options: UpstreamCallOptions,
  ): number | undefined {
    if (this.ring === undefined) return undefined;
    return options.affinityKey !== undefined ? fnv1a(options.affinityKey) : prefixKeyOf(body);
  }

  private explicitAffinity(options: UpstreamCallOptions): number | undefined {
    return this.ring !== undefined && options.affinityKey !== undefined
      ? fnv1a(options.affinityKey)
      : undefined;
  }
}

/** Opens one attempt's stream on a replica's transport. */
type StreamOpener<T> = (
  transport: ReplicaTransport,
  attempt: UpstreamCallOptions,
) => Observable<UpstreamChunk<T>>;

/** The parts of its pool a {@link PooledStream} uses. */
interface StreamHost {
  readonly name: string;
  readonly attempts: AttemptTelemetry;
  now(): number;
  acquire(
    avoid: readonly Replica[] | undefined,
    affinityKey: number | undefined,
    options: UpstreamCallOptions,
    deadline: number,
  ): Lease | Promise<Lease>;
  release(lease: Lease): void;
  afterFailure(
    lease: Lease,
    error: unknown,
    attempt: number,
    deadline: number,
    signal: AbortSignal,
    ledger: FaultLedger,
  ): RetryPlan;
  succeeded(replica: Replica, ledger: FaultLedger | undefined): void;
  gaveUp(ledger: FaultLedger): void;
  attemptOptions(
    options: UpstreamCallOptions,
    deadline: number,
    traceContext: Context | undefined,
  ): UpstreamCallOptions;
}

/**
 * One subscription to a pooled stream: its attempts, one at a time, each on a leased replica.
 * The preamble is held back until the commit point (see {@link UpstreamPool}); a failure before
 * it is retried unseen, one after it goes to the subscriber. One object is the state, the
 * observer of every attempt and the teardown, since every open stream holds it.
 */
class PooledStream<T extends { choices: unknown[] }>
  implements Observer<UpstreamChunk<T>>, Unsubscribable
{
  private readonly deadline: number;
  private readonly parent: Context;
  private attempt = 0;
  private tried: Replica[] | undefined;
  private lastError: unknown;
  private ledger: FaultLedger | undefined;
  /** The running attempt's lease, its trace and its subscription. */
  private lease: Lease | undefined;
  private trace: AttemptTrace | undefined;
  private inner: Subscription | undefined;
  /** Chunks before the commit point; only the few of the preamble. */
  private held: UpstreamChunk<T>[] | undefined;
  private committed = false;
  private finished = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly host: StreamHost,
    private readonly subscriber: Subscriber<UpstreamChunk<T>>,
    private readonly options: UpstreamCallOptions,
    private readonly affinityKey: number | undefined,
    private readonly open: StreamOpener<T>,
    private readonly description: UpstreamCallDescription,
  ) {
    this.deadline = host.now() + options.timeoutMs;
    this.parent = options.traceContext ?? context.active();
  }

  /** The next attempt: a lease at once, or after a wait in the pool's queue. */
  start(): void {
    this.attempt++;
    const tried = this.tried;
    let acquired: Lease | Promise<Lease>;
    try {
      acquired = this.host.acquire(
        tried,
        tried ? undefined : this.affinityKey,
        this.options,
        this.deadline,
      );
    } catch (error) {
      this.giveUp();
      this.fail(this.lastError ?? error);
      return;
    }
    if (acquired instanceof Promise) {
      acquired.then(
        (lease) => this.run(lease),
        (error: unknown) => {
          this.giveUp();
          if (!this.finished) this.fail(this.lastError ?? error);
        },
      );
    } else {
      this.run(acquired);
    }
  }

  next(item: UpstreamChunk<T>): void {
    const trace = this.trace as AttemptTrace;
    trace.chunk(item.chunk);
    if (this.committed) {
      this.subscriber.next(item);
      return;
    }
    if (!isCommitChunk(item.chunk)) {
      (this.held ??= []).push(item);
      return;
    }
    this.committed = true;
    trace.firstContent();
    this.host.succeeded((this.lease as Lease).replica, this.ledger);
    this.flushHeld();
    this.subscriber.next(item);
  }

  error(error: unknown): void {
    const lease = this.lease;
    if (lease === undefined) return;
    this.lease = undefined;
    const host = this.host;
    const signal = this.options.signal;
    (this.trace as AttemptTrace).failed(error, signal.aborted);
    if (this.committed) {
      // The caller has content already: this one goes to it in-band (SPEC §7).
      const verdict = signal.aborted ? undefined : classifyFailure(error);
      if (verdict?.replica === 'failed') lease.replica.recordFailure(host.now(), verdict.kind);
      else if (verdict?.replica === 'down') lease.replica.recordDown(host.now(), verdict.kind);
      host.release(lease);
      this.fail(error);
      return;
    }
    const ledger = (this.ledger ??= { suspect: undefined, serverErrors: 0, followsRequest: false });
    const plan = host.afterFailure(lease, error, this.attempt, this.deadline, signal, ledger);
    host.release(lease);
    if (typeof plan !== 'number' || this.finished) {
      this.giveUp();
      this.fail(typeof plan === 'number' ? error : plan.error);
      return;
    }
    (this.tried ??= []).push(lease.replica);
    this.lastError = error;
    this.retryTimer = setTimeout(() => this.start(), plan);
  }

  complete(): void {
    const lease = this.lease;
    if (lease === undefined) return;
    this.lease = undefined;
    (this.trace as AttemptTrace).end();
    if (!this.committed) this.host.succeeded(lease.replica, this.ledger);
    this.host.release(lease);
    this.flushHeld();
    this.finished = true;
    this.subscriber.complete();
  }

  /** The consumer stopped reading: the caller left, or it had what it needed. */
  unsubscribe(): void {
    this.finished = true;
    clearTimeout(this.retryTimer);
    this.giveUp();
    this.inner?.unsubscribe();
    this.trace?.end(this.options.signal.aborted);
    const lease = this.lease;
    if (lease !== undefined) {
      this.lease = undefined;
      this.host.release(lease);
    }
  }

  private run(lease: Lease): void {
    const host = this.host;
    if (this.finished) {
      host.release(lease);
      return;
    }
    this.lease = lease;
    this.held = undefined;
    const trace = host.attempts.start(
      this.description,
      host.name,
      lease.replica.label,
      this.attempt,
      this.parent,
    );
    this.trace = trace;
    const source = this.open(
      lease.replica.transport,
      host.attemptOptions(this.options, this.deadline, trace.context),
    );
    this.inner = source.subscribe(this);
  }

  private fail(error: unknown): void {
    this.finished = true;
    this.subscriber.error(error);
  }

  /** No further attempt: a pending 500 is judged without one. */
  private giveUp(): void {
    if (this.ledger !== undefined) this.host.gaveUp(this.ledger);
  }

  private flushHeld(): void {
    const held = this.held;
    if (held === undefined) return;
    this.held = undefined;
    for (const item of held) this.subscriber.next(item);
  }
}

function describe(
  operation: UpstreamCallDescription['operation'],
  body: { model?: string },
  stream: boolean,
): UpstreamCallDescription {
  return { operation, model: body.model ?? '', stream, body };
}

function overloaded(): GatewayException {
  return new GatewayException(ErrorCode.Overloaded, ErrorMessages.overloaded(SHED_RETRY_AFTER_S), {
    headers: { 'retry-after': String(SHED_RETRY_AFTER_S) },
  });
}

function noHealthyUpstream(retryAfterSeconds: number): GatewayException {
  return new GatewayException(ErrorCode.TierUnavailable, ErrorMessages.noHealthyUpstream(), {
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
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

/** Waits `ms`, or rejects with the signal's reason as soon as the caller goes away. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
