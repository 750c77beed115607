/**
 * `npm run eval:classifier -- --file data/tiering/dev.jsonl [--cv 5] [--threshold 0.5]
 *   [--classifiers learned,rules] [--min-confidence 0.6] [--errors] [--json]
 *   [--lambda 0.001] [--dense-lambda 0.01] [--min-df 5] [--seed n]`
 *
 * Accuracy, precision/recall per tier, confusion matrix, per-kind accuracy and per-decision time
 * (p50/p99) of the rules, the learned model and the cascade as configured, over a labeled JSONL
 * file; with `--cv k`, k-fold cross-validation (stratified, seeded) of the learned model and of
 * the cascade built on each fold's model, which is the honest figure when the file is the
 * training file.
 */
import { performance } from 'node:perf_hooks';
import type { RoutingConfig, TierName } from '../../src/config/gateway-config.interface';
import { CascadeClassifier } from '../../src/tier-routing/classifiers/cascade.classifier';
import { analyseConversation } from '../../src/tier-routing/classifiers/features';
import {
  LearnedClassifier,
  COMMITTED_LEARNED_MODEL,
} from '../../src/tier-routing/classifiers/learned.classifier';
import type { LearnedModelArtifact } from '../../src/tier-routing/classifiers/learned-model';
import { RulesClassifier } from '../../src/tier-routing/classifiers/rules.classifier';
import { SemanticClassifier } from '../../src/tier-routing/classifiers/semantic.classifier';
import type {
  ClassificationInput,
  TierClassifier,
} from '../../src/tier-routing/classifiers/tier-classifier.interface';
import {
  DEFAULT_DATA_FILE,
  args,
  configOf,
  num,
  parseClassifiers,
  quantile,
  routingConfig,
  table,
  quietNestLogs,
  parseMinConfidence,
  describeSteps,
} from './cli';
import {
  DEFAULT_TRAIN_OPTIONS,
  featurise,
  readJsonl,
  sha256File,
  stratifiedFolds,
  trainLearned,
  type LabeledPrompt,
  type TrainOptions,
} from './trainer';

const TIERS: readonly TierName[] = ['instant', 'thinking'];
const TIMING_ROUNDS = 5;

export interface Metrics {
  n: number;
  accuracy: number;
  precision: Record<TierName, number>;
  recall: Record<TierName, number>;
  /** confusion[actual][predicted] */
  confusion: Record<TierName, Record<TierName, number>>;
  perKind: Record<string, { n: number; correct: number }>;
  /** How many decisions each step made (`learned`, `rules`, `default`, …). */
  byStep: Record<string, number>;
}

export function metricsOf(
  rows: readonly LabeledPrompt[],
  predicted: readonly TierName[],
  steps?: readonly string[],
): Metrics {
  const confusion = { instant: { instant: 0, thinking: 0 }, thinking: { instant: 0, thinking: 0 } };
  const perKind: Metrics['perKind'] = {};
  const byStep: Record<string, number> = {};
  let correct = 0;
  rows.forEach((r, i) => {
    const actual = r.label as TierName;
    confusion[actual][predicted[i]]++;
    const ok = actual === predicted[i];
    if (ok) correct++;
    const k = (perKind[r.kind] ??= { n: 0, correct: 0 });
    k.n++;
    if (ok) k.correct++;
    if (steps) byStep[steps[i]] = (byStep[steps[i]] ?? 0) + 1;
  });
  const precision = {} as Record<TierName, number>;
  const recall = {} as Record<TierName, number>;
  for (const t of TIERS) {
    const predictedT = confusion.instant[t] + confusion.thinking[t];
    const actualT = confusion[t].instant + confusion[t].thinking;
    precision[t] = predictedT ? confusion[t][t] / predictedT : 0;
    recall[t] = actualT ? confusion[t][t] / actualT : 0;
  }
  return {
    n: rows.length,
    accuracy: correct / rows.length,
    precision,
    recall,
    confusion,
    perKind,
    byStep,
  };
}

