/**
 * `npm run train:classifier [-- --file my.jsonl] [--calibration-folds 3]`: trains the learned tier model
 * and writes it, with the semantic step's exemplars, as versioned JSON artifacts beside the
 * classifiers. Deterministic: the same file and options give byte-identical artifacts.
 */
import { writeFileSync } from 'node:fs';
import { EXEMPLARS_FILE, MODEL_FILE, DEFAULT_DATA_FILE, args, num } from './cli';
import {
  DEFAULT_TRAIN_OPTIONS,
  featurise,
  prng,
  readJsonl,
  sha256File,
  shuffled,
  trainLearned,
  type LabeledPrompt,
} from './trainer';
import { LearnedScorer } from '../../src/tier-routing/classifiers/learned-model';

const EXEMPLARS_PER_KIND = 8;
const EXEMPLAR_CHARS = 1500;

function main(): void {
  const opts = args({
    file: 'string',
    out: 'string',
    'exemplars-out': 'string',
    lambda: 'string',
    'dense-lambda': 'string',
    'min-df': 'string',
    'calibration-folds': 'string',
    seed: 'string',
  });
  const file = (opts.file as string | undefined) ?? DEFAULT_DATA_FILE;
  const out = (opts.out as string | undefined) ?? MODEL_FILE;
  const exemplarsOut = (opts['exemplars-out'] as string | undefined) ?? EXEMPLARS_FILE;
  const options = {
    ...DEFAULT_TRAIN_OPTIONS,
    lambda: num(opts.lambda, DEFAULT_TRAIN_OPTIONS.lambda),
    denseLambda: num(opts['dense-lambda'], DEFAULT_TRAIN_OPTIONS.denseLambda),
    minDf: num(opts['min-df'], DEFAULT_TRAIN_OPTIONS.minDf),
    calibrationFolds: num(opts['calibration-folds'], DEFAULT_TRAIN_OPTIONS.calibrationFolds),
    seed: num(opts.seed, DEFAULT_TRAIN_OPTIONS.seed),
  };
  const rows = readJsonl(file);
  const data = featurise(rows);
  const started = Date.now();
  const artifact = trainLearned(data, options, { file, sha256: sha256File(file) });
  const elapsed = Date.now() - started;
  writeFileSync(out, formatArtifact(artifact));

  const scorer = new LearnedScorer(artifact);
  const correct = data.filter((d) => (scorer.logit(d.features) >= 0 ? 1 : -1) === d.y).length;
  writeFileSync(exemplarsOut, `${JSON.stringify(exemplars(rows, options.seed), null, 1)}\n`);

  console.log(`trained on ${data.length} prompts from ${file} in ${elapsed} ms`);
  console.log(
    `  L-BFGS iterations: ${String(artifact.training.iterations)}, final loss ${String(artifact.training.finalLoss)}`,
  );
  console.log(
    `  n-grams kept (df >= ${options.minDf}): ${artifact.ngrams.words.buckets.length} word, ${artifact.ngrams.chars.buckets.length} char`,
  );
  console.log(
    `  training accuracy: ${(correct / data.length).toFixed(4)} (in-sample; npm run eval:classifier prints held-out figures)`,
  );
  console.log(`wrote ${out}`);
  console.log(`wrote ${exemplarsOut}`);
}

/** Up to {@link EXEMPLARS_PER_KIND} prompts per kind and label, chosen by the seeded PRNG. */
function exemplars(rows: readonly LabeledPrompt[], seed: number) {
  const random = prng(seed);
  const groups = new Map<string, LabeledPrompt[]>();
  for (const r of rows) {
    if (!r.label) continue;
    const key = `${r.kind}/${r.label}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const picked = [...groups.keys()]
    .sort()
    .flatMap((key) => shuffled(groups.get(key) ?? [], random).slice(0, EXEMPLARS_PER_KIND));
  return {
    format: 'tiergate-semantic-exemplars',
    version: 1,
    exemplars: picked.map((r) => ({
      kind: r.kind,
      label: r.label,
      text: r.prompt.slice(0, EXEMPLAR_CHARS),
    })),
  };
}

/** One key per line at the top, arrays of numbers on one line each: small diffs, small file. */
function formatArtifact(artifact: object): string {
  return `${JSON.stringify(artifact, (_key, value: unknown) => value, 1).replace(
    /\[\n\s+([-\d.e,\n\s]+?)\n\s+\]/g,
    (_m, body: string) => `[${body.replace(/\s+/g, '')}]`,
  )}\n`;
}

main();
