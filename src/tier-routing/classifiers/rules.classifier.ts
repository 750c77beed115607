import { Inject, Injectable } from '@nestjs/common';
import { CLASSIFIERS_CONFIG, type ClassifiersSlice } from './classifiers.config';
import { CONTENT_FEATURES, type ContentFeature, type TextFeatures } from './features';
import { ScoringClassifier } from './scoring-classifier';
import type { FeatureContribution } from './tier-score';

/**
 * The expert's weights, in logit units per unit of feature (features run 0..1; cue features
 * saturate: one hit is 0.5, two are 0.67). Written from the label definition, not fitted: what
 * makes a task multi-step (proofs, several quantities, code to write, constraints, deduction)
 * pushes towards thinking; what makes a direct answer enough (greeting, rewriting, reading a
 * given passage, a lookup, casual writing) pushes towards instant. Language and length by
 * themselves decide nothing, except that a long quoted passage means a reading task.
 */
export const RULE_WEIGHTS: Readonly<Record<ContentFeature | 'bias', number>> = {
  bias: -1.0,
  length: 0,
  short_prompt: -0.8,
  long_prompt: -0.8,
  passage: -3.0,
  lines: 0,
  sentences: 1.2,
  questions: 0.6,
  numbers: 3.0,
  few_numbers: -0.6,
  number_density: 0,
  numeric_question: 1.0,
  operators: 1.0,
  latex: 1.5,
  nesting: 2.0,
  code: 0.3,
  code_symbols: 0.5,
  code_spec: 2.0,
  code_spec_short: -1.5,
  code_examples: 0,
  code_question: 1.5,
  cue_proof: 4.5,
  cue_stepwise: 2.5,
  cue_math: 2.2,
  cue_ask: 2.0,
  cue_quantity: 1.2,
  cue_code_task: 3.2,
  cue_code: 0.8,
  cue_debug: 1.2,
  cue_design: 1.6,
  cue_constraints: 1.4,
  cue_logic: 3.2,
  cue_greeting: -3.0,
  cue_rewrite: -3.0,
  cue_extract: -2.5,
  cue_lookup: -1.5,
  cue_creative: -2.5,
  cue_roleplay: -1.5,
  cue_open: -1.5,
  cue_estimate: 1.5,
  nonlatin: 0,
  // A passage means a reading task unless the ask beside it asks for inference: this undoes it.
  material_reasoning: 3.0,
};

const WEIGHTS = Float64Array.from(CONTENT_FEATURES, (name) => RULE_WEIGHTS[name]);

/** The rules' logit for one user turn. */
export function rulesLogit(f: TextFeatures): number {
  let z = RULE_WEIGHTS.bias;
  const v = f.values;
  for (let i = 0; i < v.length; i++) z += WEIGHTS[i] * v[i];
  return z;
}

/**
 * `rules`: a weighted sum of explainable features of the conversation (see {@link RULE_WEIGHTS}
 * and `features.ts`). Its verdict's `detail` names the strongest contributors.
 *
 * @example
 * ```ts
 * rules.classify({ messages: [{ role: 'user', content: 'Prove that there are infinitely many primes.' }] });
 * // { tier: 'thinking', reason: 'classifier:rules:0.93', score: 0.93, detail: ['cue_proof:+3.00', …] }
 * ```
 */
@Injectable()
export class RulesClassifier extends ScoringClassifier {
  readonly name = 'rules' as const;
  protected readonly denseWeights = WEIGHTS;

  constructor(@Inject(CLASSIFIERS_CONFIG.token) config: ClassifiersSlice) {
    super(config.routing);
  }

  turnLogit(turn: TextFeatures): number {
    return rulesLogit(turn);
  }

  turnContributions(turn: TextFeatures): FeatureContribution[] {
    const out: FeatureContribution[] = [
      { name: 'bias', value: 1, contribution: RULE_WEIGHTS.bias },
    ];
    for (let i = 0; i < CONTENT_FEATURES.length; i++) {
      out.push({
        name: CONTENT_FEATURES[i],
        value: turn.values[i],
        contribution: WEIGHTS[i] * turn.values[i],
      });
    }
    return out;
  }
}
