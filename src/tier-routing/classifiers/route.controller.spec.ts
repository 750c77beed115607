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
      controller.route({ messages: [{ role: 'user', content: 'hi' }] } as never, {} as never),
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
    );
    expect([response.tier, response.reason, response.model]).toEqual([
      'thinking',
      'model:thinking',
      'thinking',
    ]);
    expect(response.steps.map((s) => s.step)).toEqual(['model', 'classifier:learned']);
  });
});
