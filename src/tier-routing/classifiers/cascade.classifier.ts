import { Inject, Injectable, Logger } from '@nestjs/common';
import type {
  ClassifierName,
  RoutingConfig,
  TierName,
} from '../../config/gateway-config.interface';
import { CLASSIFIERS_CONFIG, type ClassifiersSlice } from './classifiers.config';
import { ClassifierMessages } from './classifiers.messages';
import {
  analyseConversation,
  FEATURE_LIMITS,
  type ConversationAnalysis,
  type NgramWeights,
} from './features';
import { LearnedClassifier } from './learned.classifier';
import { RulesClassifier } from './rules.classifier';
import type { ScoringClassifier, StepExplanation } from './scoring-classifier';
import { SemanticClassifier } from './semantic.classifier';
import type {
  ClassificationInput,
  ClassificationScope,
  TierClassifier,
  TierVerdict,
} from './tier-classifier.interface';
import type { FeatureContribution } from './tier-score';

/** Which step decided, for metrics: `hint`, a classifier's name, or `default`. */
export type DecisionStep = 'hint' | ClassifierName | 'default';

/** The full decision for `POST /v1/route`: what the router would do, and why, step by step. */
export interface RouteExplanation {
  tier: TierName;
  /** The `x-gateway-route-reason` token. */
  reason: string;
  score: number | null;
  thinkingThreshold: number;
  steps: StepExplanation[];
  /** Every feature's contribution (logit units) of the deciding scoring step, or of the first one. */
  features: FeatureContribution[];
  /** The heaviest n-grams of the learned model, when it ran. */
  ngrams?: { gram: string; contribution: number }[];
  conversation: {
    latestChars: number;
    examinedChars: number;
    userTurns: number;
    followUp: boolean;
    priorReasoning: boolean;
    toolsDeclared: number;
    toolResults: number;
    systemChars: number;
  };
}

const INSTANT_EFFORTS: ReadonlySet<string> = new Set(['none', 'minimal', 'low']);
const THINKING_EFFORTS: ReadonlySet<string> = new Set(['medium', 'high']);

/** The `reasoning_effort` hint (docs/api.md §4), or null when the request gives none. */
export function reasoningEffortVerdict(effort: string | null | undefined): TierVerdict | null {
  if (!effort) return null;
  if (INSTANT_EFFORTS.has(effort))
    return { tier: 'instant', reason: 'hint:reasoning_effort', score: 1 };
  if (THINKING_EFFORTS.has(effort))
    return { tier: 'thinking', reason: 'hint:reasoning_effort', score: 1 };
  return null;
}

type Step =
  | { kind: 'scoring'; name: ClassifierName; classifier: ScoringClassifier }
  | { kind: 'semantic'; name: 'semantic'; classifier: SemanticClassifier };

/**
 * The classifier bound to `TIER_CLASSIFIER` (the explicit model is the router's, before it):
 * `reasoning_effort` hint → the classifiers of `routing.classifiers` in order, each answering
 * only when its confidence reaches its `minConfidence` → `routing.defaultTier` (`default`).
 *
 * Synchronous steps answer synchronously; the call returns a promise only when the `semantic`
 * step has to wait for the embeddings pool. Every decision is told to {@link onDecision}, when set;
 * the gateway's decision counter is the router's (`tiergate_route_decisions_total`).
 *
 * @example
 * ```ts
 * const verdict = await cascade.classify({ messages, reasoningEffort: 'high' });
 * // { tier: 'thinking', reason: 'hint:reasoning_effort', score: 1 }
 * ```
 */
@Injectable()
export class CascadeClassifier implements TierClassifier {
  readonly name = 'cascade';
  /** Called after each decision (by tier and deciding step); must not throw. */
  onDecision?: (tier: TierName, step: DecisionStep) => void;

  private readonly routing: RoutingConfig;
  private readonly steps: Step[];
  private readonly fallback: TierVerdict;
  /** The learned model's n-gram weights when it is a step: the analysis scores them in its scan. */
  private readonly weights?: NgramWeights;

  constructor(
    @Inject(CLASSIFIERS_CONFIG.token) config: ClassifiersSlice,
    rules: RulesClassifier,
    learned: LearnedClassifier,
    semantic: SemanticClassifier,
  ) {
    this.routing = config.routing;
    this.fallback = { tier: this.routing.defaultTier, reason: 'default' };
    this.steps = this.routing.classifiers.map((name): Step => {
      switch (name) {
        case 'rules':
          return { kind: 'scoring', name, classifier: rules };
        case 'learned':
          return { kind: 'scoring', name, classifier: learned };
        case 'semantic':
          return { kind: 'semantic', name, classifier: semantic };
        default:
          throw new Error(ClassifierMessages.unknownStep(String(name)));
      }
    });
    this.weights = this.routing.classifiers.includes('learned') ? learned.ngramWeights : undefined;
    new Logger('TierClassifier').log(
      ClassifierMessages.cascadeOrder(this.routing.classifiers, this.routing.thinkingThreshold),
    );
  }

