/**
 * Offline training of the learned tier model: regularised logistic regression fitted with
 * L-BFGS on the full batch. Deterministic by construction: a fixed hash function, a fixed
 * iteration budget, examples in file order, and a seeded PRNG for everything that shuffles
 * (cross-validation folds).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ChatMessage } from '../../src/common/openai/chat.types';
import type { TierName } from '../../src/config/gateway-config.interface';
import {
  CONTENT_FEATURES,
  analyseConversation,
  analyseText,
  type TextFeatures,
} from '../../src/tier-routing/classifiers/features';
import type { ClassificationInput } from '../../src/tier-routing/classifiers/tier-classifier.interface';
import {
  LEARNED_MODEL_FORMAT,
  currentFeatureSpec,
  type LearnedModelArtifact,
} from '../../src/tier-routing/classifiers/learned-model';
import { RULE_WEIGHTS } from '../../src/tier-routing/classifiers/rules.classifier';

export interface LabeledPrompt {
  id: string;
  prompt: string;
  /** When the file gives a conversation instead of a single prompt. */
  messages?: ChatMessage[];
  /** Tools declared with the conversation (only their number is read). */
  tools?: ClassificationInput['tools'];
  label?: TierName;
  kind: string;
  /** Language code, when the file gives one (the corpus does; `unknown` otherwise). */
  lang: string;
  /** The template or source a row came from: held-out evaluation keeps a family together. */
  family: string;
}

/** The request a row stands for: its conversation (or its prompt as one user turn), its tools. */
export function inputOf(row: LabeledPrompt): ClassificationInput {
  return {
    messages: row.messages ?? [{ role: 'user', content: row.prompt }],
    ...(row.tools ? { tools: row.tools } : {}),
  };
}

/** Reads a JSONL file of `{prompt | messages, label?, kind?, id?}` rows. */
export function readJsonl(file: string): LabeledPrompt[] {
  const rows: LabeledPrompt[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const row = JSON.parse(line) as Record<string, unknown>;
    const messages = Array.isArray(row.messages) ? (row.messages as ChatMessage[]) : undefined;
    const prompt =
      typeof row.prompt === 'string'
        ? row.prompt
        : messages
          ? String([...messages].reverse().find((m) => m.role === 'user')?.content ?? '')
          : '';
    if (prompt === '' && !messages) throw new Error(`${file}:${i + 1}: no 'prompt' or 'messages'`);
    const label = row.label === 'instant' || row.label === 'thinking' ? row.label : undefined;
    rows.push({
      id: typeof row.id === 'string' ? row.id : `row-${i + 1}`,
      prompt,
      messages,
      label,
      kind: typeof row.kind === 'string' ? row.kind : 'unknown',
      lang: typeof row.lang === 'string' ? row.lang : 'unknown',
      family: typeof row.family === 'string' ? row.family : `row-${i + 1}`,
      ...(Array.isArray(row.tools) ? { tools: row.tools as LabeledPrompt['tools'] } : {}),
    });
  });
  return rows;
}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** mulberry32: a small, well-known 32-bit PRNG; the same seed gives the same sequence anywhere. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Fold of each row for k-fold cross-validation, stratified by label, seeded. */
export function stratifiedFolds(rows: readonly LabeledPrompt[], k: number, seed: number): number[] {
  const random = prng(seed);
  const folds = new Array<number>(rows.length).fill(0);
  for (const label of ['instant', 'thinking', undefined]) {
    const members = rows.map((r, i) => (r.label === label ? i : -1)).filter((i) => i >= 0);
    shuffled(members, random).forEach((row, j) => (folds[row] = j % k));
  }
  return folds;
}

export interface TrainOptions {
  /** L2 penalty on n-gram weights. */
  lambda: number;
  /**
   * L2 penalty pulling each rule-feature weight towards the expert's weight of the `rules`
   * classifier (a prior that carries the label definition), not towards zero.
   */
  denseLambda: number;
  /** An n-gram must occur in at least this many training prompts to get a weight. */
  minDf: number;
  maxIterations: number;
  seed: number;
  /**
   * Grouped folds of the inner cross-validation that calibrates the model (Platt scaling of
   * its logit on out-of-fold scores); 0 leaves the model uncalibrated.
   */
  calibrationFolds: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  lambda: 3e-4,
  denseLambda: 1e-2,
  minDf: 5,
  maxIterations: 300,
  seed: 20251120,
  calibrationFolds: 3,
};

