import { context, type Context } from '@opentelemetry/api';
import type { PoolConfig } from '../config';
import type { AttemptTelemetry, AttemptTrace, UpstreamCallDescription } from './attempt-telemetry';
import type { PoolObserver } from './pool-observer';
import type { Replica, ReplicaTransport } from './replica';
import type { ReplicaProber } from './replica-probe';
import { noHealthyUpstream, type Lease, type ReplicaSelector } from './replica-selector';
import { backoffDelay, classifyFailure, judgeSuspect, type FailureKind } from './retry-policy';
import type { UpstreamCallOptions } from './upstream.interface';

/**
 * One request's failed attempts as its pool judges them (docs/api.md §6): a 500 waits for the next
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
export type RetryPlan = number | { error: unknown };

/**
 * A pool's attempt decisions (ADR 0006), for the non-streamed calls and the streams alike:
 * what a failed attempt says of its replica, whether and when to try again (exponential
 * backoff with full jitter, bounded attempts, the call's deadline over everything, the
 * upstream's `Retry-After` respected, a refused connection or a 500 retried elsewhere only),
 * and how a 500 is judged by what followed it. Each request's own state is a
 * {@link RequestAttempts}.
 */
export class AttemptRunner {
  /** Replicas whose suspect 500 a health probe is confirming now (one probe each at a time). */
  private readonly confirming = new Set<Replica>();
  private closed = false;

  constructor(
    readonly name: string,
    private readonly config: PoolConfig,
    readonly selector: ReplicaSelector,
    private readonly probes: readonly ReplicaProber[],
    readonly telemetry: AttemptTelemetry,
    private readonly observer: PoolObserver | undefined,
    private readonly random: () => number,
    readonly now: () => number,
  ) {}

  /** The pool is closing: no more confirmation probes. */
  close(): void {
    this.closed = true;
  }

  /** A non-streamed call: its attempts, one after the other, until one answers or none is left. */
  async execute<T>(
    options: UpstreamCallOptions,
    affinityKey: number | undefined,
    call: (transport: ReplicaTransport, attempt: UpstreamCallOptions) => Promise<T>,
    description: UpstreamCallDescription,
  ): Promise<T> {
    const attempts = new RequestAttempts(this, options, affinityKey, description);
    for (;;) {
      let lease: Lease;
      try {
        const acquired = attempts.acquire();
        lease = acquired instanceof Promise ? await acquired : acquired;
      } catch (error) {
        throw attempts.refused(error);
      }
      const trace = attempts.traceAttempt(lease);
      let value: T;
      try {
        value = await call(lease.replica.transport, attempts.callOptions(trace));
      } catch (error) {
        trace.failed(error, options.signal.aborted);
        const plan = attempts.failed(lease, error);
        if (typeof plan !== 'number') throw plan.error;
        if (plan > 0) {
          try {
            await sleep(plan, options.signal);
          } catch (reason) {
            attempts.giveUp();
            throw reason;
          }
        }
        continue;
      }
      trace.succeeded(value);
      attempts.succeeded(lease.replica);
      this.selector.release(lease);
      return value;
    }
  }

