import type { TierName } from '../../config/gateway-config.interface';
import { CONTEXT_FEATURES, type ConversationAnalysis, type ContextFeature } from './features';

/** One feature's part in a decision, in logit units (positive pushes towards thinking). */
export interface FeatureContribution {
  name: string;
  value: number;
  contribution: number;
}

/** A scoring classifier's full reading of a request. */
export interface StepScore {
  /** P(thinking) for the whole conversation: what the threshold is applied to. */
  probability: number;
  /** P(thinking) of the latest user turn alone. */
  latestProbability: number;
  /** Every feature's contribution (filled by `explain`, empty on the fast path). */
  contributions: readonly FeatureContribution[];
}

/**
 * Weights of the conversation context, in logit units, the same for every scoring classifier.
 * They are priors, not fitted: the training data are single turns. A system prompt that asks
 * for proofs or code pushes towards thinking; one that asks for translation or summaries pushes
 * towards instant; declared tools and tool results (an agent at work) push a little towards
 * thinking. Depth alone decides nothing; follow-ups are handled by carry-over below.
 */
export const CONTEXT_WEIGHTS: Readonly<Record<ContextFeature, number>> = {
  'context.system_reasoning': 1.2,
  'context.system_direct': -1.0,
  'context.tools': 0.3,
  'context.tool_results': 0.3,
  'context.depth': 0,
  'context.prior_reasoning': 0,
  'context.follow_up': 0,
};

/**
 * {@link CONTEXT_WEIGHTS} in {@link CONTEXT_FEATURES} order: read by index on every decision, where
 * a lookup by feature name is a megamorphic keyed load (about 900 instructions a decision, issue
 * 17 (f)).
 */
const CONTEXT_WEIGHT_VALUES = Float64Array.from(CONTEXT_FEATURES, (name) => CONTEXT_WEIGHTS[name]);
/**
 * Their number as this module's constant: `CONTEXT_FEATURES` comes through the `features` barrel,
 * whose re-exports compile (CommonJS) to getters, so the loop's bound was a getter call per turn.
 */
const CONTEXT_COUNT = CONTEXT_WEIGHT_VALUES.length;

/** P(thinking) of earlier turns when a thinking model answered them (it left reasoning text). */
export const PRIOR_REASONING_PROBABILITY = 0.8;

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
export const logit = (p: number): number => {
  const q = Math.min(1 - 1e-9, Math.max(1e-9, p));
  return Math.log(q / (1 - q));
};

/** Rounds for headers and explanations: scores carry two decimals, contributions four. */
export const round2 = (x: number): number => Math.round(x * 100) / 100;
export const round4 = (x: number): number => Math.round(x * 10000) / 10000;

/**
 * Applies the conversation to a latest-turn logit: the context weights, then carry-over — a
 * short follow-up ("why?", "and for n=5?") is at least as hard as the earlier turns it follows.
 *
 * @param priorProbabilities P(thinking) of the earlier user turns by the same classifier; only
 *   asked for when the latest turn is a follow-up.
 */
export function applyContext(
  latestLogit: number,
  analysis: ConversationAnalysis,
  priorProbabilities: (analysis: ConversationAnalysis) => readonly number[],
  contributions?: FeatureContribution[],
): StepScore {
  let z = latestLogit;
  for (let i = 0; i < CONTEXT_COUNT; i++) {
    const w = CONTEXT_WEIGHT_VALUES[i];
    const x = analysis.context[i];
    if (w !== 0 && x !== 0) z += w * x;
    if (contributions && CONTEXT_FEATURES[i] !== 'context.follow_up') {
      contributions.push({ name: CONTEXT_FEATURES[i], value: x, contribution: w * x });
    }
  }
  const turnProbability = sigmoid(z);
  let probability = turnProbability;
  if (analysis.followUp) {
    let prior = analysis.view.priorReasoning ? PRIOR_REASONING_PROBABILITY : 0;
    for (const p of priorProbabilities(analysis)) prior = Math.max(prior, p);
    probability = Math.max(turnProbability, prior);
  }
  contributions?.push({
    name: 'context.follow_up',
    value: analysis.followUp ? 1 : 0,
    contribution: logit(probability) - logit(turnProbability),
  });
  return {
    probability,
    // Without context (most requests) the latest turn's logit is the whole one, computed above.
    latestProbability: z === latestLogit ? turnProbability : sigmoid(latestLogit),
    contributions: contributions ?? NO_CONTRIBUTIONS,
  };
}

/** The fast path's empty contributions, shared (an empty array per decision is garbage). */
const NO_CONTRIBUTIONS: readonly FeatureContribution[] = Object.freeze([]);

/**
 * The tier a probability points to under a threshold, and the confidence in it: 0.5 at the
 * threshold, 1 at either end, linear in between. At threshold 0.5 it is max(p, 1 − p).
 */
export function decide(
  probability: number,
  threshold: number,
): { tier: TierName; confidence: number } {
  return {
    tier: probability >= threshold ? 'thinking' : 'instant',
    confidence: confidenceOf(probability, threshold),
  };
}

/** The confidence of {@link decide} alone, for the fast path (no result object). */
export function confidenceOf(probability: number, threshold: number): number {
  if (probability >= threshold) {
    const span = 1 - threshold;
    return span > 0 ? 0.5 + (0.5 * (probability - threshold)) / span : 1;
  }
  return threshold > 0 ? 0.5 + (0.5 * (threshold - probability)) / threshold : 1;
}