  classify(input: ClassificationInput): TierVerdict | Promise<TierVerdict> {
    const hint = reasoningEffortVerdict(input.reasoningEffort);
    if (hint) return this.record(hint, 'hint');
    if (this.steps.length === 0) return this.record({ ...this.fallback }, 'default');
    return this.runFrom(0, analyseConversation(input, this.weights), input);
  }

  /**
   * The full decision, without calling any chat model and without counting it: every step's
   * verdict or abstention, score and contributions. Steps after the deciding one are still read
   * (status `not_reached`) so the operator sees what they would have said; the `semantic` step
   * is only asked (an embeddings call) when the decision reaches it.
   */
  async explain(input: ClassificationInput): Promise<RouteExplanation> {
    const analysis = analyseConversation(input, this.weights);
    const steps: StepExplanation[] = [];
    let decided: { verdict: TierVerdict; explanation?: StepExplanation } | null = null;

    const hint = reasoningEffortVerdict(input.reasoningEffort);
    steps.push(
      hint
        ? { step: 'hint:reasoning_effort', status: 'decided', tier: hint.tier, score: 1 }
        : { step: 'hint:reasoning_effort', status: 'abstained', note: 'no reasoning_effort hint' },
    );
    if (hint) decided = { verdict: hint };

    for (const step of this.steps) {
      let explanation: StepExplanation;
      if (step.kind === 'semantic') {
        explanation = decided
          ? {
              step: 'classifier:semantic',
              status: 'not_reached',
              note: 'not asked: an earlier step decided',
            }
          : await step.classifier.explainAnalysis(analysis, input);
      } else {
        explanation = step.classifier.explainAnalysis(analysis);
      }
      if (explanation.status === 'decided' && decided)
        explanation = { ...explanation, status: 'not_reached' };
      if (explanation.status === 'decided' && !decided && explanation.tier) {
        const score = explanation.score ?? 0;
        decided = {
          verdict: {
            tier: explanation.tier,
            reason: `${explanation.step}:${score.toFixed(2)}`,
            score,
          },
          explanation,
        };
      }
      steps.push(explanation);
    }
    steps.push(
      decided
        ? { step: 'default', status: 'not_reached', tier: this.fallback.tier }
        : { step: 'default', status: 'decided', tier: this.fallback.tier },
    );
    const verdict = decided?.verdict ?? this.fallback;
    const featureSource = decided?.explanation?.features
      ? decided.explanation
      : steps.find((s) => s.features && s.step !== 'classifier:semantic');
    const learnedStep = steps.find((s) => s.step === 'classifier:learned');
    const view = analysis.view;
    return {
      tier: verdict.tier,
      reason: verdict.reason,
      score: verdict.score ?? null,
      thinkingThreshold: this.routing.thinkingThreshold,
      steps,
      features: featureSource?.features ?? [],
      ...(learnedStep?.ngrams ? { ngrams: learnedStep.ngrams } : {}),
      conversation: {
        latestChars: view.latestLength,
        examinedChars: Math.min(
          view.latest.length,
          FEATURE_LIMITS.latestHead + FEATURE_LIMITS.latestTail + 2,
        ),
        userTurns: view.userTurns,
        followUp: analysis.followUp,
        priorReasoning: view.priorReasoning,
        toolsDeclared: view.toolsDeclared,
        toolResults: view.toolResults,
        systemChars: view.system.length,
      },
    };
  }

  private runFrom(
    index: number,
    analysis: ConversationAnalysis,
    scope: ClassificationScope,
  ): TierVerdict | Promise<TierVerdict> {
    for (let i = index; i < this.steps.length; i++) {
      const step = this.steps[i];
      if (step.kind === 'semantic') {
        return step.classifier
          .classifyAnalysis(analysis, scope)
          .catch(() => null)
          .then((verdict) =>
            verdict ? this.record(verdict, step.name) : this.runFrom(i + 1, analysis, scope),
          );
      }
      const verdict = step.classifier.classifyAnalysis(analysis);
      if (verdict) return this.record(verdict, step.name);
    }
    return this.record({ ...this.fallback }, 'default');
  }

  private record(verdict: TierVerdict, step: DecisionStep): TierVerdict {
    this.onDecision?.(verdict.tier, step);
    return verdict;
  }
}
