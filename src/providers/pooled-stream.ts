import type { Observable, Observer, Subscriber, Subscription, Unsubscribable } from 'rxjs';
import type { AttemptTrace, UpstreamCallDescription } from './attempt-telemetry';
import { RequestAttempts, type AttemptRunner } from './attempt-runner';
import type { ReplicaTransport } from './replica';
import type { Lease } from './replica-selector';
import type { StreamShape } from './stream-shape';
import type { UpstreamCallOptions, UpstreamChunk } from './upstream.interface';

/** Opens one attempt's stream on a replica's transport. */
export type StreamOpener<T> = (
  transport: ReplicaTransport,
  attempt: UpstreamCallOptions,
) => Observable<UpstreamChunk<T>>;

/**
 * One subscription to a pooled stream: its attempts, one at a time, each on a leased replica
 * (the same {@link RequestAttempts} as a non-streamed call). The preamble (the role chunk) is
 * held back until the commit point, the first content or tool-call delta: a failure before it
 * is retried unseen, one after it goes to the subscriber in-band. One object is the state, the
 * observer of every attempt and the teardown, since every open stream holds it.
 */
export class PooledStream<T>
  extends RequestAttempts
  implements Observer<UpstreamChunk<T>>, Unsubscribable
{
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
    runner: AttemptRunner,
    private readonly subscriber: Subscriber<UpstreamChunk<T>>,
    options: UpstreamCallOptions,
    affinityKey: number | undefined,
    private readonly open: StreamOpener<T>,
    description: UpstreamCallDescription,
    private readonly shape: StreamShape<T>,
  ) {
    super(runner, options, affinityKey, description);
  }

  /** The next attempt: a lease at once, or after a wait in the pool's queue. */
  start(): void {
    let acquired: Lease | Promise<Lease>;
    try {
      acquired = this.acquire();
    } catch (error) {
      this.fail(this.refused(error));
      return;
    }
    if (acquired instanceof Promise) {
      acquired.then(
        (lease) => this.run(lease),
        (error: unknown) => {
          const reason = this.refused(error);
          if (!this.finished) this.fail(reason);
        },
      );
    } else {
      this.run(acquired);
    }
  }

  next(item: UpstreamChunk<T>): void {
    const trace = this.trace as AttemptTrace;
    this.shape.trace(trace, item);
    if (this.committed) {
      this.subscriber.next(item);
      return;
    }
    if (!this.shape.isCommit(item)) {
      (this.held ??= []).push(item);
      return;
    }
    this.committed = true;
    trace.firstContent();
    this.succeeded((this.lease as Lease).replica);
    this.flushHeld();
    this.subscriber.next(item);
  }

  error(error: unknown): void {
    const lease = this.lease;
    if (lease === undefined) return;
    this.lease = undefined;
    const signal = this.options.signal;
    (this.trace as AttemptTrace).failed(error, signal.aborted);
    if (this.committed) {
      // The caller has content already: this one goes to it in-band (docs/api.md §7).
      this.runner.failedAfterCommit(lease.replica, error, signal);
      this.runner.selector.release(lease);
      this.fail(error);
      return;
    }
    const plan = this.failed(lease, error);
    if (typeof plan !== 'number' || this.finished) {
      this.giveUp();
      this.fail(typeof plan === 'number' ? error : plan.error);
      return;
    }
    this.retryTimer = setTimeout(() => this.start(), plan);
  }

  complete(): void {
    const lease = this.lease;
    if (lease === undefined) return;
    this.lease = undefined;
    (this.trace as AttemptTrace).end();
    if (!this.committed) this.succeeded(lease.replica);
    this.runner.selector.release(lease);
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
      this.runner.selector.release(lease);
    }
  }

  private run(lease: Lease): void {
    if (this.finished) {
      this.runner.selector.release(lease);
      return;
    }
    this.lease = lease;
    this.held = undefined;
    const trace = this.traceAttempt(lease);
    this.trace = trace;
    const source = this.open(lease.replica.transport, this.callOptions(trace));
    this.inner = source.subscribe(this);
  }

  private fail(error: unknown): void {
    this.finished = true;
    this.subscriber.error(error);
  }

  private flushHeld(): void {
    const held = this.held;
    if (held === undefined) return;
    this.held = undefined;
    for (const item of held) this.subscriber.next(item);
  }
}
