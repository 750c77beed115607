import type {
  AnalyticsGroup,
  BudgetStatus,
  Percentiles,
  RouteExplanation,
  RoutingAnalytics,
  SeriesPoint,
} from './wire.types';

/**
 * uPlot's data: the x values (Unix seconds) first, then one array per line, aligned to them;
 * `null` is a gap (no traffic in that bucket, or no value the gateway could measure).
 */
export type ChartData = [number[], ...(number | null)[][]];

/** One line of a chart: its legend label and the value it draws from a bucket. */
export interface Metric {
  label: string;
  /** The value of one bucket; `bucketSeconds` turns counts into rates. */
  value: (point: SeriesPoint, bucketSeconds: number) => number | null;
  /** What an absent bucket means: no requests (0) for counts, no measurement (null) otherwise. */
  missing: 0 | null;
}

const seconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

export const METRICS = {
  requestRate: {
    label: 'requests/s',
    value: (p, bucket) => (bucket > 0 ? p.requests / bucket : null),
    missing: 0,
  },
  errorRate: {
    label: 'error rate',
    value: (p) => (p.requests > 0 ? p.errors / p.requests : null),
    missing: null,
  },
  tokensPerSecond: { label: 'tokens/s', value: (p) => p.tokens_per_second, missing: null },
  cost: { label: 'cost', value: (p) => p.cost, missing: 0 },
  latencyP95: { label: 'p95 latency', value: (p) => p.latency_ms?.p95 ?? null, missing: null },
} satisfies Record<string, Metric>;

/** Every bucket start of the groups, ascending, once. */
export function bucketTimes(groups: readonly { series: readonly SeriesPoint[] }[]): number[] {
  const times = new Set<number>();
  for (const group of groups) for (const point of group.series) times.add(seconds(point.t));
  return [...times].filter(Number.isFinite).sort((a, b) => a - b);
}

/** One line per group for one metric, aligned on the union of their buckets. */
export function groupChart(
  groups: readonly { series: readonly SeriesPoint[] }[],
  metric: Metric,
  bucketSeconds: number,
): ChartData {
  const xs = bucketTimes(groups);
  const lines = groups.map((group) => {
    const byTime = new Map(group.series.map((p) => [seconds(p.t), p]));
    return xs.map((x) => {
      const point = byTime.get(x);
      return point ? metric.value(point, bucketSeconds) : metric.missing;
    });
  });
  return [xs, ...lines];
}

/** p50, p95 and p99 of one group's latency or time to first token, as three lines. */
export function percentileChart(
  series: readonly SeriesPoint[],
  field: 'latency_ms' | 'ttft_ms',
): ChartData {
  const points = [...series].sort((a, b) => seconds(a.t) - seconds(b.t));
  const pick = (k: keyof Percentiles) => points.map((p) => p[field]?.[k] ?? null);
  return [points.map((p) => seconds(p.t)), pick('p50'), pick('p95'), pick('p99')];
}

/**
 * The share of `auto` requests sent to each tier per bucket. Shares are computed here from the
 * two values, so counts and shares both draw the same lines; an empty bucket is a gap.
 */
export function tierShareChart(series: RoutingAnalytics['series']): ChartData {
  const points = [...series].sort((a, b) => seconds(a.t) - seconds(b.t));
  const share = (p: (typeof points)[number], tier: 'instant' | 'thinking') => {
    const total = p.instant + p.thinking;
    return total > 0 ? p[tier] / total : null;
  };
  return [
    points.map((p) => seconds(p.t)),
    points.map((p) => share(p, 'instant')),
    points.map((p) => share(p, 'thinking')),
  ];
}

/** Whether a chart has anything to draw (some line has a value). */
export function hasValues(data: ChartData): boolean {
  return data
    .slice(1)
    .some((line) => (line as (number | null)[]).some((v) => v !== null && v !== 0));
}

/**
 * Whether some value has no value beside it: a line cannot join it to anything, so the chart
 * must draw points for it to be seen (one busy minute in an idle hour).
 */
export function hasIsolatedValues(data: ChartData): boolean {
  return data
    .slice(1)
    .some((line) =>
      (line as (number | null)[]).some(
        (v, i, all) => v !== null && (all[i - 1] ?? null) === null && (all[i + 1] ?? null) === null,
      ),
    );
}

export interface CountRow {
  name: string;
  count: number;
  share: number;
}

/** Counts by name, largest first, each with its share of the total. */
export function rankedCounts(counts: Readonly<Record<string, number>>): CountRow[] {
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  return Object.entries(counts)
    .filter(([, count]) => count > 0)
    .map(([name, count]) => ({ name, count, share: total > 0 ? count / total : 0 }))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

/** The groups that spent most, largest first; groups that spent nothing are not spenders. */
export function topSpenders(groups: readonly AnalyticsGroup[], limit: number): AnalyticsGroup[] {
  return groups
    .filter((g) => g.cost > 0)
    .sort((a, b) => b.cost - a.cost || a.key.localeCompare(b.key))
    .slice(0, limit);
}

/** Errors of a group, summed over their codes. */
export function errorCount(errors: Readonly<Record<string, number>>): number {
  return Object.values(errors).reduce((sum, n) => sum + n, 0);
}

export interface BudgetUse {
  /** Spent over the budget, 0.. (above 1 when over budget). */
  fraction: number;
  over: boolean;
  /** `soft` budgets only warn; `hard` ones refuse requests once spent. */
  mode: BudgetStatus['mode'];
}

export function budgetUse(budget: BudgetStatus): BudgetUse {
  const fraction = budget.amount > 0 ? budget.spent / budget.amount : budget.spent > 0 ? 1 : 0;
  const over = budget.amount > 0 ? budget.spent >= budget.amount : budget.spent > 0;
  return { fraction, over, mode: budget.mode };
}

/** The step that decided a route, if one did (an explicit model decides before any classifier). */
export function decidingStep(
  explanation: RouteExplanation,
): RouteExplanation['steps'][number] | undefined {
  return explanation.steps.find((step) => step.status === 'decided');
}

/** The features that weighed most in the decision, by absolute contribution; zeros left out. */
export function strongestFeatures(
  features: RouteExplanation['features'],
  limit: number,
): RouteExplanation['features'] {
  return features
    .filter((f) => f.contribution !== 0)
    .sort(
      (a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || a.name.localeCompare(b.name),
    )
    .slice(0, limit);
}

/** Colours of chart lines, chosen to stay apart for the common kinds of colour blindness. */
export const PALETTE = [
  '#0072b2',
  '#e69f00',
  '#009e73',
  '#cc79a7',
  '#56b4e9',
  '#d55e00',
  '#f0e442',
  '#000000',
];

export function colourOf(index: number): string {
  return PALETTE[index % PALETTE.length];
}