export interface Featurised {
  row: LabeledPrompt;
  features: TextFeatures;
  y: number;
}

/**
 * The latest user turn's features of each labelled row, the examples of the turn model. A
 * follow-up ("why?", "and for n = 7?") is left out: its label comes from the turns it follows
 * (the conversation's carry-over applies it at decision time), not from its own words.
 */
export function featurise(rows: readonly LabeledPrompt[]): Featurised[] {
  const out: Featurised[] = [];
  for (const row of rows) {
    if (row.label === undefined) continue;
    const analysis = analyseConversation(inputOf(row));
    if (analysis.followUp) continue;
    out.push({
      row,
      features: analyseText(analysis.view.latest, { length: analysis.view.latestLength }),
      y: row.label === 'thinking' ? 1 : -1,
    });
  }
  return out;
}

/** Fold of each row for grouped k-fold: every row of a family lands in the same fold. */
export function groupFolds(
  rows: readonly LabeledPrompt[],
  k: number,
  seed: number,
  groupOf: (r: LabeledPrompt) => string = (r) => r.family,
): number[] {
  const groups = shuffled([...new Set(rows.map(groupOf))].sort(), prng(seed));
  const fold = new Map(groups.map((f, i) => [f, i % k]));
  return rows.map((r) => fold.get(groupOf(r)) ?? 0);
}

/** The family's idea across languages: `proof/fr/0` → `proof`. */
export const familyIdea = (r: LabeledPrompt): string => r.family.split('/')[0];

/**
 * Fits the model on `data` and returns the artifact (weights rounded to 6 decimals).
 *
 * With `calibrationFolds` > 0 the logit is then calibrated (Platt scaling, z' = a·z + b) on
 * out-of-fold scores of an inner cross-validation grouped by template family, so that the
 * calibration never sees a score of a model trained on the same template. The scaling is
 * folded into the weights (every weight times a, bias a·bias + b): the artifact's format and
 * the serving path do not change, and P(thinking) — hence each step's confidence and its
 * `min_confidence` abstention — means what it says on prompts the model did not see.
 */
export function trainLearned(
  data: readonly Featurised[],
  options: TrainOptions = DEFAULT_TRAIN_OPTIONS,
  training: Record<string, unknown> = {},
): LearnedModelArtifact {
  const raw = fitLearned(data, options, training);
  const k = options.calibrationFolds;
  const groups = new Set(data.map((d) => d.row.family)).size;
  if (k < 2 || groups < k) return raw;
  const folds = groupFolds(
    data.map((d) => d.row),
    k,
    options.seed + 1,
  );
  const z = new Float64Array(data.length);
  for (let f = 0; f < k; f++) {
    const inner = fitLearned(
      data.filter((_, i) => folds[i] !== f),
      options,
    );
    data.forEach((d, i) => {
      if (folds[i] === f) z[i] = rawLogit(inner, d.features);
    });
  }
  const { scale, shift } = plattScaling(
    z,
    data.map((d) => d.y),
  );
  return scaleArtifact(raw, scale, shift);
}

/** The uncalibrated logit of an artifact, straight from its weights (training-time only). */
function rawLogit(a: LearnedModelArtifact, f: TextFeatures): number {
  let z = a.bias;
  for (let i = 0; i < CONTENT_FEATURES.length; i++) z += a.dense[CONTENT_FEATURES[i]] * f.values[i];
  const dot = (g: { buckets: number[]; weights: number[] }, v: TextFeatures['words']): number => {
    let s = 0;
    let j = 0;
    // Both bucket lists are sorted ascending: a merge walk.
    const order = Array.from(v.buckets.keys()).sort((x, y) => v.buckets[x] - v.buckets[y]);
    for (const i of order) {
      const b = v.buckets[i];
      while (j < g.buckets.length && g.buckets[j] < b) j++;
      if (j < g.buckets.length && g.buckets[j] === b) s += g.weights[j] * v.values[i];
    }
    return s;
  };
  return z + dot(a.ngrams.words, f.words) + dot(a.ngrams.chars, f.chars);
}

/**
 * Platt scaling: the a, b minimising the log loss of sigmoid(a·z + b) against labels y ∈ {−1, 1},
 * by Newton's method on the two parameters (with Platt's smoothed targets against overfitting).
 */
