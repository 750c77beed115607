/**
 * `npm run calibrate:classifier -- --thinking-share 0.3 [--file prompts.jsonl]
 *   [--classifier learned|rules] [--json]`
 *
 * Prints the `routing.thinking_threshold` that sends the given share of a prompt file to the
 * thinking tier (RouteLLM-style cost/quality knob). The figure to configure is the cascade's, as
 * deployed (`--classifiers`, `--min-confidence`; abstentions fall to the default tier), found by
 * bisection; beside it, the threshold for one classifier's score alone (`--classifier`, the
 * quantile of its P(thinking)). Labels are optional; when present, the accuracy and per-tier
 * recall at the single-score threshold are printed too.
 */
import { CascadeClassifier } from '../../src/tier-routing/classifiers/cascade.classifier';
import { analyseConversation } from '../../src/tier-routing/classifiers/features';
import { LearnedClassifier } from '../../src/tier-routing/classifiers/learned.classifier';
import { RulesClassifier } from '../../src/tier-routing/classifiers/rules.classifier';
import { SemanticClassifier } from '../../src/tier-routing/classifiers/semantic.classifier';
import type { ClassificationInput } from '../../src/tier-routing/classifiers/tier-classifier.interface';
import {
  DEFAULT_DATA_FILE,
  DEV_FILE,
  args,
  configOf,
  num,
  parseClassifiers,
  routingConfig,
  quietNestLogs,
  parseMinConfidence,
  describeSteps,
} from './cli';
import type { RoutingConfig } from '../../src/config/gateway-config.interface';
import {
  DEFAULT_TRAIN_OPTIONS,
  inputOf,
  prng,
  readJsonl,
  shuffled,
  type LabeledPrompt,
} from './trainer';
import { groupedCv, scoreWith } from './eval';

export interface Calibration {
  threshold: number;
  /** Share of the file at or above the threshold (the target, up to ties). */
  share: number;
  prompts: number;
}

/** The threshold that puts `share` of the probabilities at or above it: between two neighbours. */
export function thresholdForShare(probabilities: readonly number[], share: number): Calibration {
  if (!(share >= 0 && share <= 1))
    throw new Error(`--thinking-share must be within 0..1 (got ${share})`);
  const sorted = [...probabilities].sort((a, b) => b - a);
  const n = sorted.length;
  if (n === 0) throw new Error('no prompts to calibrate on');
  const k = Math.round(share * n);
  let threshold: number;
  if (k <= 0) threshold = Math.min(1, sorted[0] + 1e-6);
  else if (k >= n) threshold = sorted[n - 1];
  else threshold = (sorted[k - 1] + sorted[k]) / 2;
  const at = sorted.filter((p) => p >= threshold).length;
  return { threshold, share: at / n, prompts: n };
}

/** The cascade as deployed, at a threshold. */
function cascadeAt(base: RoutingConfig, threshold: number): CascadeClassifier {
  const config = configOf({ ...base, thinkingThreshold: threshold });
  return new CascadeClassifier(
    config,
    new RulesClassifier(config),
    new LearnedClassifier(config),
    new SemanticClassifier(config),
  );
}

function cascadeShare(
  base: RoutingConfig,
  threshold: number,
  inputs: readonly ClassificationInput[],
): number {
  const cascade = cascadeAt(base, threshold);
  let sent = 0;
  for (const input of inputs) {
    const v = cascade.classify(input);
    if (v instanceof Promise)
      throw new Error('calibration runs synchronous steps only (no semantic)');
    if (v.tier === 'thinking') sent++;
  }
  return sent / inputs.length;
}

/**
 * The threshold at which the cascade (abstentions and default tier included) sends `share` of
 * the inputs to thinking: bisection, as the share falls when the threshold rises.
 */
