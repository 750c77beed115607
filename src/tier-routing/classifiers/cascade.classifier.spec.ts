import { Logger } from '@nestjs/common';
import type { ChatMessage } from '../../common/openai/chat.types';
import { defaultsOf, GATEWAY_CONFIG_KEYS } from '../../config';
import type { RoutingConfig } from '../../config/gateway-config.interface';
import type { ClassifiersSlice } from './classifiers.config';
import { CascadeClassifier, reasoningEffortVerdict } from './cascade.classifier';
import type { EmbeddingsPort } from './classifiers.constants';
import { COMMITTED_LEARNED_MODEL, LearnedClassifier } from './learned.classifier';
import type { LearnedModelArtifact } from './learned-model';
import { RulesClassifier } from './rules.classifier';
import { SemanticClassifier, type SemanticExemplars } from './semantic.classifier';
import type { ClassificationInput, TierVerdict } from './tier-classifier.interface';

const routing = (over: Partial<RoutingConfig> = {}): RoutingConfig => ({
  defaultModel: 'auto',
  defaultTier: 'instant',
  classifiers: ['learned', 'rules'],
  thinkingThreshold: 0.5,
  steps: {},
  semanticBudgetMs: 20,
  ...over,
});

function cascadeOf(
  over: Partial<RoutingConfig> = {},
  port?: EmbeddingsPort,
  exemplars?: SemanticExemplars,
) {
  const config: ClassifiersSlice = { routing: routing(over) };
  const semantic = new SemanticClassifier(config, port, exemplars);
  return {
    cascade: new CascadeClassifier(
      config,
      new RulesClassifier(config),
      new LearnedClassifier(config),
      semantic,
    ),
    semantic,
  };
}

const user = (content: string): ChatMessage => ({ role: 'user', content });
const ask = (content: string, extra: Partial<ClassificationInput> = {}): ClassificationInput => ({
  messages: [user(content)],
  ...extra,
});
const sync = (v: TierVerdict | Promise<TierVerdict>): TierVerdict => {
  if (v instanceof Promise) throw new Error('expected a synchronous verdict');
  return v;
};

const PROOF = 'Prove that there are infinitely many primes.';
const GREETING = 'Hello! How are you today?';

