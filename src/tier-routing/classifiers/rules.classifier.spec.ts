import type { RoutingConfig } from '../../config/gateway-config.interface';
import type { ClassifiersSlice } from './classifiers.config';
import { CONTENT_FEATURES, analyseConversation } from './features';
import { RULE_WEIGHTS, RulesClassifier } from './rules.classifier';

const routing = (over: Partial<RoutingConfig> = {}): RoutingConfig => ({
  defaultModel: 'auto',
  defaultTier: 'instant',
  classifiers: ['rules'],
  thinkingThreshold: 0.5,
  steps: { rules: { minConfidence: 0.5 } },
  semanticBudgetMs: 20,
  ...over,
});
const configOf = (r: RoutingConfig): ClassifiersSlice => ({ routing: r });
const ask = (content: string) => ({ messages: [{ role: 'user' as const, content }] });

describe('RulesClassifier', () => {
  const rules = new RulesClassifier(configOf(routing()));

  it.each<[string, 'instant' | 'thinking']>([
    ['hi', 'instant'],
    ['Good morning! How is your day going?', 'instant'],
    ['Translate into Spanish: "Where is the train station?"', 'instant'],
    ['Paraphrase the sentence: She lived in Vienna for ten years.', 'instant'],
    ['What is the capital of Australia?', 'instant'],
    ['Write a short poem about the sea.', 'instant'],
    ['Prove that there are infinitely many primes.', 'thinking'],
    ['Demuestra que la suma de los ángulos interiores de un triángulo es 180 grados.', 'thinking'],
    [
      'A bakery sells 120 loaves a day. Two-thirds are sold in the morning and half of the rest in the afternoon. How many loaves are left at closing?',
      'thinking',
    ],
    [
      'Implement an LRU cache class in Python with O(1) get and put, without using OrderedDict.',
      'thinking',
    ],
    [
      'Design a rate limiter for 20 nodes. It must allow at most 100 requests per minute per key and keep working if Redis is down. Compare token bucket and sliding window, and pick one.',
      'thinking',
    ],
    [
      'Alice lies. Bob says Alice tells the truth. Carol says Bob lies. Does Carol tell the truth?',
      'thinking',
    ],
    ['((3 - 3 - -3 + -2) + (8 - 2 + -8 - -6)) =', 'thinking'],
  ])('%j → %s', (prompt, tier) => {
    expect(rules.classify(ask(prompt))?.tier).toBe(tier);
  });

  it('sends a long passage with a reading question to instant', () => {
    const passage =
      'The river rises in the hills and flows east through farmland and two towns. '.repeat(12);
    const verdict = rules.classify(
      ask(`Read the passage and answer the question.\n\n${passage}\n\nWhere does the river rise?`),
    );
    expect(verdict?.tier).toBe('instant');
    expect(verdict?.detail?.join(' ')).toContain('passage');
  });

  it('names its strongest contributors, strongest first', () => {
    const verdict = rules.classify(ask('Prove that the square root of 2 is irrational.'));
    expect(verdict?.reason).toMatch(/^classifier:rules:\d\.\d\d$/);
    expect(verdict?.detail?.[0]).toMatch(/^cue_proof:\+\d+\.\d\d$/);
    expect(verdict?.detail?.length).toBeLessThanOrEqual(3);
  });

  it('abstains when unsure, and moves with the threshold', () => {
    const prompt = ask('Write a function to reverse a string in Python.');
    const strict = new RulesClassifier(
      configOf(routing({ steps: { rules: { minConfidence: 0.99 } } })),
    );
    expect(strict.classify(prompt)).toBeNull();
    const eager = new RulesClassifier(configOf(routing({ thinkingThreshold: 0.05 })));
    const reluctant = new RulesClassifier(configOf(routing({ thinkingThreshold: 0.995 })));
    expect(eager.classify(prompt)?.tier).toBe('thinking');
    expect(reluctant.classify(prompt)?.tier).toBe('instant');
  });

  it('has a weight for every rule feature, and explains a score as their sum', () => {
    for (const name of CONTENT_FEATURES) expect(typeof RULE_WEIGHTS[name]).toBe('number');
    const explanation = rules.explainAnalysis(analyseConversation(ask('Prove that 7 is prime.')));
    const logit = explanation.features!.reduce((s, f) => s + f.contribution, 0);
    expect(1 / (1 + Math.exp(-logit))).toBeCloseTo(explanation.probability!, 2);
  });
});