const f3 = (x: number): string => x.toFixed(3);
const f4 = (x: number): string => x.toFixed(4);

export function report(title: string, m: Metrics): string {
  const lines = [`${title}: accuracy ${f4(m.accuracy)} (${Math.round(m.accuracy * m.n)}/${m.n})`];
  lines.push(
    table(
      ['tier', 'precision', 'recall', 'support'],
      TIERS.map((t) => [
        t,
        f3(m.precision[t]),
        f3(m.recall[t]),
        m.confusion[t].instant + m.confusion[t].thinking,
      ]),
    ),
  );
  lines.push('');
  lines.push(
    table(
      ['actual \\ predicted', 'instant', 'thinking'],
      TIERS.map((t) => [t, m.confusion[t].instant, m.confusion[t].thinking]),
    ),
  );
  if (Object.keys(m.byStep).length > 0) {
    lines.push('');
    lines.push(
      `decided by: ${Object.entries(m.byStep)
        .map(([s, n]) => `${s} ${n}`)
        .join(', ')}`,
    );
  }
  return lines.join('\n');
}

function inputOf(row: LabeledPrompt): ClassificationInput {
  return { messages: row.messages ?? [{ role: 'user', content: row.prompt }] };
}

function stepOf(reason: string): string {
  const parts = reason.split(':');
  return parts[0] === 'classifier' ? parts[1] : parts[0];
}

interface Classifiers {
  rules: RulesClassifier;
  learned: LearnedClassifier;
  cascade: CascadeClassifier;
}

function build(routing: RoutingConfig, artifact: LearnedModelArtifact): Classifiers {
  const config = configOf(routing);
  const rules = new RulesClassifier(config);
  const learned = new LearnedClassifier(config, artifact);
  const semantic = new SemanticClassifier(config);
  const cascade = new CascadeClassifier(config, rules, learned, semantic);
  return { rules, learned, cascade };
}

/** The tier each classifier gives at the threshold, without abstention (a pure scorer's view). */
function predictAll(c: Classifiers, rows: readonly LabeledPrompt[], threshold: number) {
  const pure = (cl: RulesClassifier | LearnedClassifier, r: LabeledPrompt): TierName =>
    probability(cl, r) >= threshold ? 'thinking' : 'instant';
  const cascade = rows.map((r) => c.cascade.classify(inputOf(r)));
  if (cascade.some((v) => v instanceof Promise))
    throw new Error('the evaluation runs synchronous steps only');
  const verdicts = cascade as Exclude<(typeof cascade)[number], Promise<unknown>>[];
  return {
    rules: rows.map((r) => pure(c.rules, r)),
    learned: rows.map((r) => pure(c.learned, r)),
    cascade: verdicts.map((v) => v.tier),
    cascadeSteps: verdicts.map((v) => stepOf(v.reason)),
  };
}

/** P(thinking) of a scoring classifier for a row, before any abstention. */
function probability(cl: RulesClassifier | LearnedClassifier, r: LabeledPrompt): number {
  return cl.score(analyseConversation(inputOf(r), cl.ngramWeights)).probability;
}

/** Per-decision wall time of `classify`, in microseconds, over several rounds after a warm-up. */
export function timeDecisions(
  classifier: TierClassifier,
  inputs: readonly ClassificationInput[],
  rounds = TIMING_ROUNDS,
): number[] {
  for (const input of inputs) classifier.classify(input);
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const input of inputs) {
      const t0 = performance.now();
      classifier.classify(input);
      samples.push((performance.now() - t0) * 1000);
    }
  }
  return samples.sort((a, b) => a - b);
}

