import type { Replica, ReplicaState } from './replica';
import type { FailureKind } from './retry-policy';

export type ShedReason = 'queue_full' | 'queue_timeout';

/** What a pool reports as it goes: metrics and logs listen (see `UpstreamMetrics`). */
export interface PoolObserver {
  stateChanged(
    pool: string,
    replica: Replica,
    from: ReplicaState,
    to: ReplicaState,
    reason: string,
  ): void;
  /** An attempt failed with `kind` and another one follows. */
  retried(pool: string, kind: FailureKind): void;
  /** A request was refused with 503 `overloaded`. */
  shed(pool: string, reason: ShedReason): void;
  /**
   * `load-aware` balancing: a replica's load figures appeared (`problem` undefined) or are
   * missing although it answered (`problem` says why).
   */
  loadMetricsChanged?(
    pool: string,
    replica: Replica,
    problem: string | undefined,
    server: string | undefined,
  ): void;
}
