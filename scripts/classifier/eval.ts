/**
 * `npm run eval:classifier [-- --file data/tiering/train.jsonl] [--dev data/tiering/dev.jsonl]
 *   [--folds 5] [--threshold 0.5] [--classifiers learned,rules] [--min-confidence 0.6]
 *   [--errors] [--json] [--seed n] [--lambda …] [--dense-lambda …] [--min-df …]
 *   [--calibration-folds 3] [--sections cv,idea,lolo,dev]`
 *
 * Honest figures only: nothing is scored by a model that saw it.
 * 1. Grouped k-fold over the training file: every template (`family`) sits in one fold, so a
 *    fold's model has seen none of the templates it is scored on; then the same grouped by the
 *    family's idea across languages (`proof/fr/0` and `proof/de/1` together), which is stricter:
 *    a translated template cannot help its original.
 * 2. Leave-one-language-out: for every language with 20 rows or more, a model trained on the
 *    other languages only.
 * 3. The dev set, scored by a model trained on the whole training file (the dev set is never
 *    trained on; the evaluation refuses a committed model whose training file is the dev set).
 * Each prints accuracy, per-tier precision and recall, the confusion matrix, accuracy per kind
 * and per language, and a reliability table of P(thinking).
 */
import type { RoutingConfig, TierName } from '../../src/config/gateway-config.interface';
import { CascadeClassifier } from '../../src/tier-routing/classifiers/cascade.classifier';
import { analyseConversation } from '../../src/tier-routing/classifiers/features';
import { LearnedClassifier } from '../../src/tier-routing/classifiers/learned.classifier';
import type { LearnedModelArtifact } from '../../src/tier-routing/classifiers/learned-model';
import { RulesClassifier } from '../../src/tier-routing/classifiers/rules.classifier';
import { SemanticClassifier } from '../../src/tier-routing/classifiers/semantic.classifier';
import {
  DEFAULT_DATA_FILE,
  DEV_FILE,
  args,
  configOf,
  describeSteps,
  num,
  parseClassifiers,
  parseMinConfidence,
  quietNestLogs,
  routingConfig,
} from './cli';
import { guessLanguage } from './language';
import {
  adversarialAccuracy,
  f4,
  groupTable,
  kindOrder,
  metricsOf,
  reliability,
  report,
  type Metrics,
} from './metrics';
import {
  DEFAULT_TRAIN_OPTIONS,
  familyIdea,
  featurise,
  groupFolds,
  inputOf,
  readJsonl,
  trainLearned,
  type LabeledPrompt,
  type TrainOptions,
} from './trainer';

export const TARGETS = { overall: 0.95, adversarial: 0.9, perLanguage: 0.9, minLanguageRows: 20 };

interface Scored {
  /** P(thinking) of the learned step, before abstention. */
  probability: number[];
  learned: TierName[];
  cascade: TierName[];
  steps: string[];
}

function build(routing: RoutingConfig, artifact: LearnedModelArtifact) {
  const config = configOf(routing);
  const rules = new RulesClassifier(config);
  const learned = new LearnedClassifier(config, artifact);
  const cascade = new CascadeClassifier(config, rules, learned, new SemanticClassifier(config));
  return { learned, cascade };
}

/** Scores `rows` with a model trained on `train`. */
export function scoreWith(
  train: readonly LabeledPrompt[],
  rows: readonly LabeledPrompt[],
  routing: RoutingConfig,
  options: TrainOptions,
): Scored {
  const c = build(routing, trainLearned(featurise(train), options));
  const out: Scored = { probability: [], learned: [], cascade: [], steps: [] };
  for (const r of rows) {
    const input = inputOf(r);
    const p = c.learned.score(analyseConversation(input, c.learned.ngramWeights)).probability;
    out.probability.push(p);
    out.learned.push(p >= routing.thinkingThreshold ? 'thinking' : 'instant');
    const v = c.cascade.classify(input);
    if (v instanceof Promise) throw new Error('the evaluation runs synchronous steps only');
    out.cascade.push(v.tier);
    const parts = v.reason.split(':');
    out.steps.push(parts[0] === 'classifier' ? parts[1] : parts[0]);
  }
  return out;
}

