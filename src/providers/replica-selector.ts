import { ErrorCode, ErrorMessages, GatewayException } from '../common/errors';
import type { ChatCompletionRequest } from '../common/openai/chat.types';
import type { PoolConfig } from '../config';
import type { Balancer } from './balancers';
import type { PoolObserver } from './pool-observer';
import { fnv1a, prefixKeyOf, type PrefixAffinityRing } from './prefix-affinity';
import type { Replica } from './replica';
import type { UpstreamCallOptions } from './upstream.interface';
import { WaitQueue } from './wait-queue';

/** What a shed request is told to wait before trying again. */
const SHED_RETRY_AFTER_S = 1;

/** `select()`'s answer when no replica serves at all (every one is down). */
const NO_REPLICA = Symbol('no replica');

/** One attempt's hold on a replica: counted in flight until released, exactly once. */
export interface Lease {
  replica: Replica;
  /** The half-open circuit's single trial request. */
  trial: boolean;
  released: boolean;
}

/**
 * Which replica of a pool takes the next attempt, and when: a healthy replica below its
 * concurrency limit, chosen by prefix affinity (when enabled) and then the balancing policy;
 * when all are busy the attempt waits in a bounded queue, and is shed with 503 `overloaded`
 * when that is full or its wait is over. An attempt holds its replica through a {@link Lease}.
 */
export class ReplicaSelector {
  private readonly queue = new WaitQueue<Lease, readonly Replica[] | undefined>();
  /** Reused for every pick: selection allocates nothing. */
  private readonly candidates: Replica[] = [];
  private epoch = 0;
  private drainScheduled = false;

  constructor(
    private readonly replicas: readonly Replica[],
    private readonly config: PoolConfig,
    private readonly balancer: Balancer,
    private readonly ring: PrefixAffinityRing | undefined,
    private readonly observer: PoolObserver | undefined,
    private readonly now: () => number,
  ) {}

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

  /** A lease at once when a replica is free, else a place in the wait queue (or a 503). */
  acquire(
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
      this.observer?.shed(this.config.name, 'queue_full');
      throw overloaded();
    }
    const waitMs = Math.min(options.queueMs ?? Number.POSITIVE_INFINITY, deadline - this.now());
    if (waitMs <= 0) {
      this.observer?.shed(this.config.name, 'queue_timeout');
      throw overloaded();
    }
    return this.queue.wait(avoid, waitMs, options.signal, () => {
      this.observer?.shed(this.config.name, 'queue_timeout');
      return overloaded();
    });
  }

  release(lease: Lease): void {
    if (lease.released) return;
    lease.released = true;
    lease.replica.end(lease.trial);
    if (this.queue.size > 0) this.drain();
  }

  /** Some replica other than `replica`, out of Retry-After cooldown, can take a retry. */
  hasAlternative(replica: Replica, now: number): boolean {
    return this.replicas.some(
      (other) => other !== replica && other.cooldownUntil <= now && other.selectable(now),
    );
  }

  /**
   * A replica changed state: one that can take traffic again (or the last one going down)
   * concerns the queue; later, since this may run in the middle of a pick.
   */
  replicaChanged(): void {
    if (this.queue.size > 0 && !this.drainScheduled) {
      this.drainScheduled = true;
      queueMicrotask(() => {
        this.drainScheduled = false;
        if (this.queue.size > 0) this.drain();
      });
    }
  }

  /** The pool is closing: every waiting request is refused. */
  refuseWaiting(): void {
    this.queue.rejectAll(() => noHealthyUpstream(this.retryAfterSeconds));
  }

  /** A chat request's affinity key: the caller's, else its prompt prefix (with affinity on). */
  affinityOf(body: ChatCompletionRequest, options: UpstreamCallOptions): number | undefined {
    if (this.ring === undefined) return undefined;
    return options.affinityKey !== undefined ? fnv1a(options.affinityKey) : prefixKeyOf(body);
  }

  /** Other requests' affinity key: only the caller's (with affinity on). */
  explicitAffinity(options: UpstreamCallOptions): number | undefined {
    return this.ring !== undefined && options.affinityKey !== undefined
      ? fnv1a(options.affinityKey)
      : undefined;
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
    if (none) this.refuseWaiting();
  }
}

function overloaded(): GatewayException {
  return new GatewayException(ErrorCode.Overloaded, ErrorMessages.overloaded(SHED_RETRY_AFTER_S), {
    headers: { 'retry-after': String(SHED_RETRY_AFTER_S) },
  });
}

export function noHealthyUpstream(retryAfterSeconds: number): GatewayException {
  return new GatewayException(ErrorCode.TierUnavailable, ErrorMessages.noHealthyUpstream(), {
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}
