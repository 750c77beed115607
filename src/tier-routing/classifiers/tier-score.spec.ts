import type { ChatMessage } from '../../common/openai/chat.types';
import { analyseConversation } from './features';
import { CONTEXT_FEATURES } from './conversation-view';
import {
  CONTEXT_WEIGHTS,
  PRIOR_REASONING_PROBABILITY,
  applyContext,
  decide,
  logit,
  sigmoid,
} from './tier-score';

describe('decide: the tier and the confidence a probability gives under a threshold', () => {
  it.each<[number, number, 'instant' | 'thinking', number]>([
    [0.5, 0.5, 'thinking', 0.5],
    [0.91, 0.5, 'thinking', 0.91],
    [0.2, 0.5, 'instant', 0.8],
    [0.3, 0.3, 'thinking', 0.5],
    [1, 0.3, 'thinking', 1],
    [0, 0.3, 'instant', 1],
    [0.15, 0.3, 'instant', 0.75],
  ])('p=%d, threshold %d → %s at %d', (p, t, tier, confidence) => {
    const d = decide(p, t);
    expect(d.tier).toBe(tier);
    expect(d.confidence).toBeCloseTo(confidence, 6);
  });
});

describe('applyContext', () => {
  const user = (content: string): ChatMessage => ({ role: 'user', content });

  it('keeps a short follow-up of a hard conversation on thinking', () => {
    const analysis = analyseConversation({
      messages: [
        user('Prove that every bounded monotone sequence converges.'),
        { role: 'assistant', content: '…' },
        user('why?'),
      ],
    });
    const scored = applyContext(logit(0.1), analysis, () => [0.95]);
    expect(scored.latestProbability).toBeCloseTo(0.1, 6);
    expect(scored.probability).toBeCloseTo(0.95, 6);
  });

  it('counts an earlier answer that carries reasoning as a hard turn', () => {
    const analysis = analyseConversation({
      messages: [
        user('…'),
        { role: 'assistant', content: 'x', reasoning_content: 'thinking…' },
        user('and for n=5?'),
      ],
    });
    expect(applyContext(logit(0.05), analysis, () => [0.05]).probability).toBeCloseTo(
      PRIOR_REASONING_PROBABILITY,
      6,
    );
  });

  it('leaves a first turn alone and records every context contribution when asked', () => {
    const analysis = analyseConversation({ messages: [user('hello')] });
    const contributions: { name: string; value: number; contribution: number }[] = [];
    const scored = applyContext(logit(0.2), analysis, () => [0.99], contributions);
    expect(scored.probability).toBeCloseTo(0.2, 6);
    expect(contributions.map((c) => c.name)).toContain('context.follow_up');
    expect(sigmoid(logit(0.2))).toBeCloseTo(0.2, 9);
  });

  it('adds each context feature times its weight, by name, to the latest turn', () => {
    const analysis = analyseConversation({
      messages: [
        { role: 'system', content: 'Prove each claim step by step, then rewrite it as a summary.' },
        user('What is the capital of France?'),
        { role: 'assistant', content: 'Paris.', tool_calls: [] },
        { role: 'tool', content: '{}', tool_call_id: 'c1' },
      ],
      tools: [{ type: 'function', function: { name: 'lookup' } }],
    });
    const expected = CONTEXT_FEATURES.reduce(
      (z, name, i) => z + CONTEXT_WEIGHTS[name] * analysis.context[i],
      logit(0.3),
    );
    expect(analysis.context.filter((x) => x !== 0).length).toBeGreaterThanOrEqual(3);
    expect(logit(applyContext(logit(0.3), analysis, () => []).probability)).toBeCloseTo(
      expected,
      9,
    );
  });
});
