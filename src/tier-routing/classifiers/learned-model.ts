import {
  CONTENT_FEATURES,
  FEATURE_LIMITS,
  FEATURE_SPEC_VERSION,
  HASH_BITS,
  HASH_BUCKETS,
  dotSparse,
  type NgramWeights,
  type SparseVector,
  type TextFeatures,
} from './features';
import { ClassifierMessages } from './classifiers.messages';
import { round4, type FeatureContribution } from './tier-score';

export const LEARNED_MODEL_FORMAT = 'tiergate-learned-tier-model';

/**
 * The committed artifact of `npm run train:classifier`: a logistic regression over hashed word
 * and character n-grams plus the rule features, with what it was trained on.
 */
export interface LearnedModelArtifact {
  format: typeof LEARNED_MODEL_FORMAT;
  /** Version of the artifact; the file name carries it too (`learned-tier-model.v1.json`). */
  version: number;
  featureSpec: {
    version: string;
    hash: string;
    hashBits: number;
    wordNgrams: number[];
    charNgrams: number[];
    limits: Record<string, number>;
    contentFeatures: string[];
  };
  bias: number;
  /** Weight of each rule feature, by name. */
  dense: Record<string, number>;
  /** Weights of the hashed n-grams kept by training (others are zero). */
  ngrams: {
    words: { buckets: number[]; weights: number[] };
    chars: { buckets: number[]; weights: number[] };
  };
  training: Record<string, unknown>;
}

/** Describes the features this build computes, for the artifact and its load-time check. */
export function currentFeatureSpec(): LearnedModelArtifact['featureSpec'] {
  return {
    version: FEATURE_SPEC_VERSION,
    hash: 'fnv1a32+murmur3-fmix, fixed seeds',
    hashBits: HASH_BITS,
    wordNgrams: [1, 2],
    charNgrams: [3],
    limits: { ...FEATURE_LIMITS },
    contentFeatures: [...CONTENT_FEATURES],
  };
}

/** Top n-grams of an explanation, with the text that hashed to each bucket. */
export interface NgramContribution {
  gram: string;
  contribution: number;
}

/** A loaded model: weights in dense tables, so scoring is one lookup per n-gram. */
export class LearnedScorer {
  readonly bias: number;
  readonly dense: Float64Array;
  /** The n-gram weight tables, for scoring during the feature scan. */
  readonly weights: NgramWeights = {
    words: new Float32Array(HASH_BUCKETS),
    chars: new Float32Array(HASH_BUCKETS),
  };

  constructor(readonly artifact: LearnedModelArtifact) {
    const problem = validateArtifact(artifact);
    if (problem) throw new Error(ClassifierMessages.badArtifact(problem));
    this.bias = artifact.bias;
    this.dense = Float64Array.from(CONTENT_FEATURES, (name) => artifact.dense[name] ?? 0);
    fill(this.weights.words, artifact.ngrams.words);
    fill(this.weights.chars, artifact.ngrams.chars);
  }

  /** The n-gram groups' contributions: scored during the scan, or over the built vectors. */
  ngramDots(f: TextFeatures): { words: number; chars: number } {
    const s = f.ngramScore;
    if (s && s.weights === this.weights) return s;
    return {
      words: dotSparse(this.weights.words, f.words),
      chars: dotSparse(this.weights.chars, f.chars),
    };
  }

  /** The logit of P(thinking) for one text. */
  logit(f: TextFeatures): number {
    const ng = this.ngramDots(f);
    let z = this.bias + ng.words + ng.chars;
    const v = f.values;
    for (let i = 0; i < v.length; i++) z += this.dense[i] * v[i];
    return z;
  }

  /** Every rule feature's contribution, the n-gram groups' sums and the bias. */
  contributions(f: TextFeatures): FeatureContribution[] {
    const out: FeatureContribution[] = [{ name: 'bias', value: 1, contribution: this.bias }];
    for (let i = 0; i < CONTENT_FEATURES.length; i++) {
      out.push({
        name: CONTENT_FEATURES[i],
        value: f.values[i],
        contribution: this.dense[i] * f.values[i],
      });
    }
    const ng = this.ngramDots(f);
    out.push({ name: 'ngrams.words', value: 1, contribution: ng.words });
    out.push({ name: 'ngrams.chars', value: 1, contribution: ng.chars });
    return out;
  }

  /** The n-grams that weigh most, by absolute contribution, named by `trace`. */
  topNgrams(f: TextFeatures, trace: Map<number, string>, count = 12): NgramContribution[] {
    const all: NgramContribution[] = [];
    const add = (table: Float32Array, vector: SparseVector): void => {
      for (let i = 0; i < vector.buckets.length; i++) {
        const c = table[vector.buckets[i]] * vector.values[i];
        if (c !== 0)
          all.push({
            gram: trace.get(vector.buckets[i]) ?? `#${vector.buckets[i]}`,
            contribution: c,
          });
      }
    };
    add(this.weights.words, f.words);
    add(this.weights.chars, f.chars);
    all.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
    return all.slice(0, count).map((g) => ({ gram: g.gram, contribution: round4(g.contribution) }));
  }
}

function fill(table: Float32Array, sparse: { buckets: number[]; weights: number[] }): void {
  for (let i = 0; i < sparse.buckets.length; i++) table[sparse.buckets[i]] = sparse.weights[i];
}

/** Why an artifact cannot be used with this build, or null. */
export function validateArtifact(a: LearnedModelArtifact): string | null {
  if (!a || a.format !== LEARNED_MODEL_FORMAT) return `format is not '${LEARNED_MODEL_FORMAT}'`;
  if (a.featureSpec?.version !== FEATURE_SPEC_VERSION) {
    return `feature spec '${a.featureSpec?.version}' differs from this build's '${FEATURE_SPEC_VERSION}'; retrain`;
  }
  if (a.featureSpec.hashBits !== HASH_BITS)
    return `hash space 2^${a.featureSpec.hashBits} differs from 2^${HASH_BITS}`;
  if (a.featureSpec.contentFeatures.join() !== CONTENT_FEATURES.join())
    return 'rule features differ; retrain';
  for (const group of [a.ngrams?.words, a.ngrams?.chars]) {
    if (!group || group.buckets.length !== group.weights.length)
      return 'n-gram buckets and weights differ in length';
    if (group.buckets.some((b) => !Number.isInteger(b) || b < 0 || b >= HASH_BUCKETS))
      return 'n-gram bucket out of range';
  }
  if (!Number.isFinite(a.bias)) return 'bias is not a number';
  return null;
}
