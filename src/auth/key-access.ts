import { ErrorCode, ErrorMessages, GatewayException } from '../common/errors';
import type { AccessTier, TierName } from '../config';
import type { KeyPolicy } from './api-key.service';

/*
 * What a key may ask for (docs/api.md §6: 403 `permission_error` / `model_not_allowed`). Pure functions
 * of a policy, so controllers ask one question each and the rules read as a table in the spec.
 */

const CHAT_TIERS: readonly TierName[] = ['instant', 'thinking'];

export function mayUseTier(policy: KeyPolicy, tier: AccessTier): boolean {
  return policy.allowedTiers === undefined || policy.allowedTiers.has(tier);
}

export function mayUseModel(policy: KeyPolicy, name: string): boolean {
  return policy.allowedModels === undefined || policy.allowedModels.has(name);
}

/** Whether the gateway runs the registered tool `name` for this key (else it is the caller's). */
export function mayUseTool(policy: KeyPolicy, name: string): boolean {
  return policy.allowedTools === undefined || policy.allowedTools.has(name);
}

/** The chat tiers among `configured` that the key may use, in the order given. */
export function allowedChatTiers(policy: KeyPolicy, configured: readonly TierName[]): TierName[] {
  return configured.filter((tier) => mayUseTier(policy, tier));
}

/** Whether the key may ask for the public model `name`, which names `tier` (or `auto`). */
export function isModelAllowed(
  policy: KeyPolicy,
  name: string,
  tier: AccessTier | 'auto',
): boolean {
  const tierAllowed =
    tier === 'auto' ? CHAT_TIERS.some((t) => mayUseTier(policy, t)) : mayUseTier(policy, tier);
  return tierAllowed && mayUseModel(policy, name);
}

/**
 * Throws 403 unless the key may ask for the public model `name`, which names `tier` (`auto`
 * for the classifier, which may then pick any chat tier the key may use).
 */
export function assertModelAllowed(
  policy: KeyPolicy,
  name: string,
  tier: AccessTier | 'auto',
): void {
  if (isModelAllowed(policy, name, tier)) return;
  throw new GatewayException(ErrorCode.ModelNotAllowed, ErrorMessages.modelNotAllowed(name), {
    param: 'model',
  });
}

/**
 * A route kept within the key's tiers. A route that landed on a tier the key may not use (the
 * classifier's verdict for `auto`, or a fallback, spill or context move away from an allowed
 * tier) goes to the other chat tier instead, with the reason `key:<from>-><to>`; the caller is
 * never moved onto a tier it may not use, and never refused for the gateway's own choice.
 */
export function confineRoute<R extends { tier: TierName }>(
  policy: KeyPolicy,
  route: R,
  routeTo: (tier: TierName, reason: string) => R | undefined,
  model: string,
): R {
  if (mayUseTier(policy, route.tier)) return route;
  const other: TierName = route.tier === 'instant' ? 'thinking' : 'instant';
  const moved = mayUseTier(policy, other)
    ? routeTo(other, `key:${route.tier}->${other}`)
    : undefined;
  if (moved) return moved;
  throw new GatewayException(ErrorCode.ModelNotAllowed, ErrorMessages.modelNotAllowed(model), {
    param: 'model',
  });
}
