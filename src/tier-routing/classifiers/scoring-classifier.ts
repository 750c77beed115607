import type {
  ClassifierName,
  RoutingConfig,
  TierName,
} from '../../config/gateway-config.interface';
import {
  CONTENT_FEATURES,
  analyseConversation,
  type ConversationAnalysis,
  type NgramWeights,
  type TextFeatures,
} from './features';
import type { ClassificationInput, TierClassifier, TierVerdict } from './tier-classifier.interface';
import {
  applyContext,
  confidenceOf,
  decide,
  logit,
  round2,
  round4,
  sigmoid,
  type FeatureContribution,
  type StepScore,
} from './tier-score';

/** A step's full reading of a request, for `POST /v1/route`. */
export interface StepExplanation {
  step: string;
  /** `decided`, `abstained` (confidence under the step's minimum), or `unavailable`. */
  status: 'decided' | 'abstained' | 'unavailable' | 'not_reached';
  tier?: 'instant' | 'thinking';
  /** Confidence in `tier`, 0..1. */
  score?: number;
  /** P(thinking) of the conversation, before the threshold. */
  probability?: number;
  /** P(thinking) of the latest user turn alone. */
  latestProbability?: number;
  minConfidence?: number;
  /** The strongest contributors, e.g. `cue_proof:+2.00`. */
  detail?: string[];
  features?: FeatureContribution[];
  ngrams?: { gram: string; contribution: number }[];
  note?: string;
}

/** Minimum confidence of a step that `routing.steps` does not mention. */
export const DEFAULT_MIN_CONFIDENCE = 0.6;

/**
 * A classifier that scores P(thinking) as a logit over the conversation's features, applies the
 * conversation context and the thinking threshold, and abstains when unsure.
 */
export abstract class ScoringClassifier implements TierClassifier {
  abstract readonly name: ClassifierName;
  protected readonly threshold: number;
  private readonly routing: RoutingConfig;

  protected constructor(routing: RoutingConfig) {
    this.routing = routing;
    this.threshold = routing.thinkingThreshold;
  }

  /** The minimum confidence at which this step answers (`routing.steps[name].minConfidence`). */
  get minConfidence(): number {
    return this.routing.steps[this.name]?.minConfidence ?? DEFAULT_MIN_CONFIDENCE;
  }

  /** The logit of P(thinking) of one user turn. */
  abstract turnLogit(turn: TextFeatures): number;

  /** Every feature's contribution to {@link turnLogit}, bias included. */
  abstract turnContributions(turn: TextFeatures): FeatureContribution[];

  /** Weight of each rule feature (in `CONTENT_FEATURES` order). */
  protected abstract readonly denseWeights: Float64Array;

  /** Contributions beyond the rule features and the bias (the learned model's n-gram groups). */
  protected extraContributions(_turn: TextFeatures): readonly FeatureContribution[] {
    return NO_CONTRIBUTIONS;
  }

  /** The three strongest contributors of a turn, found without building every contribution. */
  protected detailOf(turn: TextFeatures, context = 0): string[] {
    const top: { name: string; contribution: number }[] = [];
    const consider = (name: string, contribution: number): void => {
      const size = Math.abs(contribution);
      if (size < 0.005) return;
      if (top.length === DETAIL_COUNT && size <= Math.abs(top[DETAIL_COUNT - 1].contribution))
        return;
      let at = top.length;
      while (at > 0 && Math.abs(top[at - 1].contribution) < size) at--;
      top.splice(at, 0, { name, contribution });
      if (top.length > DETAIL_COUNT) top.pop();
    };
    const w = this.denseWeights;
    const v = turn.values;
    for (let i = 0; i < v.length; i++)
      if (v[i] !== 0 && w[i] !== 0) consider(CONTENT_FEATURES[i], w[i] * v[i]);
    for (const c of this.extraContributions(turn)) consider(c.name, c.contribution);
    // What the rest of the conversation added (system prompt, tools, a follow-up's carry-over).
    consider('context', context);
    return top.map(formatContributor);
  }

  /** N-gram weights the conversation's analysis must score (the learned model's), if any. */
  get ngramWeights(): NgramWeights | undefined {
    return undefined;
  }

  classify(input: ClassificationInput): TierVerdict | null {
    return this.classifyAnalysis(analyseConversation(input, this.ngramWeights));
  }

