import { Logger } from '@nestjs/common';
import type { RoutingConfig } from '../../config/gateway-config.interface';
import type { ClassifiersSlice } from './classifiers.config';
import type { EmbeddingsPort } from './classifiers.constants';
import { analyseConversation } from './features';
import { SemanticClassifier, type SemanticExemplars } from './semantic.classifier';

const routing = (over: Partial<RoutingConfig> = {}): RoutingConfig => ({
  defaultModel: 'auto',
  defaultTier: 'instant',
  classifiers: ['semantic'],
  thinkingThreshold: 0.5,
  steps: { semantic: { minConfidence: 0.5 } },
  semanticBudgetMs: 20,
  ...over,
});
const configOf = (r: RoutingConfig): ClassifiersSlice => ({ routing: r });
const ask = (content: string) => ({ messages: [{ role: 'user' as const, content }] });

const EXEMPLARS: SemanticExemplars = {
  format: 'tiergate-semantic-exemplars',
  version: 1,
  exemplars: [
    { kind: 'proof', label: 'thinking', text: 'prove theorem lemma rigorous proof' },
    { kind: 'proof', label: 'thinking', text: 'prove that the theorem holds' },
    { kind: 'translate', label: 'instant', text: 'translate this sentence into french' },
    { kind: 'greeting', label: 'instant', text: 'hello hi good morning' },
  ],
};

/** A deterministic stand-in for an embeddings model: hashed bag of words, 64 dimensions. */
const bagOfWords: EmbeddingsPort = async (inputs) =>
  inputs.map((text) => {
    const v = new Array<number>(64).fill(0);
    for (const word of text.toLowerCase().split(/\W+/).filter(Boolean)) {
      let h = 7;
      for (const c of word) h = (h * 31 + c.charCodeAt(0)) % 64;
      v[h] += 1;
    }
    return v;
  });

async function ready(
  port: EmbeddingsPort,
  over: Partial<RoutingConfig> = {},
): Promise<SemanticClassifier> {
  const semantic = new SemanticClassifier(configOf(routing(over)), port, EXEMPLARS);
  await semantic.warmUp();
  return semantic;
}

describe('SemanticClassifier', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new Logger()));

  it('abstains without an embeddings port', async () => {
    const semantic = new SemanticClassifier(configOf(routing()), undefined, EXEMPLARS);
    await expect(semantic.classify(ask('prove the theorem'))).resolves.toBeNull();
    const explanation = await semantic.explainAnalysis(analyseConversation(ask('prove it')));
    expect(explanation).toEqual(
      expect.objectContaining({ status: 'unavailable', note: 'no embeddings port bound' }),
    );
  });

  it('abstains until its centroids are embedded, then answers by the nearest centroid', async () => {
    const port = jest.fn(bagOfWords);
    const semantic = new SemanticClassifier(configOf(routing()), port, EXEMPLARS);
    await expect(semantic.classify(ask('prove the lemma'))).resolves.toBeNull();
    await semantic.warmUp();
    expect(semantic.ready).toBe(true);
    const thinking = await semantic.classify(ask('please prove this theorem'));
    expect(thinking).toEqual(
      expect.objectContaining({
        tier: 'thinking',
        reason: expect.stringMatching(/^classifier:semantic:\d\.\d\d$/),
      }),
    );
    expect(thinking?.detail).toEqual(['nearest:proof']);
    expect((await semantic.classify(ask('translate into french please')))?.tier).toBe('instant');
  });

  it('keeps a short follow-up of a hard conversation on thinking', async () => {
    const semantic = await ready(bagOfWords);
    const verdict = await semantic.classify({
      messages: [
        { role: 'user', content: 'prove the theorem rigorously' },
        { role: 'assistant', content: '…' },
        { role: 'user', content: 'hello?' },
      ],
    });
    expect(verdict?.tier).toBe('thinking');
  });

  it.each<[string, EmbeddingsPort]>([
    [
      'slower than the budget (and honouring the abort)',
      (_i, signal) =>
        new Promise((_r, reject) =>
          signal.addEventListener('abort', () => reject(new Error('aborted'))),
        ),
    ],
    ['slower than the budget (and ignoring the abort)', () => new Promise(() => undefined)],
    ['failing', async () => Promise.reject(new Error('pool down'))],
    [
      'throwing',
      () => {
        throw new Error('boom');
      },
    ],
    [
      'answering the wrong shape',
      async () => [
        [1, 2, 3],
        [4, 5, 6],
      ],
    ],
  ])('abstains when the port is %s', async (_name, slow) => {
    let calls = 0;
    const port: EmbeddingsPort = (inputs, signal) =>
      calls++ === 0 ? bagOfWords(inputs, signal) : slow(inputs, signal);
    const semantic = await ready(port);
    await expect(semantic.classify(ask('prove the theorem'))).resolves.toBeNull();
  });

  it('abstains at once when the request is already aborted', async () => {
    const semantic = await ready(bagOfWords);
    const controller = new AbortController();
    controller.abort();
    await expect(
      semantic.classify({ ...ask('prove the theorem'), signal: controller.signal }),
    ).resolves.toBeNull();
  });

  it('warms up at boot only when configured and bound', () => {
    const port = jest.fn(bagOfWords);
    new SemanticClassifier(
      configOf(routing({ classifiers: ['learned'] })),
      port,
      EXEMPLARS,
    ).onApplicationBootstrap();
    expect(port).not.toHaveBeenCalled();
    new SemanticClassifier(configOf(routing()), port, EXEMPLARS).onApplicationBootstrap();
    expect(port).toHaveBeenCalled();
  });

  it('retries later when the warm-up fails', async () => {
    const semantic = new SemanticClassifier(
      configOf(routing()),
      () => Promise.reject(new Error('down')),
      EXEMPLARS,
    );
    await semantic.warmUp();
    expect(semantic.ready).toBe(false);
  });
});