export function plattScaling(
  z: ArrayLike<number>,
  y: readonly number[],
): { scale: number; shift: number } {
  const positives = y.filter((v) => v > 0).length;
  const negatives = y.length - positives;
  const hi = (positives + 1) / (positives + 2);
  const lo = 1 / (negatives + 2);
  let a = 1;
  let b = 0;
  for (let it = 0; it < 50; it++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-9;
    let hab = 0;
    let hbb = 1e-9;
    for (let i = 0; i < y.length; i++) {
      const t = y[i] > 0 ? hi : lo;
      const p = 1 / (1 + Math.exp(-(a * z[i] + b)));
      const d = p - t;
      const w = p * (1 - p);
      ga += d * z[i];
      gb += d;
      haa += w * z[i] * z[i];
      hab += w * z[i];
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (Math.abs(det) < 1e-12) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) < 1e-9 && Math.abs(db) < 1e-9) break;
  }
  return { scale: a, shift: b };
}

/** The artifact with its logit mapped to a·z + b, folded into the weights. */
function scaleArtifact(
  a: LearnedModelArtifact,
  scale: number,
  shift: number,
): LearnedModelArtifact {
  const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;
  const group = (g: { buckets: number[]; weights: number[] }) => ({
    buckets: g.buckets,
    weights: g.weights.map((w) => r6(w * scale)),
  });
  return {
    ...a,
    bias: r6(a.bias * scale + shift),
    dense: Object.fromEntries(Object.entries(a.dense).map(([k, w]) => [k, r6(w * scale)])),
    ngrams: { words: group(a.ngrams.words), chars: group(a.ngrams.chars) },
    training: {
      ...a.training,
      calibration: {
        method: 'Platt scaling on out-of-fold logits, inner CV grouped by template family',
        scale: r6(scale),
        shift: r6(shift),
      },
    },
  };
}

/** One fit of the regularised logistic regression, uncalibrated. */
function fitLearned(
  data: readonly Featurised[],
  options: TrainOptions,
  training: Record<string, unknown> = {},
): LearnedModelArtifact {
  const D = CONTENT_FEATURES.length;
  const wordIndex = activeBuckets(data, 'words', options.minDf);
  const charIndex = activeBuckets(data, 'chars', options.minDf);
  const wordBase = 1 + D;
  const charBase = wordBase + wordIndex.size;
  const P = charBase + charIndex.size;

  // Each example as (parameter index, value) pairs.
  const offsets = new Int32Array(data.length + 1);
  const idx: number[] = [];
  const val: number[] = [];
  data.forEach((d, n) => {
    idx.push(0);
    val.push(1);
    for (let i = 0; i < D; i++) {
      if (d.features.values[i] !== 0) {
        idx.push(1 + i);
        val.push(d.features.values[i]);
      }
    }
    const push = (
      buckets: Int32Array,
      values: Float32Array,
      index: Map<number, number>,
      base: number,
    ): void => {
      for (let i = 0; i < buckets.length; i++) {
        const j = index.get(buckets[i]);
        if (j !== undefined) {
          idx.push(base + j);
          val.push(values[i]);
        }
      }
    };
    push(d.features.words.buckets, d.features.words.values, wordIndex, wordBase);
    push(d.features.chars.buckets, d.features.chars.values, charIndex, charBase);
    offsets[n + 1] = idx.length;
  });
  const I = Int32Array.from(idx);
  const V = Float64Array.from(val);
  const penalty = new Float64Array(P);
  const prior = new Float64Array(P);
  for (let j = 1; j < P; j++) penalty[j] = j <= D ? options.denseLambda : options.lambda;
  for (let i = 0; i < D; i++) prior[1 + i] = RULE_WEIGHTS[CONTENT_FEATURES[i]];
  const N = data.length;

  const objective = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    for (let n = 0; n < N; n++) {
      let z = 0;
      for (let k = offsets[n]; k < offsets[n + 1]; k++) z += theta[I[k]] * V[k];
      const yz = data[n].y * z;
      loss += yz > 0 ? Math.log1p(Math.exp(-yz)) : -yz + Math.log1p(Math.exp(yz));
      const g = -data[n].y / (1 + Math.exp(yz)) / N;
      for (let k = offsets[n]; k < offsets[n + 1]; k++) grad[I[k]] += g * V[k];
    }
    loss /= N;
    for (let j = 1; j < P; j++) {
      const d = theta[j] - prior[j];
      loss += 0.5 * penalty[j] * d * d;
      grad[j] += penalty[j] * d;
    }
    return loss;
  };

  const start = Float64Array.from(prior);
  start[0] = RULE_WEIGHTS.bias;
  const { theta, iterations, loss } = lbfgs(objective, start, options.maxIterations);
  const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;
  const sparse = (index: Map<number, number>, base: number) => {
    const entries = [...index.entries()].sort((a, b) => a[0] - b[0]);
    return {
      buckets: entries.map(([b]) => b),
      weights: entries.map(([, j]) => r6(theta[base + j])),
    };
  };
  return {
    format: LEARNED_MODEL_FORMAT,
    version: 1,
    featureSpec: currentFeatureSpec(),
    bias: r6(theta[0]),
    dense: Object.fromEntries(CONTENT_FEATURES.map((name, i) => [name, r6(theta[1 + i])])),
    ngrams: { words: sparse(wordIndex, wordBase), chars: sparse(charIndex, charBase) },
    training: {
      ...training,
      examples: N,
      thinking: data.filter((d) => d.y > 0).length,
      options,
      optimizer: 'L-BFGS (m=10, Armijo backtracking), full batch',
      iterations,
      finalLoss: Math.round(loss * 1e6) / 1e6,
      activeNgrams: { words: wordIndex.size, chars: charIndex.size },
    },
  };
}