export function cascadeThresholdForShare(
  base: RoutingConfig,
  inputs: readonly ClassificationInput[],
  share: number,
): { threshold: number; share: number } {
  let lo = 0.0005;
  let hi = 0.9995;
  let best = { threshold: lo, share: cascadeShare(base, lo, inputs) };
  for (let i = 0; i < 24; i++) {
    const mid = (lo + hi) / 2;
    const got = cascadeShare(base, mid, inputs);
    if (Math.abs(got - share) < Math.abs(best.share - share)) best = { threshold: mid, share: got };
    if (got > share) lo = mid;
    else hi = mid;
  }
  return best;
}

function main(): void {
  const opts = args({
    'thinking-share': 'string',
    file: 'string',
    classifier: 'string',
    classifiers: 'string',
    'min-confidence': 'string',
    json: 'boolean',
    committed: 'boolean',
    dev: 'string',
  });
  if (opts['thinking-share'] === undefined) {
    throw new Error(
      'usage: calibrate --thinking-share <0..1> [--file prompts.jsonl] [--classifier learned|rules]',
    );
  }
  const share = num(opts['thinking-share'], NaN);
  const file = (opts.file as string | undefined) ?? DEFAULT_DATA_FILE;
  const which = (opts.classifier as string | undefined) ?? 'learned';
  if (which !== 'learned' && which !== 'rules')
    throw new Error(`--classifier must be learned or rules (got ${which})`);
  const rows = readJsonl(file);
  if (!opts.committed && rows.every((r) => r.label !== undefined)) {
    heldOut(rows, share, (opts.dev as string | undefined) ?? DEV_FILE, opts.json === true);
    return;
  }

  const classifiers = parseClassifiers(opts.classifiers) ?? routingConfig().classifiers;
  if (classifiers.includes('semantic'))
    throw new Error('calibration runs synchronous steps only (no semantic)');
  const deployed = routingConfig({
    classifiers,
    steps: parseMinConfidence(opts['min-confidence'], classifiers),
  });
  const config = configOf(deployed);
  const scorer = which === 'learned' ? new LearnedClassifier(config) : new RulesClassifier(config);
  const probabilities = rows.map(
    (r) => scorer.score(analyseConversation(inputOf(r), scorer.ngramWeights)).probability,
  );
  const calibration = thresholdForShare(probabilities, share);
  const threshold = Math.round(calibration.threshold * 10000) / 10000;

  const result: Record<string, unknown> = {
    file,
    classifier: which,
    targetShare: share,
    threshold,
    achievedShare: calibration.share,
    prompts: calibration.prompts,
  };
  const labeled = rows.map((r, i) => ({ r, p: probabilities[i] })).filter((x) => x.r.label);
  if (labeled.length > 0) {
    const correct = labeled.filter(
      (x) => (x.p >= threshold ? 'thinking' : 'instant') === x.r.label,
    ).length;
    const recall = (tier: 'instant' | 'thinking'): number => {
      const of = labeled.filter((x) => x.r.label === tier);
      const hit = of.filter((x) => (x.p >= threshold ? 'thinking' : 'instant') === tier).length;
      return of.length ? hit / of.length : 0;
    };
    Object.assign(result, {
      accuracy: correct / labeled.length,
      recallThinking: recall('thinking'),
      recallInstant: recall('instant'),
    });
  }
  const inputs = rows.map(inputOf);
  const cascade = cascadeThresholdForShare(deployed, inputs, share);
  const cascadeThreshold = Math.round(cascade.threshold * 10000) / 10000;
  Object.assign(result, { cascadeThreshold, cascadeShare: cascade.share });

  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  console.log(`${file}: ${rows.length} prompts; target thinking share ${pct(share)}`);
  console.log('');
  console.log(
    `cascade as deployed (hint -> ${classifiers.join(' -> ')} -> default ${deployed.defaultTier}, ` +
      `min confidence ${describeSteps(classifiers, deployed.steps)}):`,
  );
  console.log(
    `  thinking_threshold: ${cascadeThreshold}  (sends ${pct(cascade.share)} to thinking)`,
  );
  console.log(`${which} score alone (no abstention):`);
  console.log(`  thinking_threshold: ${threshold}  (sends ${pct(calibration.share)} to thinking)`);
  if (result.accuracy !== undefined) {
    console.log(
      `  on the labels at that threshold: accuracy ${(result.accuracy as number).toFixed(4)}, ` +
        `recall thinking ${(result.recallThinking as number).toFixed(3)}, recall instant ${(
          result.recallInstant as number
        ).toFixed(3)}`,
    );
  }
  console.log('');
  console.log(`routing:\n  thinking_threshold: ${cascadeThreshold}`);
  if (opts.json) console.log(JSON.stringify(result));
}

