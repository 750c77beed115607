import { Inject, Injectable, Optional } from '@nestjs/common';
import { CLASSIFIERS_CONFIG, type ClassifiersSlice } from './classifiers.config';
import { LEARNED_MODEL_ARTIFACT } from './classifiers.constants';
import {
  analyseText,
  type ConversationAnalysis,
  type NgramWeights,
  type TextFeatures,
} from './features';
import { LearnedScorer, type LearnedModelArtifact } from './learned-model';
import committedModel from './model/learned-tier-model.v1.json';
import { ScoringClassifier, type StepExplanation } from './scoring-classifier';
import type { FeatureContribution } from './tier-score';

/** The artifact committed with this build (`npm run train:classifier` writes it). */
export const COMMITTED_LEARNED_MODEL = committedModel as unknown as LearnedModelArtifact;

/**
 * `learned`: logistic regression over hashed word and character n-grams plus the rule features,
 * trained offline and loaded once at start-up (a stale or malformed artifact stops the boot).
 *
 * @example
 * ```ts
 * learned.classify({ messages: [{ role: 'user', content: 'Translate "good night" into Spanish.' }] });
 * // { tier: 'instant', reason: 'classifier:learned:0.97', score: 0.97, detail: [...] }
 * ```
 */
@Injectable()
export class LearnedClassifier extends ScoringClassifier {
  readonly name = 'learned' as const;
  readonly scorer: LearnedScorer;

  constructor(
    @Inject(CLASSIFIERS_CONFIG.token) config: ClassifiersSlice,
    @Optional() @Inject(LEARNED_MODEL_ARTIFACT) artifact?: LearnedModelArtifact,
  ) {
    super(config.routing);
    this.scorer = new LearnedScorer(artifact ?? COMMITTED_LEARNED_MODEL);
  }

  /** Version and training summary of the loaded artifact. */
  get modelInfo(): { version: number; featureSpec: string; training: Record<string, unknown> } {
    const a = this.scorer.artifact;
    return { version: a.version, featureSpec: a.featureSpec.version, training: a.training };
  }

  override get ngramWeights(): NgramWeights {
    return this.scorer.weights;
  }

  turnLogit(turn: TextFeatures): number {
    return this.scorer.logit(turn);
  }

  turnContributions(turn: TextFeatures): FeatureContribution[] {
    return this.scorer.contributions(turn);
  }

  protected get denseWeights(): Float64Array {
    return this.scorer.dense;
  }

  protected override extraContributions(turn: TextFeatures): FeatureContribution[] {
    const ng = this.scorer.ngramDots(turn);
    return [
      { name: 'ngrams.words', value: 1, contribution: ng.words },
      { name: 'ngrams.chars', value: 1, contribution: ng.chars },
    ];
  }

  /** Adds the n-grams that weigh most, named by their text. */
  override explainAnalysis(analysis: ConversationAnalysis): StepExplanation {
    const explanation = super.explainAnalysis(analysis);
    const trace = new Map<number, string>();
    const traced = analyseText(analysis.view.latest, {
      length: analysis.view.latestLength,
      ngrams: true,
      trace,
    });
    return { ...explanation, ngrams: this.scorer.topNgrams(traced, trace) };
  }
}
