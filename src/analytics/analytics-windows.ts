/**
 * The windows `GET /v1/analytics` answers and the time buckets behind each: every record goes
 * into one bucket of each resolution, which Redis expires once no window reads it any more.
 * Memory stays bounded by buckets × groups, whatever the traffic.
 */
export type AnalyticsWindow = '5m' | '1h' | '24h' | '7d';

export const ANALYTICS_WINDOWS: readonly AnalyticsWindow[] = ['5m', '1h', '24h', '7d'];

export interface Resolution {
  window: AnalyticsWindow;
  windowSeconds: number;
  /** Bucket width; each divides the next, and all divide a day. */
  bucketSeconds: number;
}

export const RESOLUTIONS: Readonly<Record<AnalyticsWindow, Resolution>> = {
  '5m': { window: '5m', windowSeconds: 300, bucketSeconds: 10 },
  '1h': { window: '1h', windowSeconds: 3_600, bucketSeconds: 60 },
  '24h': { window: '24h', windowSeconds: 86_400, bucketSeconds: 900 },
  '7d': { window: '7d', windowSeconds: 604_800, bucketSeconds: 3_600 },
};

/** The finest bucket: what a process aggregates in before it flushes. */
export const SLOT_SECONDS = RESOLUTIONS['5m'].bucketSeconds;

/** How long a bucket of `resolution` must live: its window plus the bucket being filled. */
export function retentionSeconds(resolution: Resolution): number {
  return resolution.windowSeconds + 2 * resolution.bucketSeconds;
}

/** The start (s since epoch) of the bucket of `resolution` holding time `seconds`. */
export function bucketStart(seconds: number, bucketSeconds: number): number {
  return Math.floor(seconds / bucketSeconds) * bucketSeconds;
}

/**
 * The bucket starts a window ending at `nowSeconds` reads, oldest first: the bucket being
 * filled and the whole buckets before it, `windowSeconds / bucketSeconds + 1` in all (so the
 * window is fully covered; the oldest bucket may reach a little before it).
 */
export function bucketsOf(resolution: Resolution, nowSeconds: number): number[] {
  const { windowSeconds, bucketSeconds } = resolution;
  const last = bucketStart(nowSeconds, bucketSeconds);
  const count = windowSeconds / bucketSeconds + 1;
  return Array.from({ length: count }, (_, i) => last - (count - 1 - i) * bucketSeconds);
}
