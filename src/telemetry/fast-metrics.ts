import type { Registry } from 'prom-client';

/** Label values by label name; numbers are written as prom-client writes them. */
type Labels<L extends string> = Partial<Record<L, string | number>>;

interface FastMetricConfig<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  registers: readonly Registry[];
}

/** What prom-client's registry reads of a metric to render it (`get()`), in its own shape. */
interface MetricValue {
  labels: Record<string, string | number>;
  /** Rendered after `labels` (prom-client's histograms: `le` first, then the series' labels). */
  sharedLabels?: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** A label set's key: the values in label-name order, without sorting or validation. */
function keyOf<L extends string>(labelNames: readonly L[], labels: Labels<L>): string {
  let key = '';
  for (let i = 0; i < labelNames.length; i++) key += `${labels[labelNames[i]] ?? ''}\u0001`;
  return key;
}

/** A copy of a label set, in the caller's order (the order prom-client renders them in). */
function copyOf<L extends string>(labels: Labels<L>): Record<string, string | number> {
  const copy: Record<string, string | number> = {};
  for (const name in labels) {
    const value = labels[name];
    if (value !== undefined) copy[name] = value;
  }
  return copy;
}

/**
 * The per-request instruments (counters, gauges, histograms updated on every request), rendered
 * by the same prom-client registry and in the same text format as prom-client's own, at a
 * fraction of the cost per update: prom-client sorts, validates and hashes the labels and builds
 * a closure on every `observe` (about 2.4 µs per histogram observation, 0.7 µs per counter
 * increment in a micro-benchmark); these look the label set up by its values in label order.
 * Label names are checked by the types, not at run time.
 */
abstract class FastMetric<L extends string, E> {
  readonly name: string;
  readonly help: string;
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  readonly aggregator = 'sum';
  protected readonly labelNames: readonly L[];
  protected readonly series = new Map<string, E>();

  constructor(config: FastMetricConfig<L>) {
    this.name = config.name;
    this.help = config.help;
    this.labelNames = config.labelNames;
    for (const registry of config.registers) registry.registerMetric(this as never);
  }

  reset(): void {
    this.series.clear();
  }

  protected entry(labels: Labels<L>, create: (labels: Record<string, string | number>) => E): E {
    const key = keyOf(this.labelNames, labels);
    let entry = this.series.get(key);
    if (entry === undefined) {
      entry = create(copyOf(labels));
      this.series.set(key, entry);
    }
    return entry;
  }
}

interface ValueEntry {
  labels: Record<string, string | number>;
  value: number;
}

const newValue = (labels: Record<string, string | number>): ValueEntry => ({ labels, value: 0 });

export class FastCounter<L extends string> extends FastMetric<L, ValueEntry> {
  readonly type = 'counter';

  inc(labels: Labels<L>, value = 1): void {
    if (!(value >= 0) || !Number.isFinite(value)) {
      throw new RangeError(`${this.name}: a counter takes a finite value ≥ 0, got ${value}`);
    }
    this.entry(labels, newValue).value += value;
  }

  get(): Promise<{ name: string; help: string; type: string; values: MetricValue[] }> {
    const values: MetricValue[] = [];
    for (const { labels, value } of this.series.values()) values.push({ labels, value });
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values });
  }
}

export class FastGauge<L extends string> extends FastMetric<L, ValueEntry> {
  readonly type = 'gauge';

  inc(labels: Labels<L>, value = 1): void {
    this.entry(labels, newValue).value += value;
  }

  dec(labels: Labels<L>, value = 1): void {
    this.entry(labels, newValue).value -= value;
  }

  get(): Promise<{ name: string; help: string; type: string; values: MetricValue[] }> {
    const values: MetricValue[] = [];
    for (const { labels, value } of this.series.values()) values.push({ labels, value });
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values });
  }
}

interface HistogramEntry {
  labels: Record<string, string | number>;
  /** Observations per bucket, not cumulative; the last slot is +Inf. */
  counts: Float64Array;
  sum: number;
  count: number;
}

export class FastHistogram<L extends string> extends FastMetric<L, HistogramEntry> {
  readonly type = 'histogram';
  private readonly upperBounds: readonly number[];
  /** `{le}` of each bucket, then +Inf: the same objects at every scrape. */
  private readonly leLabels: readonly Record<string, string | number>[];
  private static readonly NO_LABELS: Record<string, string | number> = {};
  private readonly newEntry = (labels: Record<string, string | number>): HistogramEntry => ({
    labels,
    counts: new Float64Array(this.upperBounds.length + 1),
    sum: 0,
    count: 0,
  });

  constructor(config: FastMetricConfig<L> & { buckets: readonly number[] }) {
    super(config);
    this.upperBounds = [...config.buckets].sort((a, b) => a - b);
    this.leLabels = [...this.upperBounds.map((le) => ({ le })), { le: '+Inf' }];
  }

  observe(labels: Labels<L>, value: number): void {
    if (Number.isNaN(value)) throw new RangeError(`${this.name}: cannot observe NaN`);
    const entry = this.entry(labels, this.newEntry);
    const bounds = this.upperBounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    entry.counts[i]++;
    entry.sum += value;
    entry.count++;
  }

  get(): Promise<{ name: string; help: string; type: string; values: MetricValue[] }> {
    const values: MetricValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const { labels, counts, sum, count } of this.series.values()) {
      const none = FastHistogram.NO_LABELS;
      let cumulative = 0;
      for (let i = 0; i < this.upperBounds.length; i++) {
        cumulative += counts[i];
        values.push({
          labels: this.leLabels[i],
          sharedLabels: labels,
          value: cumulative,
          metricName: bucket,
        });
      }
      const inf = this.leLabels[this.upperBounds.length];
      values.push({ labels: inf, sharedLabels: labels, value: count, metricName: bucket });
      values.push({
        labels: none,
        sharedLabels: labels,
        value: sum,
        metricName: `${this.name}_sum`,
      });
      values.push({
        labels: none,
        sharedLabels: labels,
        value: count,
        metricName: `${this.name}_count`,
      });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values });
  }
}
