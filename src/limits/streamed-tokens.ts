import { estimateTextTokens } from '../common/tokens';

/**
 * Estimated completion tokens of one streamed chunk (chat or legacy completions): the text of
 * every choice's content, reasoning and tool-call arguments, by the prompt estimate's rule, and
 * at least one for a choice that carries any (servers stream about a token a chunk). What a
 * stream is charged when it ends before the upstream reports its usage (issue 13, finding 8).
 */
export function streamedTokens(chunk: unknown): number {
  if (!isObject(chunk) || !Array.isArray(chunk.choices)) return 0;
  let tokens = 0;
  for (const choice of chunk.choices as unknown[]) {
    if (!isObject(choice)) continue;
    const delta = isObject(choice.delta) ? choice.delta : undefined;
    let chars = 0;
    let text = '';
    for (const part of [choice.text, delta?.content, delta?.reasoning_content, delta?.reasoning]) {
      if (typeof part === 'string' && part.length > 0) text += part;
    }
    if (delta && Array.isArray(delta.tool_calls)) {
      for (const call of delta.tool_calls as unknown[]) {
        const fn = isObject(call) && isObject(call.function) ? call.function : undefined;
        if (fn && typeof fn.arguments === 'string') text += fn.arguments;
        if (fn && typeof fn.name === 'string') text += fn.name;
      }
    }
    chars = text.length;
    if (chars > 0) tokens += Math.max(1, estimateTextTokens(text));
  }
  return tokens;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