function main(): void {
  const opts = args({
    file: 'string',
    cv: 'string',
    threshold: 'string',
    classifiers: 'string',
    'min-confidence': 'string',
    seed: 'string',
    json: 'boolean',
    errors: 'boolean',
    lambda: 'string',
    'dense-lambda': 'string',
    'min-df': 'string',
  });
  const file = (opts.file as string | undefined) ?? DEFAULT_DATA_FILE;
  const rows = readJsonl(file).filter((r) => r.label !== undefined);
  if (rows.length === 0) throw new Error(`${file} has no labeled rows`);
  const defaults = routingConfig();
  const classifiers = parseClassifiers(opts.classifiers) ?? defaults.classifiers;
  const routing = routingConfig({
    thinkingThreshold: num(opts.threshold, defaults.thinkingThreshold),
    classifiers,
    steps: parseMinConfidence(opts['min-confidence'], classifiers),
  });
  const seed = num(opts.seed, DEFAULT_TRAIN_OPTIONS.seed);
  const sha = sha256File(file);
  const inSample = COMMITTED_LEARNED_MODEL.training.sha256 === sha;
  const out: Record<string, unknown> = { file, rows: rows.length, sha256: sha, routing };

  console.log(`file: ${file} (${rows.length} labeled rows, sha256 ${sha.slice(0, 12)}…)`);
  console.log(
    `cascade: hint -> ${routing.classifiers.join(' -> ')} -> default(${routing.defaultTier}); ` +
      `thinking threshold ${routing.thinkingThreshold}; min confidence ${describeSteps(routing.classifiers, routing.steps)}`,
  );
  if (inSample)
    console.log(
      'note: the committed learned model was trained on this file; its figures below are in-sample (see --cv).',
    );
  console.log('');

  const committed = build(routing, COMMITTED_LEARNED_MODEL);
  const p = predictAll(committed, rows, routing.thinkingThreshold);
  const metrics = {
    rules: metricsOf(rows, p.rules),
    learned: metricsOf(rows, p.learned),
    cascade: metricsOf(rows, p.cascade, p.cascadeSteps),
  };
  console.log(report('rules (threshold only, no abstention)', metrics.rules));
  console.log('');
  console.log(report(`learned (committed model${inSample ? ', IN-SAMPLE' : ''})`, metrics.learned));
  console.log('');
  console.log(
    report(
      `cascade (${routing.classifiers.join(' -> ')})${inSample ? ' IN-SAMPLE' : ''}`,
      metrics.cascade,
    ),
  );
  console.log('');

  const inputs = rows.map(inputOf);
  const times = timeDecisions(committed.cascade, inputs);
  const short = timeDecisions(
    committed.cascade,
    inputs.filter((_, i) => rows[i].prompt.length <= 4096),
  );
  const timing = {
    p50_us: quantile(times, 0.5),
    p99_us: quantile(times, 0.99),
    max_us: times[times.length - 1],
    upTo4k_p50_us: quantile(short, 0.5),
    upTo4k_p99_us: quantile(short, 0.99),
    samples: times.length,
  };
  console.log(
    `decision time (cascade.classify, ${TIMING_ROUNDS} rounds over the file): p50 ${timing.p50_us.toFixed(1)} µs, ` +
      `p99 ${timing.p99_us.toFixed(1)} µs, max ${timing.max_us.toFixed(1)} µs; prompts <= 4k chars: ` +
      `p50 ${timing.upTo4k_p50_us.toFixed(1)} µs, p99 ${timing.upTo4k_p99_us.toFixed(1)} µs`,
  );
  console.log('');
  Object.assign(out, { inSample, metrics, timing });

  const k = num(opts.cv, 0);
  let cv: ReturnType<typeof crossValidate> | undefined;
  if (k >= 2) {
    const options = {
      ...DEFAULT_TRAIN_OPTIONS,
      lambda: num(opts.lambda, DEFAULT_TRAIN_OPTIONS.lambda),
      denseLambda: num(opts['dense-lambda'], DEFAULT_TRAIN_OPTIONS.denseLambda),
      minDf: num(opts['min-df'], DEFAULT_TRAIN_OPTIONS.minDf),
    };
    cv = crossValidate(rows, k, seed, routing, options);
    console.log(
      `${k}-fold cross-validation (stratified by label, seed ${seed}; a new model per fold):`,
    );
    console.log(
      `  learned accuracy per fold: ${cv.foldAccuracy.map(f4).join(', ')}; mean ${f4(cv.mean)} ± ${f4(cv.sd)} (sd)`,
    );
    console.log('');
    console.log(report('learned, out-of-fold', cv.learned));
    console.log('');
    console.log(report(`cascade (${routing.classifiers.join(' -> ')}), out-of-fold`, cv.cascade));
    console.log('');
    Object.assign(out, { cv: { k, seed, ...cv } });
    if (opts.errors) printErrors('cascade, out-of-fold', rows, cv.cascadePredicted);
  } else if (opts.errors) {
    printErrors('cascade', rows, p.cascade);
  }

  const kinds = Object.keys(metrics.cascade.perKind).sort(
    (a, b) => Number(a.startsWith('hard-')) - Number(b.startsWith('hard-')) || a.localeCompare(b),
  );
  const acc = (m: Metrics, kind: string): string => {
    const x = m.perKind[kind];
    return x ? `${x.correct}/${x.n}` : '-';
  };
  const header = [
    'kind',
    'n',
    'rules',
    `learned${inSample ? '*' : ''}`,
    `cascade${inSample ? '*' : ''}`,
  ];
  if (cv) header.push('learned cv', 'cascade cv');
  console.log(`per-kind accuracy${inSample ? ' (* in-sample)' : ''}:`);
  console.log(
    table(
      header,
      kinds.map((kind) => {
        const row = [
          kind,
          metrics.cascade.perKind[kind].n,
          acc(metrics.rules, kind),
          acc(metrics.learned, kind),
          acc(metrics.cascade, kind),
        ];
        if (cv) row.push(acc(cv.learned, kind), acc(cv.cascade, kind));
        return row;
      }),
    ),
  );
  if (opts.json) console.log(`\n${JSON.stringify(out)}`);
}

