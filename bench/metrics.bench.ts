/**
 * The cost of one metric update on the request path: prom-client's `Counter.inc`,
 * `Histogram.observe` and `Gauge.inc`+`dec` next to the gateway's `FastCounter`, `FastHistogram`
 * and `FastGauge` (src/telemetry/fast-metrics.ts), the same label sets and values, in one run.
 *
 *   npx tsc -p tsconfig.tools.json && node .tools/bench/metrics.bench.js [--n 1000000]
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { FastCounter, FastGauge, FastHistogram } from '../src/telemetry/fast-metrics';
import { Buckets } from '../src/telemetry/telemetry.constants';

const HISTOGRAM_LABELS = [
  'gen_ai_operation_name',
  'gen_ai_request_model',
  'tier',
  'error_type',
] as const;
const COUNTER_LABELS = ['key', 'tier', 'model', 'outcome'] as const;
const MODELS = ['instant', 'thinking', 'auto'];

/** Nanoseconds per call of `update(i)`, best of three rounds after a warm-up round. */
function nsPerCall(n: number, update: (i: number) => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 4; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) update(i);
    const ns = Number(process.hrtime.bigint() - started) / n;
    if (round > 0) best = Math.min(best, ns);
  }
  return best;
}

function main(): void {
  const at = process.argv.indexOf('--n');
  const n = at > 0 ? Number(process.argv[at + 1]) : 1_000_000;
  const registers = [new Registry()];
  const histogramLabels = (i: number) => ({
    gen_ai_operation_name: 'chat',
    gen_ai_request_model: MODELS[i % 3],
    tier: i % 3 === 1 ? 'thinking' : 'instant',
    error_type: '',
  });
  const counterLabels = (i: number) => ({
    key: 'team-a',
    tier: 'instant',
    model: MODELS[i % 3],
    outcome: 'ok',
  });
  const seconds = (i: number) => ((i % 1000) + 1) / 250;

  const promHistogram = new Histogram({
    name: 'p_h',
    help: 'h',
    labelNames: HISTOGRAM_LABELS,
    buckets: [...Buckets.durationS],
    registers,
  });
  const fastHistogram = new FastHistogram({
    name: 'f_h',
    help: 'h',
    labelNames: HISTOGRAM_LABELS,
    buckets: [...Buckets.durationS],
    registers,
  });
  const promCounter = new Counter({
    name: 'p_c',
    help: 'h',
    labelNames: COUNTER_LABELS,
    registers,
  });
  const fastCounter = new FastCounter({
    name: 'f_c',
    help: 'h',
    labelNames: COUNTER_LABELS,
    registers,
  });
  const promGauge = new Gauge({ name: 'p_g', help: 'h', labelNames: ['operation'], registers });
  const fastGauge = new FastGauge({ name: 'f_g', help: 'h', labelNames: ['operation'], registers });
  const gaugeLabels = { operation: 'chat' };

  const rows: [string, number, number][] = [
    [
      'histogram observe',
      nsPerCall(n, (i) => promHistogram.observe(histogramLabels(i), seconds(i))),
      nsPerCall(n, (i) => fastHistogram.observe(histogramLabels(i), seconds(i))),
    ],
    [
      'counter inc',
      nsPerCall(n, (i) => promCounter.inc(counterLabels(i))),
      nsPerCall(n, (i) => fastCounter.inc(counterLabels(i))),
    ],
    [
      'gauge inc + dec',
      nsPerCall(n, () => {
        promGauge.inc(gaugeLabels);
        promGauge.dec(gaugeLabels);
      }),
      nsPerCall(n, () => {
        fastGauge.inc(gaugeLabels);
        fastGauge.dec(gaugeLabels);
      }),
    ],
  ];
  console.log(
    `metric updates, ${n.toLocaleString('en')} per round, best of 3 (node ${process.version})`,
  );
  console.log('update             prom-client ns   gateway ns');
  for (const [name, prom, fast] of rows) {
    console.log(
      `${name.padEnd(18)} ${prom.toFixed(0).padStart(14)} ${fast.toFixed(0).padStart(12)}`,
    );
  }
}

main();
