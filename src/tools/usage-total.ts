import type { Usage } from '../common/openai';

/** Token usage summed over every round of a tool loop (the caller pays for all of them). */
export class UsageTotal {
  private total: Usage | undefined;

  add(usage: Usage | null | undefined): void {
    if (!usage) return;
    const total = (this.total ??= { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
    total.prompt_tokens += usage.prompt_tokens ?? 0;
    total.completion_tokens += usage.completion_tokens ?? 0;
    total.total_tokens += usage.total_tokens ?? 0;
    const reasoning = usage.completion_tokens_details?.reasoning_tokens;
    if (typeof reasoning === 'number') {
      const details = (total.completion_tokens_details ??= {});
      details.reasoning_tokens = (details.reasoning_tokens ?? 0) + reasoning;
    }
    const cached = (usage.prompt_tokens_details as { cached_tokens?: unknown } | null | undefined)
      ?.cached_tokens;
    if (typeof cached === 'number') {
      const details = (total.prompt_tokens_details ??= {}) as { cached_tokens?: number };
      details.cached_tokens = (details.cached_tokens ?? 0) + cached;
    }
  }

  /** The sum, or undefined when no round reported usage. */
  get value(): Usage | undefined {
    return this.total;
  }
}