/** Out-of-fold scores of every row, folds grouped by template family. */
export function groupedCv(
  rows: readonly LabeledPrompt[],
  k: number,
  seed: number,
  routing: RoutingConfig,
  options: TrainOptions,
  groupOf?: (r: LabeledPrompt) => string,
): Scored {
  const folds = groupFolds(rows, k, seed, groupOf);
  const out: Scored = { probability: [], learned: [], cascade: [], steps: [] };
  for (let f = 0; f < k; f++) {
    const test = rows.map((_, i) => i).filter((i) => folds[i] === f);
    const s = scoreWith(
      rows.filter((_, i) => folds[i] !== f),
      test.map((i) => rows[i]),
      routing,
      options,
    );
    test.forEach((i, j) => {
      out.probability[i] = s.probability[j];
      out.learned[i] = s.learned[j];
      out.cascade[i] = s.cascade[j];
      out.steps[i] = s.steps[j];
    });
  }
  return out;
}

function section(title: string, rows: readonly LabeledPrompt[], s: Scored, errors: boolean) {
  const learned = metricsOf(rows, s.learned);
  const cascade = metricsOf(rows, s.cascade, s.steps);
  const labels = rows.map((r) => r.label as TierName);
  console.log(`=== ${title} ===`);
  console.log(report('learned alone (threshold, no abstention)', learned));
  console.log('');
  console.log(report('cascade as deployed', cascade));
  const adv = adversarialAccuracy(cascade);
  console.log(`cascade on adversarial kinds (hard-*): ${f4(adv.accuracy)} over ${adv.n} rows`);
  console.log('');
  console.log('cascade accuracy per kind:');
  console.log(groupTable(cascade.perKind, kindOrder));
  console.log('');
  console.log('cascade accuracy per language:');
  console.log(groupTable(cascade.perLang));
  console.log('');
  console.log('reliability of the learned P(thinking):');
  console.log(reliability(s.probability, labels));
  console.log('');
  if (errors) {
    console.log('misclassified by the cascade:');
    rows.forEach((r, i) => {
      if (s.cascade[i] === r.label) return;
      const text = r.prompt.replace(/\s+/g, ' ').slice(0, 110);
      console.log(`  ${r.id} [${r.kind}/${r.lang}] ${r.label} -> ${s.cascade[i]}: ${text}`);
    });
    console.log('');
  }
  return { learned, cascade, adversarial: adv };
}

function targetsMet(m: Metrics, adversarial: { accuracy: number }): string[] {
  const misses: string[] = [];
  if (m.accuracy < TARGETS.overall) misses.push(`overall ${f4(m.accuracy)} < ${TARGETS.overall}`);
  if (adversarial.accuracy < TARGETS.adversarial)
    misses.push(`adversarial ${f4(adversarial.accuracy)} < ${TARGETS.adversarial}`);
  for (const [lang, x] of Object.entries(m.perLang)) {
    if (x.n >= TARGETS.minLanguageRows && x.correct / x.n < TARGETS.perLanguage)
      misses.push(`${lang} ${f4(x.correct / x.n)} < ${TARGETS.perLanguage}`);
  }
  return misses;
}

/** Grouped k-fold with every language of a family's idea held out together. */
function byFamilyIdea(
  rows: readonly LabeledPrompt[],
  k: number,
  seed: number,
  routing: RoutingConfig,
  options: TrainOptions,
) {
  const strict = groupedCv(rows, k, seed, routing, options, familyIdea);
  const strictCascade = metricsOf(rows, strict.cascade);
  const strictAdv = adversarialAccuracy(strictCascade);
  console.log(
    `=== ${k}-fold cross-validation grouped by family idea (every language of a family held out together) ===`,
  );
  console.log(
    `learned ${f4(metricsOf(rows, strict.learned).accuracy)}, cascade ${f4(strictCascade.accuracy)}, ` +
      `cascade on adversarial kinds ${f4(strictAdv.accuracy)}`,
  );
  console.log('cascade accuracy per language:');
  console.log(groupTable(strictCascade.perLang));
  console.log('');
  return { learned: metricsOf(rows, strict.learned), cascade: strictCascade };
}

