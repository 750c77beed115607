import type { RoutingConfig } from '../../config/gateway-config.interface';
import type { ClassifiersSlice } from './classifiers.config';
import { FEATURE_SPEC_VERSION, analyseConversation, analyseText } from './features';
import { COMMITTED_LEARNED_MODEL, LearnedClassifier } from './learned.classifier';
import { LearnedScorer, validateArtifact, type LearnedModelArtifact } from './learned-model';

const routing = (over: Partial<RoutingConfig> = {}): RoutingConfig => ({
  defaultModel: 'auto',
  defaultTier: 'instant',
  classifiers: ['learned'],
  thinkingThreshold: 0.5,
  steps: { learned: { minConfidence: 0.5 } },
  semanticBudgetMs: 20,
  ...over,
});
const configOf = (r: RoutingConfig): ClassifiersSlice => ({ routing: r });
const ask = (content: string) => ({ messages: [{ role: 'user' as const, content }] });

describe('the committed learned model', () => {
  it('is a versioned artifact for this build’s features, with its training metadata', () => {
    expect(validateArtifact(COMMITTED_LEARNED_MODEL)).toBeNull();
    expect(COMMITTED_LEARNED_MODEL.version).toBe(1);
    expect(COMMITTED_LEARNED_MODEL.featureSpec.version).toBe(FEATURE_SPEC_VERSION);
    expect(COMMITTED_LEARNED_MODEL.training).toEqual(
      expect.objectContaining({
        file: 'data/tiering/train.jsonl',
        examples: expect.any(Number) as unknown,
        options: expect.any(Object),
      }),
    );
  });

  it.each<[string, (a: LearnedModelArtifact) => LearnedModelArtifact, RegExp]>([
    [
      'another feature spec',
      (a) => ({ ...a, featureSpec: { ...a.featureSpec, version: 'old/0' } }),
      /retrain/,
    ],
    ['another format', (a) => ({ ...a, format: 'x' as never }), /format/],
    [
      'a bucket out of range',
      (a) => ({ ...a, ngrams: { ...a.ngrams, words: { buckets: [1 << 30], weights: [1] } } }),
      /out of range/,
    ],
  ])('refuses %s, so a stale model stops the boot', (_name, spoil, message) => {
    expect(() => new LearnedScorer(spoil(COMMITTED_LEARNED_MODEL))).toThrow(message);
  });
});

describe('LearnedClassifier', () => {
  const learned = new LearnedClassifier(configOf(routing()));

  it.each<[string, 'instant' | 'thinking']>([
    ['Hello! How are you today?', 'instant'],
    ['Translate into French: "I would like a coffee with milk, please."', 'instant'],
    [
      'Summarize the following paragraph in one sentence: the meeting moved to Thursday.',
      'instant',
    ],
    ['What does HTTP 404 mean?', 'instant'],
    ['Write a haiku about autumn leaves.', 'instant'],
    ['Prove that the square root of 2 is irrational.', 'thinking'],
    [
      'Janet has 22 green pens and 10 yellow pens. She buys 6 boxes of blue pens with 9 pens each and 2 boxes of red pens with 6 pens each. How many pens does she have now?',
      'thinking',
    ],
    ['Find all real $x$ such that $\\sqrt{x+3} + \\sqrt{x} = 3$.', 'thinking'],
    [
      "Write a Python program that finds the shortest path in a weighted graph using Dijkstra's algorithm.",
      'thinking',
    ],
    [
      'Question: Fidel lies. Jerry says Fidel tells the truth. Vina says Jerry tells the truth. Millicent says Vina lies. Does Millicent tell the truth?',
      'thinking',
    ],
  ])('%j → %s', (prompt, tier) => {
    expect(learned.classify(ask(prompt))?.tier).toBe(tier);
  });

  const hardTurn = [
    {
      role: 'user' as const,
      content: 'Prove that there are infinitely many primes of the form 4k + 3.',
    },
    { role: 'assistant' as const, content: 'Suppose there are finitely many…' },
  ];
  it.each<[string, string, 'instant' | 'thinking']>([
    ['a topic switch', 'Great, thanks! Unrelated: what year did Python 3 come out?', 'instant'],
    ['a topic switch in French', 'Merci ! Au fait, quelle est la capitale du Canada ?', 'instant'],
    ['an acknowledgement', 'Perfect, thank you.', 'instant'],
    ['a genuine follow-up', 'Why does that last step work?', 'thinking'],
    ['a follow-up asking for a variant', 'And for primes of the form 6k + 5?', 'thinking'],
  ])('after a hard turn, %s → %s', (_name, content, tier) => {
    const verdict = learned.classify({ messages: [...hardTurn, { role: 'user', content }] });
    expect(verdict?.tier ?? 'instant').toBe(tier);
  });

  it('reports `classifier:learned:<score>` with two decimals and its strongest contributors', () => {
    const verdict = learned.classify(ask('Prove that there are infinitely many primes.'));
    expect(verdict?.reason).toMatch(/^classifier:learned:\d\.\d\d$/);
    expect(verdict?.score).toBeGreaterThan(0.5);
    expect(verdict?.detail?.length).toBeGreaterThan(0);
  });

  it('explains a decision: contributions that add up to the score, and the heaviest n-grams', () => {
    const analysis = analyseConversation(
      ask('Translate into German: good night and sleep well.'),
      learned.ngramWeights,
    );
    const explanation = learned.explainAnalysis(analysis);
    const logit = explanation.features!.reduce((s, f) => s + f.contribution, 0);
    expect(1 / (1 + Math.exp(-logit))).toBeCloseTo(explanation.probability!, 3);
    expect(explanation.features!.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'bias',
        'cue_rewrite',
        'ngrams.words',
        'ngrams.chars',
        'context.follow_up',
      ]),
    );
    const sizes = explanation.ngrams!.map((g) => Math.abs(g.contribution));
    expect(sizes.length).toBeGreaterThan(0);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    expect(explanation.ngrams!.every((g) => g.gram.length > 0 && !g.gram.startsWith('#'))).toBe(
      true,
    );
  });

  it('scores the same with n-grams scored in the scan or built as vectors', () => {
    const text = 'Write a Python function that returns the n-th Fibonacci number in O(log n) time.';
    const scorer = learned.scorer;
    expect(scorer.logit(analyseText(text, { weights: scorer.weights }))).toBeCloseTo(
      scorer.logit(analyseText(text)),
      5,
    );
  });
});
