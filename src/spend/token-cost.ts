import { chargeableCount } from '../common/usage';
import type { TokensByKind } from '../telemetry';

/** A price per million tokens of each kind, in the configured currency (C4's `ModelPrice`). */
export interface ModelPrice {
  input: number;
  cachedInput: number;
  output: number;
  reasoning: number;
  source: 'configured' | 'gpu_hour';
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * One call's usage split into disjoint kinds, each priced on its own: `input` is the prompt
 * tokens not served from the cache, `cached_input` those that were
 * (`prompt_tokens_details.cached_tokens`), `output` the completion tokens that are not
 * reasoning, `reasoning` those that are (`completion_tokens_details.reasoning_tokens`). The
 * four add up to prompt + completion. Counts are read as the key's accounting charges them
 * (non-negative integers; anything else is 0), and a detail larger than its total is capped.
 */
export function tokensOf(usage: unknown): TokensByKind {
  if (!isObject(usage)) return { input: 0, cached_input: 0, output: 0, reasoning: 0 };
  const prompt = chargeableCount(usage.prompt_tokens);
  const completion = chargeableCount(usage.completion_tokens);
  const promptDetails = usage.prompt_tokens_details;
  const completionDetails = usage.completion_tokens_details;
  const cached = Math.min(
    prompt,
    isObject(promptDetails) ? chargeableCount(promptDetails.cached_tokens) : 0,
  );
  const reasoning = Math.min(
    completion,
    isObject(completionDetails) ? chargeableCount(completionDetails.reasoning_tokens) : 0,
  );
  return {
    input: prompt - cached,
    cached_input: cached,
    output: completion - reasoning,
    reasoning,
  };
}

/** Adds `more` into `into`. */
export function addTokens(into: TokensByKind, more: TokensByKind): void {
  into.input += more.input;
  into.cached_input += more.cached_input;
  into.output += more.output;
  into.reasoning += more.reasoning;
}

/** All four kinds. */
export function totalTokens(tokens: TokensByKind): number {
  return tokens.input + tokens.cached_input + tokens.output + tokens.reasoning;
}

/**
 * What `tokens` cost at `price`, in nano-units (1e-9) of the currency: a price per million
 * tokens is 1000 nano-units per token, so the product of integers stays exact for sane prices.
 */
export function costInNanos(tokens: TokensByKind, price: ModelPrice): number {
  return Math.round(
    (tokens.input * price.input +
      tokens.cached_input * price.cachedInput +
      tokens.output * price.output +
      tokens.reasoning * price.reasoning) *
      1_000,
  );
}