/** The misclassified rows, for error analysis (`--errors`). */
function printErrors(
  title: string,
  rows: readonly LabeledPrompt[],
  predicted: readonly TierName[],
): void {
  console.log(`misclassified (${title}):`);
  rows.forEach((r, i) => {
    if (predicted[i] === r.label) return;
    const text = r.prompt.replace(/\s+/g, ' ').slice(0, 100);
    console.log(`  ${r.id} [${r.kind}] ${r.label} -> ${predicted[i]}: ${text}`);
  });
  console.log('');
}

function crossValidate(
  rows: readonly LabeledPrompt[],
  k: number,
  seed: number,
  routing: RoutingConfig,
  options: TrainOptions,
) {
  const folds = stratifiedFolds(rows, k, seed);
  const data = featurise(rows);
  const learned: TierName[] = new Array<TierName>(rows.length);
  const cascade: TierName[] = new Array<TierName>(rows.length);
  const steps: string[] = new Array<string>(rows.length);
  const foldAccuracy: number[] = [];
  for (let f = 0; f < k; f++) {
    const artifact = trainLearned(
      data.filter((_, i) => folds[i] !== f),
      { ...options, seed },
    );
    const c = build(routing, artifact);
    let correct = 0;
    let n = 0;
    rows.forEach((r, i) => {
      if (folds[i] !== f) return;
      learned[i] = probability(c.learned, r) >= routing.thinkingThreshold ? 'thinking' : 'instant';
      const v = c.cascade.classify(inputOf(r));
      if (v instanceof Promise) throw new Error('the evaluation runs synchronous steps only');
      cascade[i] = v.tier;
      steps[i] = stepOf(v.reason);
      n++;
      if (learned[i] === r.label) correct++;
    });
    foldAccuracy.push(correct / n);
  }
  const mean = foldAccuracy.reduce((s, x) => s + x, 0) / k;
  const sd = Math.sqrt(foldAccuracy.reduce((s, x) => s + (x - mean) ** 2, 0) / (k - 1));
  return {
    foldAccuracy,
    mean,
    sd,
    learned: metricsOf(rows, learned),
    cascade: metricsOf(rows, cascade, steps),
    cascadePredicted: cascade,
  };
}

if (require.main === module) {
  quietNestLogs();
  main();
}