/** Buckets seen in at least `minDf` training prompts, each mapped to a parameter slot. */
function activeBuckets(
  data: readonly Featurised[],
  group: 'words' | 'chars',
  minDf: number,
): Map<number, number> {
  const df = new Map<number, number>();
  for (const d of data) for (const b of d.features[group].buckets) df.set(b, (df.get(b) ?? 0) + 1);
  const kept = [...df.entries()]
    .filter(([, n]) => n >= minDf)
    .map(([b]) => b)
    .sort((a, b) => a - b);
  return new Map(kept.map((b, j) => [b, j]));
}

/** Limited-memory BFGS with a backtracking (Armijo) line search. */
export function lbfgs(
  f: (x: Float64Array, g: Float64Array) => number,
  x0: Float64Array,
  maxIterations: number,
  memory = 10,
  tolerance = 1e-7,
): { theta: Float64Array; iterations: number; loss: number } {
  const P = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(P);
  let fx = f(x, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const dotp = (a: Float64Array, b: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < P; i++) s += a[i] * b[i];
    return s;
  };
  let it = 0;
  for (; it < maxIterations; it++) {
    if (Math.sqrt(dotp(g, g)) < tolerance) break;
    // Two-loop recursion: d = -H g.
    const q = Float64Array.from(g);
    const alpha: number[] = [];
    for (let i = S.length - 1; i >= 0; i--) {
      alpha[i] = rho[i] * dotp(S[i], q);
      for (let j = 0; j < P; j++) q[j] -= alpha[i] * Y[i][j];
    }
    const gamma =
      S.length > 0
        ? dotp(S[S.length - 1], Y[Y.length - 1]) / dotp(Y[Y.length - 1], Y[Y.length - 1])
        : 1;
    for (let j = 0; j < P; j++) q[j] *= gamma;
    for (let i = 0; i < S.length; i++) {
      const beta = rho[i] * dotp(Y[i], q);
      for (let j = 0; j < P; j++) q[j] += S[i][j] * (alpha[i] - beta);
    }
    for (let j = 0; j < P; j++) q[j] = -q[j];
    let slope = dotp(g, q);
    if (slope >= 0) {
      // Not a descent direction: restart from steepest descent.
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let j = 0; j < P; j++) q[j] = -g[j];
      slope = dotp(g, q);
    }
    let step = 1;
    const xn = new Float64Array(P);
    const gn = new Float64Array(P);
    let fn = 0;
    for (let tries = 0; tries < 40; tries++) {
      for (let j = 0; j < P; j++) xn[j] = x[j] + step * q[j];
      fn = f(xn, gn);
      if (fn <= fx + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    const s = new Float64Array(P);
    const y = new Float64Array(P);
    for (let j = 0; j < P; j++) {
      s[j] = xn[j] - x[j];
      y[j] = gn[j] - g[j];
    }
    const sy = dotp(s, y);
    if (sy > 1e-12) {
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
      if (S.length > memory) {
        S.shift();
        Y.shift();
        rho.shift();
      }
    }
    const improvement = fx - fn;
    x = xn;
    g = gn;
    fx = fn;
    if (improvement >= 0 && improvement < 1e-10) break;
  }
  return { theta: x, iterations: it, loss: fx };
}