/** For every language with enough rows, a model trained on the other languages only. */
function leaveOneLanguageOut(
  rows: readonly LabeledPrompt[],
  routing: RoutingConfig,
  options: TrainOptions,
): (string | number)[][] {
  const langs = [...new Set(rows.map((r) => r.lang))].sort();
  const lolo: (string | number)[][] = [];
  for (const lang of langs) {
    const test = rows.filter((r) => r.lang === lang);
    if (test.length < TARGETS.minLanguageRows) continue;
    const s = scoreWith(
      rows.filter((r) => r.lang !== lang),
      test,
      routing,
      options,
    );
    const m = metricsOf(test, s.cascade);
    lolo.push([lang, test.length, f4(metricsOf(test, s.learned).accuracy), f4(m.accuracy)]);
  }
  console.log('=== leave-one-language-out (a model that never saw the language) ===');
  console.log(
    lolo
      .map(
        (r) =>
          `${String(r[0]).padEnd(4)} n ${String(r[1]).padStart(4)}  learned ${r[2]}  cascade ${r[3]}`,
      )
      .join('\n'),
  );
  console.log('');
  return lolo;
}

function main(): void {
  const opts = args({
    file: 'string',
    dev: 'string',
    folds: 'string',
    threshold: 'string',
    classifiers: 'string',
    'min-confidence': 'string',
    seed: 'string',
    json: 'boolean',
    errors: 'boolean',
    lambda: 'string',
    'dense-lambda': 'string',
    'min-df': 'string',
    'calibration-folds': 'string',
    sections: 'string',
  });
  // A subset of the sections, for quick iteration (`--sections cv,dev`); all by default.
  const sections = new Set(
    typeof opts.sections === 'string' ? opts.sections.split(',') : ['cv', 'idea', 'lolo', 'dev'],
  );
  const file = (opts.file as string | undefined) ?? DEFAULT_DATA_FILE;
  const devFile = (opts.dev as string | undefined) ?? DEV_FILE;
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
  const k = num(opts.folds, 5);
  const options: TrainOptions = {
    ...DEFAULT_TRAIN_OPTIONS,
    lambda: num(opts.lambda, DEFAULT_TRAIN_OPTIONS.lambda),
    denseLambda: num(opts['dense-lambda'], DEFAULT_TRAIN_OPTIONS.denseLambda),
    minDf: num(opts['min-df'], DEFAULT_TRAIN_OPTIONS.minDf),
    calibrationFolds: num(opts['calibration-folds'], DEFAULT_TRAIN_OPTIONS.calibrationFolds),
    seed,
  };
  const errors = opts.errors === true;
  console.log(
    `training file: ${file} (${rows.length} labeled rows, ${new Set(rows.map((r) => r.family)).size} families)`,
  );
  console.log(
    `cascade: hint -> ${routing.classifiers.join(' -> ')} -> default(${routing.defaultTier}); ` +
      `thinking threshold ${routing.thinkingThreshold}; min confidence ${describeSteps(routing.classifiers, routing.steps)}`,
  );
  console.log('');
  const out: Record<string, unknown> = { file, routing, targets: TARGETS };

  const cv = groupedCv(rows, k, seed, routing, options);
  const cvResult = section(
    `${k}-fold cross-validation grouped by template family (out-of-fold)`,
    rows,
    cv,
    errors,
  );

  out.cv = { k, seed, ...cvResult };
  if (sections.has('idea')) out.cvByFamilyIdea = byFamilyIdea(rows, k, seed, routing, options);
  if (sections.has('lolo')) out.leaveOneLanguageOut = leaveOneLanguageOut(rows, routing, options);

  let devResult: ReturnType<typeof section> | undefined;
  if (sections.has('dev')) {
    // The dev file has no language field: a rough guess names its per-language rows.
    const dev = readJsonl(devFile)
      .filter((r) => r.label !== undefined)
      .map((r) => (r.lang === 'unknown' ? { ...r, lang: guessLanguage(r.prompt) } : r));
    devResult = section(
      `dev set ${devFile} (${dev.length} rows; evaluation only, never trained on)`,
      dev,
      scoreWith(rows, dev, routing, options),
      errors,
    );
    out.dev = devResult;
  }

  const misses = targetsMet(cvResult.cascade, cvResult.adversarial);
  out.misses = misses;
  console.log(
    `targets on held-out data (grouped CV): ${misses.length === 0 ? 'all met' : `missed: ${misses.join('; ')}`}`,
  );
  if (devResult)
    console.log(
      `dev set (held out, other authors and sources): cascade ${f4(devResult.cascade.accuracy)}, ` +
        `adversarial ${f4(devResult.adversarial.accuracy)}`,
    );
  if (opts.json) console.log(`\n${JSON.stringify(out)}`);
}

if (require.main === module) {
  quietNestLogs();
  main();
}
