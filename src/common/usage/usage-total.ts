import type { Usage } from '../openai/chat.types';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A token count as an upstream reports it; anything that is not a number counts as absent. */
export function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A token count as a limit can charge it: a non-negative integer (capped); anything else is 0. */
export function chargeableCount(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0
    ? Math.floor(Math.min(value, MAX_CHARGEABLE))
    : 0;
}

/** The largest count one call may charge (an absurd report must not break exact counters). */
const MAX_CHARGEABLE = 1e12;

/**
 * The same calls as the key's accounting charges them: each count a {@link chargeableCount},
 * and a call that reports no sane `total_tokens` charges its prompt plus completion.
 */
export interface ChargedUsage {
  prompt: number;
  completion: number;
  reasoning: number;
  total: number;
}

/**
 * Token usage summed over every upstream call of one request (a tool loop makes several): the
 * one place usage objects are added up. The tool loop answers {@link value} to the caller; the
 * request's telemetry reads {@link prompt} and {@link completion} for its span and log line;
 * the key's accounting (limits) reads {@link charged}, where a call without `total_tokens`
 * counts prompt + completion.
 *
 * @example
 * const usage = new UsageTotal();
 * usage.add({ prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 });
 * usage.add({ prompt_tokens: 14, completion_tokens: 5, total_tokens: 19 });
 * usage.value; // { prompt_tokens: 24, completion_tokens: 7, total_tokens: 31 }
 */
export class UsageTotal {
  /** Sum of the calls' `prompt_tokens`. */
  prompt = 0;
  /** Sum of the calls' `completion_tokens`. */
  completion = 0;
  /** Sum of the calls' `total_tokens`, as reported. */
  total = 0;
  /** Sum of `completion_tokens_details.reasoning_tokens`; undefined while no call reported it. */
  reasoning: number | undefined;
  /** Sum of `prompt_tokens_details.cached_tokens`; undefined while no call reported it. */
  cached: number | undefined;
  /** Some call reported a usage object. */
  reported = false;
  /** The sums as the key's accounting charges them (see {@link ChargedUsage}). */
  readonly charged: ChargedUsage = { prompt: 0, completion: 0, reasoning: 0, total: 0 };

  /** Adds one call's `usage`; anything that is not an object adds nothing. */
  add(usage: unknown): void {
    if (!isObject(usage)) return;
    this.reported = true;
    this.prompt += tokenCount(usage.prompt_tokens) ?? 0;
    this.completion += tokenCount(usage.completion_tokens) ?? 0;
    this.total += tokenCount(usage.total_tokens) ?? 0;
    const details = usage.completion_tokens_details;
    const reasoning = isObject(details) ? tokenCount(details.reasoning_tokens) : undefined;
    if (reasoning !== undefined) this.reasoning = (this.reasoning ?? 0) + reasoning;
    const promptDetails = usage.prompt_tokens_details;
    const cached = isObject(promptDetails) ? tokenCount(promptDetails.cached_tokens) : undefined;
    if (cached !== undefined) this.cached = (this.cached ?? 0) + cached;
    this.charge(usage);
  }

  private charge(usage: Json): void {
    const prompt = chargeableCount(usage.prompt_tokens);
    const completion = chargeableCount(usage.completion_tokens);
    const details = usage.completion_tokens_details;
    this.charged.prompt += prompt;
    this.charged.completion += completion;
    this.charged.reasoning += isObject(details) ? chargeableCount(details.reasoning_tokens) : 0;
    this.charged.total += chargeableCount(usage.total_tokens) || prompt + completion;
  }

  /** The sum as an OpenAI `usage` object, or undefined when no call reported usage. */
  get value(): Usage | undefined {
    if (!this.reported) return undefined;
    const usage: Usage = {
      prompt_tokens: this.prompt,
      completion_tokens: this.completion,
      total_tokens: this.total,
    };
    if (this.reasoning !== undefined) {
      usage.completion_tokens_details = { reasoning_tokens: this.reasoning };
    }
    if (this.cached !== undefined) usage.prompt_tokens_details = { cached_tokens: this.cached };
    return usage;
  }
}
