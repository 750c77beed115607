import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CallerIdentity, KeyPolicy } from '../auth';
import { Admission } from '../limits';
import type { RequestTelemetry } from '../telemetry';
import { InferenceExchange } from './inference-responder';
import type { ModelCatalogService } from './model-catalog.service';
import type { RouteDecision, TierRouterService } from './tier-router.service';

const decision = (tier: 'instant' | 'thinking', reason: string): RouteDecision =>
  ({ tier, reason, config: { model: `model-${tier}` } }) as unknown as RouteDecision;

function exchange(policy: Partial<KeyPolicy>) {
  const headers: Record<string, string> = {};
  const reply = {
    header: (name: string, value: string) => (headers[name] = value),
  } as unknown as FastifyReply;
  const routed = jest.fn();
  const rerouted = jest.fn();
  const telemetry = { routed, rerouted } as unknown as RequestTelemetry;
  const caller = { keyName: 'k', policy: { limits: {}, ...policy } } as CallerIdentity;
  const admission = new Admission(caller, 'chat', 'auto', false, undefined);
  const router = {
    routeTo: (tier: 'instant' | 'thinking', reason: string) => decision(tier, reason),
  } as unknown as TierRouterService;
  const catalog = { defaultModel: 'auto' } as ModelCatalogService;
  const ex = new InferenceExchange(
    { telemetry } as FastifyRequest,
    reply,
    new AbortController().signal,
    admission,
    router,
    catalog,
    15_000,
  );
  return { ex, headers, routed, rerouted, admission };
}

describe('InferenceExchange', () => {
  it.each<[string, Partial<KeyPolicy>, string, string]>([
    ['a tier the key may use stays', {}, 'thinking', 'classifier'],
    [
      'a tier the key may not use moves to the other',
      { allowedTiers: new Set(['instant']) },
      'instant',
      'key:thinking->instant',
    ],
  ])('confine: %s, and is recorded everywhere', (_name, policy, tier, reason) => {
    const { ex, headers, routed, admission } = exchange(policy);
    const route = ex.confine({ ...decision('thinking', 'classifier'), requested: 'auto' }, true);
    expect([route.tier, route.reason, route.requested]).toEqual([tier, reason, 'auto']);
    expect([admission.tier, admission.model]).toEqual([tier, `model-${tier}`]);
    expect(headers).toEqual({ 'x-gateway-tier': tier, 'x-gateway-route-reason': reason });
    expect(routed).toHaveBeenCalledWith({
      tier,
      reason,
      model: 'auto',
      upstreamModel: `model-${tier}`,
      stream: true,
    });
  });

  it('confine: a key allowed neither tier is refused with 403', () => {
    const { ex } = exchange({ allowedTiers: new Set() });
    expect(() => ex.confine(decision('thinking', 'classifier'), false)).toThrow(
      expect.objectContaining({ status: 403 }),
    );
  });

  it('rerouted: the admission, the route headers and the telemetry follow the move', () => {
    const { ex, headers, rerouted, admission } = exchange({});
    ex.rerouted(decision('thinking', 'fallback'), 'model-thinking');
    expect([admission.tier, admission.model]).toEqual(['thinking', 'model-thinking']);
    expect(headers).toEqual({ 'x-gateway-tier': 'thinking', 'x-gateway-route-reason': 'fallback' });
    expect(rerouted).toHaveBeenCalledWith('thinking', 'fallback');
  });
});
