import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { GatewayConfig, TierName } from '../../config';
import type { ClassificationInput, TierClassifier, TierVerdict } from './tier-classifier.interface';

const INSTANT_EFFORTS = new Set(['none', 'minimal', 'low']);
const THINKING_EFFORTS = new Set(['medium', 'high']);

/**
 * The caller's `reasoning_effort` is a strong hint (SPEC §4); without one, the configured default
 * tier. It always answers, so it can stand alone or close a cascade.
 */
@Injectable()
export class ReasoningHintClassifier implements TierClassifier {
  readonly name = 'hint';
  private readonly fallback: TierVerdict;

  constructor(config: ConfigService<GatewayConfig, true>) {
    const tier: TierName = config.get('routing', { infer: true }).defaultTier;
    this.fallback = { tier, reason: 'default' };
  }

  classify(input: ClassificationInput): TierVerdict {
    return hintVerdict(input.reasoningEffort) ?? this.fallback;
  }
}

/** `low`/`minimal`/`none` → instant, `medium`/`high` → thinking, anything else: no hint. */
export function hintVerdict(effort: string | null | undefined): TierVerdict | null {
  if (!effort) return null;
  if (INSTANT_EFFORTS.has(effort))
    return { tier: 'instant', reason: 'hint:reasoning_effort', score: 1 };
  if (THINKING_EFFORTS.has(effort))
    return { tier: 'thinking', reason: 'hint:reasoning_effort', score: 1 };
  return null;
}
