import {
  budgetUse,
  colourOf,
  decidingStep,
  groupChart,
  hasIsolatedValues,
  hasValues,
  METRICS,
  PALETTE,
  percentileChart,
  rankedCounts,
  strongestFeatures,
  tierShareChart,
  topSpenders,
} from './series';
import type { AnalyticsGroup, RouteExplanation, SeriesPoint } from './wire.types';

const T0 = '2026-12-07T17:00:00.000Z';
const T1 = '2026-12-07T17:01:00.000Z';
const T2 = '2026-12-07T17:02:00.000Z';
const s = (iso: string) => Date.parse(iso) / 1000;

function point(t: string, fields: Partial<SeriesPoint> = {}): SeriesPoint {
  return {
    t,
    requests: 0,
    errors: 0,
    latency_ms: null,
    ttft_ms: null,
    tokens_per_second: null,
    cost: 0,
    ...fields,
  };
}

function group(key: string, cost: number, series: SeriesPoint[] = []): AnalyticsGroup {
  return {
    key,
    requests: 1,
    errors: {},
    error_rate: 0,
    tokens: { input: 0, cached_input: 0, output: 0, reasoning: 0 },
    cost,
    latency_ms: null,
    ttft_ms: null,
    tokens_per_second: null,
    fallbacks: 0,
    spills: 0,
    series,
  };
}

