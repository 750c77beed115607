import {
  F,
  figuresOf,
  get,
  mergeFields,
  pointOf,
  type Fields,
  type GroupFigures,
  type SeriesPoint,
} from './analytics-fields';
import type { AnalyticsStore, GroupDimension, GroupFields } from './analytics-store.interface';
import { bucketsOf, RESOLUTIONS, type AnalyticsWindow } from './analytics-windows';

/** A group of `GET /v1/analytics` (C5); `budget` only with `by=key`. */
export interface AnalyticsGroup extends GroupFigures {
  key: string;
  series: SeriesPoint[];
  budget?: Record<string, unknown> | null;
}

export interface RoutingMix {
  auto_requests: number;
  tier_share: Record<string, number>;
  decisions: Record<string, number>;
  series: Record<string, number | string>[];
}

export interface AnalyticsReport {
  object: 'analytics';
  window: AnalyticsWindow;
  by: GroupDimension;
  scope: 'process' | 'cluster';
  from: string;
  to: string;
  bucket_seconds: number;
  currency: string;
  totals: GroupFigures & { series: SeriesPoint[] };
  groups: AnalyticsGroup[];
  routing: RoutingMix;
}

/** The chat tiers the routing mix always names, even at 0. */
const ROUTED_TIERS = ['instant', 'thinking'];

/** Reads a window's buckets from the store and sums them into the answer of `/v1/analytics`. */
export async function analyticsReport(
  store: AnalyticsStore,
  window: AnalyticsWindow,
  by: GroupDimension,
  nowMs: number,
  currency: string,
): Promise<AnalyticsReport> {
  const resolution = RESOLUTIONS[window];
  const starts = bucketsOf(resolution, Math.floor(nowMs / 1000));
  const [byBuckets, totalBuckets, routingBuckets] = await Promise.all([
    store.read(resolution.bucketSeconds, starts, by),
    store.read(resolution.bucketSeconds, starts, 'total'),
    store.read(resolution.bucketSeconds, starts, 'routing'),
  ]);
  const times = starts.map((start) => new Date(start * 1000).toISOString());
  return {
    object: 'analytics',
    window,
    by,
    scope: store.scope,
    from: times[0],
    to: new Date(nowMs).toISOString(),
    bucket_seconds: resolution.bucketSeconds,
    currency,
    totals: seriesGroup(
      times,
      totalBuckets.map((groups) => groups.get('') ?? new Map()),
    ),
    groups: groupsOf(times, byBuckets),
    routing: routingOf(
      times,
      routingBuckets.map((groups) => groups.get('') ?? new Map()),
    ),
  };
}

function groupsOf(times: readonly string[], buckets: readonly GroupFields[]): AnalyticsGroup[] {
  const names = new Set<string>();
  for (const groups of buckets) for (const name of groups.keys()) names.add(name);
  return [...names]
    .map((key) => ({
      key,
      ...seriesGroup(
        times,
        buckets.map((groups) => groups.get(key) ?? new Map()),
      ),
    }))
    .sort((a, b) => b.requests - a.requests || a.key.localeCompare(b.key));
}

function seriesGroup(
  times: readonly string[],
  perBucket: readonly Fields[],
): GroupFigures & { series: SeriesPoint[] } {
  const sum: Fields = new Map();
  for (const fields of perBucket) mergeFields(sum, fields);
  return { ...figuresOf(sum), series: perBucket.map((fields, i) => pointOf(times[i], fields)) };
}

function routingOf(times: readonly string[], perBucket: readonly Fields[]): RoutingMix {
  const sum: Fields = new Map();
  for (const fields of perBucket) mergeFields(sum, fields);
  const autoRequests = get(sum, F.autoRequests);
  const tiers = new Set(ROUTED_TIERS);
  const decisions: Record<string, number> = {};
  for (const [name, value] of sum) {
    if (name.startsWith(F.autoTier)) tiers.add(name.slice(F.autoTier.length));
    if (name.startsWith(F.decision)) decisions[name.slice(F.decision.length)] = value;
  }
  const tierShare: Record<string, number> = {};
  for (const tier of tiers) {
    const n = get(sum, F.autoTier + tier);
    tierShare[tier] = autoRequests === 0 ? 0 : Math.round((n / autoRequests) * 1e4) / 1e4;
  }
  return {
    auto_requests: autoRequests,
    tier_share: tierShare,
    decisions,
    series: perBucket.map((fields, i) => {
      const point: Record<string, number | string> = { t: times[i] };
      for (const tier of tiers) point[tier] = get(fields, F.autoTier + tier);
      return point;
    }),
  };
}
