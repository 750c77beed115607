import type { Fields } from './analytics-fields';

/** The dimensions a request is counted under; `total` and `routing` have one group, `''`. */
export type AnalyticsDimension =
  'key' | 'tier' | 'model' | 'pool' | 'replica' | 'total' | 'routing';

export const GROUP_DIMENSIONS = ['key', 'tier', 'model', 'pool', 'replica'] as const;
export type GroupDimension = (typeof GROUP_DIMENSIONS)[number];

/** Group → its counters, within one bucket of one dimension. */
export type GroupFields = Map<string, Fields>;

/** Additions to one bucket of one dimension at one resolution. */
export interface BucketDelta {
  bucketSeconds: number;
  /** Bucket start, seconds since epoch. */
  start: number;
  dimension: AnalyticsDimension;
  groups: GroupFields;
  /** How long the bucket must be kept from now (s). */
  ttlSeconds: number;
}

/**
 * Where the time-bucketed counters live: this process's memory, or Redis shared by every
 * gateway process (then `/v1/analytics` is cluster-wide). Both add deltas and read buckets
 * back; the contract spec runs the same cases against both.
 */
export interface AnalyticsStore {
  readonly scope: 'process' | 'cluster';
  /** Adds every delta (one round trip for Redis). */
  apply(deltas: readonly BucketDelta[]): Promise<void>;
  /** The buckets `starts` of `dimension` at `bucketSeconds`, in the order asked; empty maps where nothing was counted. */
  read(
    bucketSeconds: number,
    starts: readonly number[],
    dimension: AnalyticsDimension,
  ): Promise<GroupFields[]>;
  close(): Promise<void>;
}
