import { MetricsService, reasonStep } from './metrics.service';

describe('MetricsService', () => {
  it.each([
    ['classifier:learned:0.91', 'classifier:learned'],
    ['classifier:rules:1.00', 'classifier:rules'],
    ['hint:reasoning_effort', 'hint:reasoning_effort'],
    ['alias:gpt-4o-mini', 'alias:gpt-4o-mini'],
    ['model:Qwen/Qwen2.5-7B', 'model:Qwen/Qwen2.5-7B'],
    ['fallback:thinking->instant', 'fallback:thinking->instant'],
    ['default', 'default'],
  ])('bounds the reason label: %s → %s', (reason, step) => {
    expect(reasonStep(reason)).toBe(step);
  });

  it('counts decisions by tier and step in the Prometheus text', async () => {
    const metrics = new MetricsService();
    metrics.countDecision('thinking', 'classifier:learned:0.91');
    metrics.countDecision('thinking', 'classifier:learned:0.77');
    metrics.countDecision('instant', 'default');
    const text = await metrics.render();
    expect(text).toContain(
      'tiergate_route_decisions_total{tier="thinking",reason="classifier:learned"} 2',
    );
    expect(text).toContain('tiergate_route_decisions_total{tier="instant",reason="default"} 1');
  });
});
