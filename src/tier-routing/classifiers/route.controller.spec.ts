import type { CascadeClassifier, RouteExplanation } from './cascade.classifier';
import { RouteController } from './route.controller';

describe('RouteController', () => {
  const explanation = {
    tier: 'instant',
    reason: 'classifier:learned:0.97',
    score: 0.97,
    thinkingThreshold: 0.5,
    steps: [{ step: 'classifier:learned', status: 'decided' }],
    features: [],
    conversation: {},
  } as unknown as RouteExplanation;
  const cascade = { explain: jest.fn(async () => explanation) } as unknown as CascadeClassifier;

  it('returns the cascade’s explanation', async () => {
    const controller = new RouteController(cascade);
    await expect(
      controller.route(
        { messages: [{ role: 'user', content: 'hi' }] } as never,
        {} as never,
        {} as never,
      ),
    ).resolves.toEqual({
      ...explanation,
      model: null,
    });
  });

  it('lets an explicit model decide first, as the router does, keeping the classifiers’ reading', async () => {
    const controller = new RouteController(cascade, (model) =>
      model === 'thinking' ? { tier: 'thinking', reason: 'model:thinking' } : null,
    );
    const response = await controller.route(
      {
        model: 'thinking',
        messages: [{ role: 'user', content: 'hi' }],
      } as never,
      {} as never,
      {} as never,
    );
    expect([response.tier, response.reason, response.model]).toEqual([
      'thinking',
      'model:thinking',
      'thinking',
    ]);
    expect(response.steps.map((s) => s.step)).toEqual(['model', 'classifier:learned']);
  });

  it.each<[string, string, string[], string, string]>([
    ['the classifier’s tier allowed', 'instant', ['instant'], 'instant', 'key:instant'],
    [
      'the classifier’s tier forbidden',
      'thinking',
      ['instant'],
      'instant',
      'key:thinking->instant',
    ],
  ])(
    'admits first, and tells a key confined to one tier only its route: %s',
    async (_name, decided, allowed, tier, reason) => {
      const admit = jest.fn(async () => ({ mayUseTier: (t: string) => allowed.includes(t) }));
      const classifier = {
        explain: jest.fn(async () => ({ ...explanation, tier: decided })),
      } as unknown as CascadeClassifier;
      const controller = new RouteController(classifier, undefined, admit);
      const body = { messages: [{ role: 'user', content: 'hi' }] };
      const response = await controller.route(body as never, {} as never, {} as never);
      expect(admit).toHaveBeenCalledWith({}, {}, body);
      expect([response.tier, response.reason, response.score]).toEqual([tier, reason, null]);
      expect(response.steps).toEqual([
        { step: 'key', status: 'decided', tier, note: `this key may use only the ${tier} tier` },
      ]);
      expect(response.features).toEqual([]);
    },
  );

  it('propagates a refusal from admission (403, 404, 429) before classifying', async () => {
    const refusal = new Error('refused');
    const classifier = { explain: jest.fn() } as unknown as CascadeClassifier;
    const controller = new RouteController(classifier, undefined, async () => {
      throw refusal;
    });
    await expect(
      controller.route({ messages: [] } as never, {} as never, {} as never),
    ).rejects.toBe(refusal);
    expect(classifier.explain).not.toHaveBeenCalled();
  });
});