describe('series shaping for the charts', () => {
  it('aligns groups on the union of their buckets: an absent bucket is 0 requests, but no latency', () => {
    const instant = group('instant', 0, [
      point(T0, { requests: 60, latency_ms: { p50: 1, p95: 2, p99: 3 } }),
      point(T2, { requests: 30 }),
    ]);
    const thinking = group('thinking', 0, [point(T1, { requests: 6, errors: 3 })]);
    expect(groupChart([instant, thinking], METRICS.requestRate, 60)).toEqual([
      [s(T0), s(T1), s(T2)],
      [1, 0, 0.5],
      [0, 0.1, 0],
    ]);
    expect(groupChart([instant, thinking], METRICS.latencyP95, 60)).toEqual([
      [s(T0), s(T1), s(T2)],
      [2, null, null],
      [null, null, null],
    ]);
    expect(groupChart([instant, thinking], METRICS.errorRate, 60)[2]).toEqual([null, 0.5, null]);
  });

  it('draws p50, p95 and p99 of one group in time order', () => {
    const series = [
      point(T1, { ttft_ms: { p50: 4, p95: 5, p99: 6 } }),
      point(T0, { ttft_ms: { p50: 1, p95: 2, p99: 3 } }),
    ];
    expect(percentileChart(series, 'ttft_ms')).toEqual([
      [s(T0), s(T1)],
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(percentileChart(series, 'latency_ms')).toEqual([
      [s(T0), s(T1)],
      [null, null],
      [null, null],
      [null, null],
    ]);
  });

  it('turns the routing series into shares, from counts or shares alike; an empty bucket is a gap', () => {
    const counts = [
      { t: T0, instant: 3, thinking: 1 },
      { t: T1, instant: 0, thinking: 0 },
    ];
    const shares = [{ t: T0, instant: 0.75, thinking: 0.25 }];
    expect(tierShareChart(counts)).toEqual([
      [s(T0), s(T1)],
      [0.75, null],
      [0.25, null],
    ]);
    expect(tierShareChart(shares)).toEqual([[s(T0)], [0.75], [0.25]]);
  });

  it('knows when a value stands alone, with no neighbour to draw a line to', () => {
    expect(
      hasIsolatedValues([
        [1, 2, 3],
        [null, 0.5, null],
      ]),
    ).toBe(true);
    expect(hasIsolatedValues([[1], [0.5]])).toBe(true);
    expect(
      hasIsolatedValues([
        [1, 2, 3],
        [0.5, 0.5, null],
        [null, null, null],
      ]),
    ).toBe(false);
    expect(hasIsolatedValues([[], []])).toBe(false);
  });

  it('knows when a chart has nothing to draw', () => {
    expect(
      hasValues([
        [1, 2],
        [0, null],
      ]),
    ).toBe(false);
    expect(hasValues([[], []])).toBe(false);
    expect(hasValues([[1], [null], [0.1]])).toBe(true);
  });
});

describe('tables of the panels', () => {
  it('ranks decisions by count with their share, leaving out reasons never taken', () => {
    expect(
      rankedCounts({ 'classifier:learned': 3, default: 1, 'model:instant': 0, 'alias:a': 1 }),
    ).toEqual([
      { name: 'classifier:learned', count: 3, share: 0.6 },
      { name: 'alias:a', count: 1, share: 0.2 },
      { name: 'default', count: 1, share: 0.2 },
    ]);
    expect(rankedCounts({})).toEqual([]);
  });

  it('lists the top spenders, largest first, without keys that spent nothing', () => {
    const groups = [group('a', 0.5), group('b', 2), group('c', 0), group('d', 1), group('e', 2)];
    expect(topSpenders(groups, 3).map((g) => g.key)).toEqual(['b', 'e', 'd']);
    expect(topSpenders([group('z', 0)], 5)).toEqual([]);
  });

  it('measures a budget: the share spent, and over once spent reaches the amount', () => {
    const budget = {
      period: 'month',
      period_start: T0,
      resets_at: T2,
      amount: 10,
      spent: 2.5,
      remaining: 7.5,
      mode: 'soft' as const,
    };
    expect(budgetUse(budget)).toEqual({ fraction: 0.25, over: false, mode: 'soft' });
    expect(budgetUse({ ...budget, spent: 12, remaining: 0, mode: 'hard' })).toEqual({
      fraction: 1.2,
      over: true,
      mode: 'hard',
    });
    expect(budgetUse({ ...budget, amount: 0, spent: 0 })).toEqual({
      fraction: 0,
      over: false,
      mode: 'soft',
    });
    expect(budgetUse({ ...budget, amount: 0, spent: 1 })).toEqual({
      fraction: 1,
      over: true,
      mode: 'soft',
    });
  });

  const explanation: RouteExplanation = {
    model: 'auto',
    tier: 'thinking',
    reason: 'classifier:learned:0.84',
    score: 0.84,
    thinkingThreshold: 0.5,
    steps: [
      { step: 'hint:reasoning_effort', status: 'abstained' },
      {
        step: 'classifier:learned',
        status: 'decided',
        tier: 'thinking',
        score: 0.84,
        probability: 0.8383,
      },
      { step: 'classifier:rules', status: 'not_reached', tier: 'thinking' },
    ],
    features: [
      { name: 'bias', value: 1, contribution: -1.78 },
      { name: 'cue_proof', value: 0.75, contribution: 3.44 },
      { name: 'digits', value: 0, contribution: 0 },
      { name: 'short_prompt', value: 1, contribution: -0.94 },
    ],
  };

  it('finds the deciding step of an explanation', () => {
    expect(decidingStep(explanation)?.step).toBe('classifier:learned');
    expect(decidingStep({ ...explanation, steps: [] })).toBeUndefined();
  });

  it('shows the features that weighed most, by absolute contribution, without the ones that weighed nothing', () => {
    expect(strongestFeatures(explanation.features, 2).map((f) => f.name)).toEqual([
      'cue_proof',
      'bias',
    ]);
    expect(strongestFeatures(explanation.features, 10).map((f) => f.name)).toEqual([
      'cue_proof',
      'bias',
      'short_prompt',
    ]);
  });

  it('gives each line a colour, cycling through the palette', () => {
    expect(colourOf(0)).toBe(PALETTE[0]);
    expect(colourOf(PALETTE.length + 1)).toBe(PALETTE[1]);
  });
});