  /** P(thinking) of the whole conversation. */
  score(analysis: ConversationAnalysis): StepScore {
    return applyContext(this.turnLogit(analysis.latest), analysis, this.priorProbabilities);
  }

  /** Bound once, so that scoring passes no new closure per request. */
  private readonly priorProbabilities = (analysis: ConversationAnalysis): number[] =>
    analysis.prior().map((turn) => sigmoid(this.turnLogit(turn)));

  /** The verdict, with the strongest contributors of the latest turn as its `detail`. */
  classifyAnalysis(analysis: ConversationAnalysis): TierVerdict | null {
    const scored = this.score(analysis);
    const confidence = confidenceOf(scored.probability, this.threshold);
    if (confidence < this.minConfidence) return null;
    const tier: TierName = scored.probability >= this.threshold ? 'thinking' : 'instant';
    const score = round2(confidence);
    return new ScoredVerdict(
      tier,
      this.reasonOf(score),
      score,
      this,
      analysis.latest,
      scored.probability,
      scored.latestProbability,
    );
  }

  /** `classifier:learned:0.97`: the reasons of every two-decimal score, made on first use. */
  private reasonOf(score: number): string {
    const reasons = (this.reasons ??= new Map<number, string>());
    let reason = reasons.get(score);
    if (reason === undefined) {
      reason = `classifier:${this.name}:${score.toFixed(2)}`;
      reasons.set(score, reason);
    }
    return reason;
  }
  private reasons?: Map<number, string>;

  /** The detail of a verdict: the strongest contributors, and what the context added. */
  detailFor(turn: TextFeatures, context: number): string[] {
    return this.detailOf(turn, context);
  }

  /** The full reading: probability, verdict or abstention, and every contribution. */
  explainAnalysis(analysis: ConversationAnalysis): StepExplanation {
    const contributions = this.turnContributions(analysis.latest);
    const turnLogit = contributions.reduce((s, c) => s + c.contribution, 0);
    const scored = applyContext(
      turnLogit,
      analysis,
      () => this.priorProbabilities(analysis),
      contributions,
    );
    const { tier, confidence } = decide(scored.probability, this.threshold);
    const features = scored.contributions.map((c) => ({
      name: c.name,
      value: round4(c.value),
      contribution: round4(c.contribution),
    }));
    return {
      step: `classifier:${this.name}`,
      status: confidence >= this.minConfidence ? 'decided' : 'abstained',
      tier,
      score: round2(confidence),
      probability: round4(scored.probability),
      latestProbability: round4(scored.latestProbability),
      minConfidence: this.minConfidence,
      detail: strongest(scored.contributions),
      features,
    };
  }
}

/**
 * A scoring step's verdict. Its `detail` is worked out when first read (logs, debugging), not on
 * every request: formatting the contributors would be most of the garbage a decision leaves.
 */
class ScoredVerdict implements TierVerdict {
  private cached?: readonly string[];

  constructor(
    readonly tier: TierName,
    readonly reason: string,
    readonly score: number,
    // What `detail` is worked out from, kept as fields rather than captured by a closure.
    private readonly step: ScoringClassifier,
    private readonly turn: TextFeatures,
    // The context's part (a difference of logits) is worked out with the detail, too.
    private readonly probability: number,
    private readonly latestProbability: number,
  ) {}

  get detail(): readonly string[] {
    return (this.cached ??= this.step.detailFor(
      this.turn,
      logit(this.probability) - logit(this.latestProbability),
    ));
  }

  toJSON(): TierVerdict {
    return { tier: this.tier, reason: this.reason, score: this.score, detail: this.detail };
  }
}

const DETAIL_COUNT = 3;
const NO_CONTRIBUTIONS: readonly FeatureContribution[] = [];

const formatContributor = (c: { name: string; contribution: number }): string =>
  `${c.name}:${c.contribution >= 0 ? '+' : ''}${c.contribution.toFixed(2)}`;

/** The strongest contributors by absolute size, bias and zeros left out: `name:+1.23`. */
export function strongest(
  contributions: readonly FeatureContribution[],
  count = DETAIL_COUNT,
): string[] {
  return contributions
    .filter((c) => c.name !== 'bias' && Math.abs(c.contribution) >= 0.005)
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
    .slice(0, count)
    .map(formatContributor);
}
