import type { Context } from '@opentelemetry/api';
import type { ChatMessage, ReasoningEffort, ToolDefinition } from '../../common/openai/chat.types';
import type { TierName } from '../../config/gateway-config.interface';

/** What a step that calls out (the `semantic` one) takes from the request it classifies. */
export interface ClassificationScope {
  /** Aborted when the caller goes away; steps that wait stop at once. */
  signal?: AbortSignal;
  /** The parent of the step's own calls' spans (the route span). */
  traceContext?: Context;
}

/** What a classifier sees of a request: the conversation and the caller's hints, never the key. */
export interface ClassificationInput extends ClassificationScope {
  messages: readonly ChatMessage[];
  tools?: readonly ToolDefinition[];
  reasoningEffort?: ReasoningEffort | null;
}

/** A classifier's answer. `reason` becomes the `x-gateway-route-reason` header. */
export interface TierVerdict {
  tier: TierName;
  /** A short token, e.g. `hint:reasoning_effort`, `classifier:learned:0.91`, `default`. */
  reason: string;
  /** Confidence in `tier`, 0..1, when the step has one. */
  score?: number;
  /** The strongest contributors of a scoring step, e.g. `cue_proof:+2.25` (logs, debugging). */
  detail?: readonly string[];
}

/**
 * Decides the tier of an `auto` request.
 *
 * Implementations are Nest providers bound to {@link TIER_CLASSIFIER}. They must be cheap:
 * they run on every `auto` request before any upstream call. Returning `null` abstains, so a
 * cascade can ask the next step.
 *
 * @example
 * ```ts
 * @Injectable()
 * export class GreetingClassifier implements TierClassifier {
 *   readonly name = 'greeting';
 *   classify(input: ClassificationInput): TierVerdict | null {
 *     const last = input.messages.at(-1);
 *     return typeof last?.content === 'string' && /^(hi|hello)\b/i.test(last.content)
 *       ? { tier: 'instant', reason: 'classifier:greeting', score: 1 }
 *       : null;
 *   }
 * }
 * ```
 */
export interface TierClassifier {
  readonly name: string;
  classify(input: ClassificationInput): TierVerdict | null | Promise<TierVerdict | null>;
}

/** Injection token of the classifier that decides `auto` requests (it always answers). */
export const TIER_CLASSIFIER = Symbol('TIER_CLASSIFIER');