/** Share, accuracy and per-tier recall of thresholding `p` at `t`. */
function at(rows: readonly LabeledPrompt[], p: readonly number[], t: number) {
  let sent = 0;
  let correct = 0;
  let thinking = 0;
  let thinkingHit = 0;
  rows.forEach((r, i) => {
    const tier = p[i] >= t ? 'thinking' : 'instant';
    if (tier === 'thinking') sent++;
    if (tier === r.label) correct++;
    if (r.label === 'thinking') {
      thinking++;
      if (tier === 'thinking') thinkingHit++;
    }
  });
  const n = rows.length;
  return { n, share: sent / n, accuracy: correct / n, recallThinking: thinkingHit / thinking };
}

/**
 * The honest calibration of a labelled training file: out-of-fold P(thinking) (folds grouped by
 * template family), the threshold fitted on half of the families, and checked on the other half
 * and on the dev set, neither of which it saw.
 */
function heldOut(
  rows: readonly LabeledPrompt[],
  share: number,
  devFile: string,
  json: boolean,
): void {
  const routing = routingConfig();
  const seed = DEFAULT_TRAIN_OPTIONS.seed;
  const oof = groupedCv(rows, 5, seed, routing, DEFAULT_TRAIN_OPTIONS).probability;
  const families = shuffled([...new Set(rows.map((r) => r.family))].sort(), prng(seed + 1));
  const fitSet = new Set(families.slice(0, Math.ceil(families.length / 2)));
  const idx = rows.map((_, i) => i);
  const fit = idx.filter((i) => fitSet.has(rows[i].family));
  const check = idx.filter((i) => !fitSet.has(rows[i].family));
  const calibration = thresholdForShare(
    fit.map((i) => oof[i]),
    share,
  );
  const threshold = Math.round(calibration.threshold * 10000) / 10000;
  const onFit = at(
    fit.map((i) => rows[i]),
    fit.map((i) => oof[i]),
    threshold,
  );
  const onCheck = at(
    check.map((i) => rows[i]),
    check.map((i) => oof[i]),
    threshold,
  );
  const dev = readJsonl(devFile).filter((r) => r.label !== undefined);
  const devP = scoreWith(rows, dev, routing, DEFAULT_TRAIN_OPTIONS).probability;
  const onDev = at(dev, devP, threshold);
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const line = (name: string, x: ReturnType<typeof at>): string =>
    `  ${name.padEnd(34)} n ${String(x.n).padStart(4)}  thinking share ${pct(x.share).padStart(6)}  ` +
    `accuracy ${x.accuracy.toFixed(4)}  recall thinking ${x.recallThinking.toFixed(3)}`;
  console.log(
    `target thinking share ${pct(share)}; learned P(thinking), out-of-fold (grouped 5-fold)`,
  );
  console.log(`  threshold fitted on ${fit.length} rows of ${fitSet.size} families: ${threshold}`);
  console.log(line('fitted on (out-of-fold)', onFit));
  console.log(line('checked on other families (unseen)', onCheck));
  console.log(line(`checked on ${devFile} (unseen)`, onDev));
  console.log('');
  console.log(`routing:\n  thinking_threshold: ${threshold}`);
  if (json) console.log(JSON.stringify({ share, threshold, onFit, onCheck, onDev }));
}

if (require.main === module) {
  quietNestLogs();
  main();
}
