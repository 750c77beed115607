/**
 * Estimated tokens of a legacy completions `prompt` or an embeddings `input`: a string, a list
 * of strings, a list of token ids, or a list of such lists. Text uses the same rule as the chat
 * estimate (about four ASCII characters per token, one per other character); token ids count
 * one each. Iterative, and bounded by what validation let through.
 */
export function estimateInputTokens(input: unknown): number {
  if (typeof input === 'string') return textTokens(input);
  if (!Array.isArray(input)) return 0;
  let tokens = 0;
  for (const item of input) {
    if (typeof item === 'string') tokens += textTokens(item);
    else if (typeof item === 'number') tokens += 1;
    else if (Array.isArray(item)) tokens += item.length;
  }
  return tokens;
}

export function textTokens(text: string): number {
  let ascii = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 128) ascii++;
  return Math.ceil(ascii / 4) + (text.length - ascii);
}