describe('CascadeClassifier', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new Logger()));

  describe('order: hint, then the classifiers in configured order, then the default tier', () => {
    it.each<[string, ClassificationInput, Partial<RoutingConfig>, string, string]>([
      [
        'the hint beats the classifiers (high)',
        ask(GREETING, { reasoningEffort: 'high' }),
        {},
        'thinking',
        'hint:reasoning_effort',
      ],
      [
        'the hint beats the classifiers (medium)',
        ask(GREETING, { reasoningEffort: 'medium' }),
        {},
        'thinking',
        'hint:reasoning_effort',
      ],
      [
        'the hint beats the classifiers (low)',
        ask(PROOF, { reasoningEffort: 'low' }),
        {},
        'instant',
        'hint:reasoning_effort',
      ],
      [
        'the hint beats the classifiers (minimal)',
        ask(PROOF, { reasoningEffort: 'minimal' }),
        {},
        'instant',
        'hint:reasoning_effort',
      ],
      [
        'the hint beats the classifiers (none)',
        ask(PROOF, { reasoningEffort: 'none' }),
        {},
        'instant',
        'hint:reasoning_effort',
      ],
      ['no hint: the first classifier decides', ask(PROOF), {}, 'thinking', 'classifier:learned:'],
      [
        'an abstaining step falls through to the next',
        ask(PROOF),
        { steps: { learned: { minConfidence: 1 } } },
        'thinking',
        'classifier:rules:',
      ],
      [
        'the configured order is followed',
        ask(PROOF),
        { classifiers: ['rules', 'learned'] },
        'thinking',
        'classifier:rules:',
      ],
      [
        'when every step abstains, the default tier',
        ask(PROOF),
        {
          steps: { learned: { minConfidence: 1 }, rules: { minConfidence: 1 } },
          defaultTier: 'instant',
        },
        'instant',
        'default',
      ],
      [
        'no classifiers configured: the default tier',
        ask(PROOF),
        { classifiers: [], defaultTier: 'thinking' },
        'thinking',
        'default',
      ],
    ])('%s', (_name, input, over, tier, reason) => {
      const verdict = sync(cascadeOf(over).cascade.classify(input));
      expect(verdict.tier).toBe(tier);
      expect(verdict.reason.startsWith(reason)).toBe(true);
      if (reason.startsWith('classifier:')) expect(verdict.reason).toMatch(/:\d\.\d\d$/);
    });

    it('ignores an unknown reasoning_effort', () => {
      expect(reasoningEffortVerdict('xhigh')).toBeNull();
      expect(reasoningEffortVerdict(null)).toBeNull();
    });

    it('by default the learned step decides even when unsure (held out, its lean beats the rules)', () => {
      // A model that says P(thinking) = 0.55 for everything: confidence 0.55, under the old 0.6.
      const unsure: LearnedModelArtifact = {
        ...COMMITTED_LEARNED_MODEL,
        bias: Math.log(0.55 / 0.45),
        dense: Object.fromEntries(Object.keys(COMMITTED_LEARNED_MODEL.dense).map((k) => [k, 0])),
        ngrams: { words: { buckets: [], weights: [] }, chars: { buckets: [], weights: [] } },
      };
      const config: ClassifiersSlice = {
        routing: { ...defaultsOf(GATEWAY_CONFIG_KEYS.shape.routing), defaultTier: 'instant' },
      };
      const cascade = new CascadeClassifier(
        config,
        new RulesClassifier(config),
        new LearnedClassifier(config, unsure),
        new SemanticClassifier(config),
      );
      expect(sync(cascade.classify(ask(GREETING)))).toMatchObject({
        tier: 'thinking',
        reason: 'classifier:learned:0.55',
      });
    });

    it('refuses an unknown step name in the configuration', () => {
      expect(() => cascadeOf({ classifiers: ['magic' as never] })).toThrow(
        "Unknown classifier 'magic'",
      );
    });
  });

  describe('conversations', () => {
    let cascade: CascadeClassifier;
    beforeAll(() => (cascade = cascadeOf().cascade));

    it.each<[string, ChatMessage[], 'instant' | 'thinking']>([
      [
        'a short follow-up of a hard turn stays on thinking',
        [
          user('Prove that the sum of the first n odd numbers is n^2.'),
          { role: 'assistant', content: 'By induction…' },
          user('and for n=5?'),
        ],
        'thinking',
      ],
      [
        '"why?" after a hard turn stays on thinking',
        [
          user('Find all integers x such that x^2 - 5x + 6 divides 3x + 1.'),
          { role: 'assistant', content: 'x = …' },
          user('why?'),
        ],
        'thinking',
      ],
      [
        'a follow-up of an answer that carried reasoning stays on thinking',
        [
          user('ok'),
          { role: 'assistant', content: '42', reasoning_content: 'Let me think…' },
          user('and then?'),
        ],
        'thinking',
      ],
      [
        'a short follow-up of an easy turn stays instant',
        [
          user('Translate "good night" into French.'),
          { role: 'assistant', content: 'Bonne nuit.' },
          user('and into Spanish?'),
        ],
        'instant',
      ],
      [
        'thanks after a hard turn goes to instant',
        [user(PROOF), { role: 'assistant', content: 'Suppose finitely many…' }, user('Thanks!')],
        'instant',
      ],
      [
        'a new easy task after a hard one is judged on its own',
        [
          user(PROOF),
          { role: 'assistant', content: '…' },
          user(
            `Summarise this in one line: ${'The weather was mild and the market was busy. '.repeat(8)}`,
          ),
        ],
        'instant',
      ],
    ])('%s', (_name, messages, tier) => {
      expect(sync(cascade.classify({ messages })).tier).toBe(tier);
    });

    it('names the carry-over among the strongest contributors of a follow-up', () => {
      const verdict = sync(
        cascade.classify({
          messages: [user(PROOF), { role: 'assistant', content: 'Suppose…' }, user('and for 3?')],
        }),
      );
      expect(verdict.tier).toBe('thinking');
      expect(verdict.detail?.[0]).toMatch(/^context:\+\d+\.\d\d$/);
    });

    it('classifies a 1 MB prompt (bounded work)', () => {
      const verdict = sync(
        cascade.classify(ask(`${'lorem ipsum dolor sit amet '.repeat(40_000)}\nWhat is this?`)),
      );
      expect(['instant', 'thinking']).toContain(verdict.tier);
    });
  });

  describe('metrics', () => {
    it('tells the hook every decision by tier and deciding step', () => {
      const { cascade } = cascadeOf();
      const seen: string[] = [];
      cascade.onDecision = (tier, step) => seen.push(`${tier}/${step}`);
      cascade.classify(ask(PROOF, { reasoningEffort: 'high' }));
      cascade.classify(ask(PROOF));
      cascade.classify(ask(GREETING));
      expect(seen).toEqual(['thinking/hint', 'thinking/learned', 'instant/learned']);
    });
  });

  describe('the semantic step', () => {
    const exemplars: SemanticExemplars = {
      format: 'tiergate-semantic-exemplars',
      version: 1,
      exemplars: [
        { kind: 'proof', label: 'thinking', text: 'prove theorem' },
        { kind: 'chat', label: 'instant', text: 'hello there' },
      ],
    };
    const port: EmbeddingsPort = async (inputs) =>
      inputs.map((t) => (/prove/i.test(t) ? [1, 0] : [0, 1]));

    it('answers asynchronously when it decides', async () => {
      const { cascade, semantic } = cascadeOf(
        { classifiers: ['semantic', 'rules'] },
        port,
        exemplars,
      );
      await semantic.warmUp();
      const verdict = cascade.classify(ask(PROOF));
      expect(verdict).toBeInstanceOf(Promise);
      await expect(verdict).resolves.toEqual(
        expect.objectContaining({ tier: 'thinking', reason: 'classifier:semantic:1.00' }),
      );
    });

    it('degrades to the next step when the pool is absent', async () => {
      const { cascade } = cascadeOf({ classifiers: ['semantic', 'rules'] });
      await expect(cascade.classify(ask(PROOF))).resolves.toEqual(
        expect.objectContaining({ reason: expect.stringMatching(/^classifier:rules:/) }),
      );
    });

    it('degrades to the next step when the pool is slower than the budget', async () => {
      let warmed = false;
      const slow: EmbeddingsPort = (inputs, signal) =>
        warmed ? new Promise(() => undefined) : port(inputs, signal);
      const { cascade, semantic } = cascadeOf(
        { classifiers: ['semantic', 'learned'] },
        slow,
        exemplars,
      );
      await semantic.warmUp();
      warmed = true;
      await expect(cascade.classify(ask(PROOF))).resolves.toEqual(
        expect.objectContaining({ reason: expect.stringMatching(/^classifier:learned:/) }),
      );
    });
  });

  describe('explain', () => {
    it('gives the same decision with every step, feature contributions and n-grams, uncounted', async () => {
      const { cascade } = cascadeOf();
      const told: string[] = [];
      cascade.onDecision = (tier, step) => told.push(`${tier}/${step}`);
      const input = ask(PROOF);
      const verdict = sync(cascade.classify(input));
      const explanation = await cascade.explain(input);
      expect(explanation.tier).toBe(verdict.tier);
      expect(explanation.reason).toBe(verdict.reason);
      expect(explanation.steps.map((s) => [s.step, s.status])).toEqual([
        ['hint:reasoning_effort', 'abstained'],
        ['classifier:learned', 'decided'],
        ['classifier:rules', 'not_reached'],
        ['default', 'not_reached'],
      ]);
      expect(explanation.features.length).toBeGreaterThan(30);
      expect(
        explanation.features.find((f) => f.name === 'cue_proof')?.contribution,
      ).toBeGreaterThan(0);
      expect(explanation.ngrams?.length).toBeGreaterThan(0);
      expect(explanation.conversation).toEqual(
        expect.objectContaining({ userTurns: 1, followUp: false }),
      );
      expect(told).toEqual(['thinking/learned']);
    });

    it('shows a hint decision and the default', async () => {
      const { cascade } = cascadeOf({
        steps: { learned: { minConfidence: 1 }, rules: { minConfidence: 1 } },
      });
      const hinted = await cascade.explain(ask(GREETING, { reasoningEffort: 'high' }));
      expect([hinted.tier, hinted.reason, hinted.steps[0].status]).toEqual([
        'thinking',
        'hint:reasoning_effort',
        'decided',
      ]);
      const fallen = await cascade.explain(ask(GREETING));
      expect([fallen.reason, fallen.steps.at(-1)?.status]).toEqual(['default', 'decided']);
      expect(fallen.steps.filter((s) => s.status === 'abstained')).toHaveLength(3);
    });
  });
});
