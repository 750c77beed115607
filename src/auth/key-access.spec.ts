import { ErrorCode, GatewayException } from '../common/errors';
import type { KeyPolicy } from './api-key.service';
import { allowedChatTiers, assertModelAllowed, confineRoute, mayUseTool } from './key-access';

const open: KeyPolicy = { limits: {} };
const instantOnly: KeyPolicy = { allowedTiers: new Set(['instant']), limits: {} };
const aliasOnly: KeyPolicy = { allowedModels: new Set(['gpt-4o-mini']), limits: {} };
const embeddingsOnly: KeyPolicy = { allowedTiers: new Set(['embeddings']), limits: {} };

function verdict(policy: KeyPolicy, name: string, tier: 'instant' | 'thinking' | 'auto'): string {
  try {
    assertModelAllowed(policy, name, tier);
    return 'allowed';
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayException);
    const e = error as GatewayException;
    expect([e.status, e.code, e.type, e.param]).toEqual([
      403,
      ErrorCode.ModelNotAllowed,
      'permission_error',
      'model',
    ]);
    return '403';
  }
}

describe('key access', () => {
  it.each<[string, KeyPolicy, string, 'instant' | 'thinking' | 'auto', string]>([
    ['an open key, any model', open, 'thinking', 'thinking', 'allowed'],
    ['an instant-only key, instant', instantOnly, 'instant', 'instant', 'allowed'],
    ['an instant-only key, an alias of instant', instantOnly, 'gpt-4o-mini', 'instant', 'allowed'],
    ['an instant-only key, thinking', instantOnly, 'thinking', 'thinking', '403'],
    ['an instant-only key, auto (stays within instant)', instantOnly, 'auto', 'auto', 'allowed'],
    ['an alias-only key, its alias', aliasOnly, 'gpt-4o-mini', 'instant', 'allowed'],
    ['an alias-only key, the tier behind its alias', aliasOnly, 'instant', 'instant', '403'],
    ['an alias-only key, auto', aliasOnly, 'auto', 'auto', '403'],
    ['an embeddings-only key, auto', embeddingsOnly, 'auto', 'auto', '403'],
  ])('%s → %s', (_name, policy, model, tier, expected) => {
    expect(verdict(policy, model, tier)).toBe(expected);
  });

  it('names the model, never anything about the key, in the 403', () => {
    expect(() => assertModelAllowed(instantOnly, 'thinking', 'thinking')).toThrow(
      "This API key may not use the model 'thinking'.",
    );
  });

  it('lists the chat tiers a key may use among those configured', () => {
    expect(allowedChatTiers(instantOnly, ['instant', 'thinking'])).toEqual(['instant']);
    expect(allowedChatTiers(open, ['thinking'])).toEqual(['thinking']);
  });

  it('runs every registered tool for a key without allowed_tools, only the listed ones otherwise', () => {
    expect(mayUseTool(open, 'calculator')).toBe(true);
    expect(mayUseTool({ allowedTools: new Set(['calculator']), limits: {} }, 'calculator')).toBe(
      true,
    );
    expect(mayUseTool({ allowedTools: new Set(), limits: {} }, 'calculator')).toBe(false);
  });
});

describe('confineRoute', () => {
  const routeTo = (tier: 'instant' | 'thinking', reason: string) => ({ tier, reason });
  const thinking = { tier: 'thinking' as const, reason: 'classifier:learned:0.9' };

  it('keeps a route on a tier the key may use', () => {
    expect(confineRoute(open, thinking, routeTo, 'auto')).toBe(thinking);
  });

  it('moves a route off a tier the key may not use, saying why', () => {
    expect(confineRoute(instantOnly, thinking, routeTo, 'auto')).toEqual({
      tier: 'instant',
      reason: 'key:thinking->instant',
    });
  });

  it('refuses when the other tier is not allowed or not configured', () => {
    expect(() => confineRoute(embeddingsOnly, thinking, routeTo, 'auto')).toThrow(GatewayException);
    expect(() => confineRoute(instantOnly, thinking, () => undefined, 'auto')).toThrow(
      "This API key may not use the model 'auto'.",
    );
  });
});