  /**
   * Records what a failed attempt says of its replica and decides whether to retry: the wait
   * before the next attempt, or the error to end with. A refused connection is never retried
   * on the same replica, and a pool left with no replica answers 503 `tier_unavailable` with
   * `Retry-After` rather than the connection error. A 500 is retried once, on another replica.
   */
  afterFailure(
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
        // A 500 over one replica's own limits is still a 500: tried once elsewhere, no more.
        if (verdict.retry === 'elsewhere') ledger.serverErrors++;
        break;
    }
    if (verdict.retryAfterMs !== undefined) replica.cooldownUntil = now + verdict.retryAfterMs;
    const plan = this.retryPlan(verdict.retry, replica, attempt, deadline, ledger, now);
    if (plan !== undefined) {
      this.observer?.retried(this.name, verdict.kind);
      return plan;
    }
    this.settleSuspect(ledger, 'none', undefined);
    if (verdict.kind === 'refused' && !this.selector.available) {
      return { error: noHealthyUpstream(this.selector.retryAfterSeconds) };
    }
    return { error };
  }

  /**
   * A failure after a stream's commit point: it goes to the caller in-band, never retried, but
   * still tells on its replica.
   */
  failedAfterCommit(replica: Replica, error: unknown, signal: AbortSignal): void {
    const verdict = signal.aborted ? undefined : classifyFailure(error);
    if (verdict?.replica === 'failed') replica.recordFailure(this.now(), verdict.kind);
    else if (verdict?.replica === 'down') replica.recordDown(this.now(), verdict.kind);
  }

  /** An attempt succeeded: its replica is fine, and a 500 elsewhere was that replica's fault. */
  succeeded(replica: Replica, ledger: FaultLedger | undefined): void {
    replica.recordSuccess();
    if (ledger !== undefined) this.settleSuspect(ledger, 'succeeded', replica);
  }

  /**
   * Judges the request's pending 500 (if any) by what came next (see {@link judgeSuspect}):
   * `next` is the following attempt's outcome on `on`, or `none` when there is no other attempt.
   */
  settleSuspect(
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

  /** One attempt's call options: what is left of the request's deadline, its own trace. */
  attemptOptions(
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
    const alternative = this.selector.hasAlternative(replica, now);
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
}

/**
 * One request's attempts on a pool, one at a time, each on a leased replica: the deadline
 * over all of them, the replicas tried, the last error, and the pending 500. The non-streamed
 * loop ({@link AttemptRunner.execute}) uses one; a pooled stream is one.
 */
export class RequestAttempts {
  private readonly deadline: number;
  private readonly parent: Context;
  private attempt = 0;
  private tried: Replica[] | undefined;
  private lastError: unknown;
  private ledger: FaultLedger | undefined;

  constructor(
    protected readonly runner: AttemptRunner,
    protected readonly options: UpstreamCallOptions,
    private readonly affinityKey: number | undefined,
    private readonly description: UpstreamCallDescription,
  ) {
    this.deadline = runner.now() + options.timeoutMs;
    this.parent = options.traceContext ?? context.active();
  }

  /**
   * The next attempt's lease: at once, or after a wait in the pool's queue. A retry avoids the
   * replicas tried already, and is not bound by affinity. A refusal goes through
   * {@link refused}.
   */
  acquire(): Lease | Promise<Lease> {
    this.attempt++;
    const tried = this.tried;
    return this.runner.selector.acquire(
      tried,
      tried ? undefined : this.affinityKey,
      this.options,
      this.deadline,
    );
  }

  /**
   * No lease for the next attempt: the request ends. On a retry, what the upstream did says
   * more than "no slot for the retry": the error to end with.
   */
  refused(error: unknown): unknown {
    this.giveUp();
    return this.lastError ?? error;
  }

  /** The span of the attempt about to run on `lease`. */
  traceAttempt(lease: Lease): AttemptTrace {
    const runner = this.runner;
    return runner.telemetry.start(
      this.description,
      runner.name,
      lease.replica.label,
      this.attempt,
      this.parent,
    );
  }

  /** The options of the attempt traced by `trace` (see {@link traceAttempt}). */
  callOptions(trace: AttemptTrace): UpstreamCallOptions {
    return this.runner.attemptOptions(this.options, this.deadline, trace.context);
  }

  /**
   * The attempt on `lease` failed before anything reached the caller: judged, its lease
   * released. Returns the wait before the next attempt, or the error to end with.
   */
  failed(lease: Lease, error: unknown): RetryPlan {
    const ledger = (this.ledger ??= { suspect: undefined, serverErrors: 0, followsRequest: false });
    const runner = this.runner;
    const plan = runner.afterFailure(
      lease,
      error,
      this.attempt,
      this.deadline,
      this.options.signal,
      ledger,
    );
    runner.selector.release(lease);
    if (typeof plan === 'number') {
      (this.tried ??= []).push(lease.replica);
      this.lastError = error;
    }
    return plan;
  }

  /** An attempt succeeded on `replica` (its lease is the caller's to release). */
  succeeded(replica: Replica): void {
    this.runner.succeeded(replica, this.ledger);
  }

  /** No further attempt: a pending 500 is judged without one. */
  giveUp(): void {
    if (this.ledger !== undefined) this.runner.settleSuspect(this.ledger, 'none', undefined);
  }
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
