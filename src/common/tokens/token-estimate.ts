import type { ChatMessage, ToolDefinition } from '../openai';

/**
 * The one token estimate of the gateway, used for context-window routing (tier-routing) and for
 * what the key's limits reserve (limits). Deliberately simple and cheap (one pass over the
 * characters, no tokenizer): ASCII text averages about four characters per token in the BPE
 * vocabularies of current models, other scripts about one token per character. The upstream
 * stays the final judge: its own context-length 400 still reaches the caller, and the limits
 * charge the usage it reports.
 */
const TOKENS_PER_MESSAGE = 4;

/** Estimated tokens of a text: four ASCII characters a token, one per other character. */
export function estimateTextTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) < 128) ascii++;
    else other++;
  }
  return Math.ceil(ascii / 4) + other;
}

function contentTokens(content: ChatMessage['content']): number {
  if (typeof content === 'string') return estimateTextTokens(content);
  if (!Array.isArray(content)) return 0;
  let tokens = 0;
  for (const part of content) {
    // Images and audio cost tokens too; without the model's own accounting, count a fixed share.
    tokens += typeof part.text === 'string' ? estimateTextTokens(part.text) : 256;
  }
  return tokens;
}

/** Estimated tokens of one chat message: a fixed overhead, its content and its tool calls. */
export function estimateMessageTokens(message: ChatMessage): number {
  let tokens = TOKENS_PER_MESSAGE + contentTokens(message.content);
  if (message.tool_calls) {
    for (const call of message.tool_calls) {
      tokens +=
        estimateTextTokens(call.function.name) + estimateTextTokens(call.function.arguments);
    }
  }
  return tokens;
}

/** Estimated prompt tokens of a chat request: its messages and its tools' definitions. */
export function estimatePromptTokens(
  messages: readonly ChatMessage[],
  tools?: readonly ToolDefinition[],
): number {
  let tokens = 0;
  for (const message of messages) tokens += estimateMessageTokens(message);
  if (tools) for (const tool of tools) tokens += estimateTextTokens(JSON.stringify(tool.function));
  return tokens;
}

/**
 * Estimated tokens of a legacy completions `prompt` or an embeddings `input`: a string, a list
 * of strings, a list of token ids, or a list of such lists. Text uses {@link estimateTextTokens};
 * token ids count one each. Iterative, and bounded by what validation let through.
 */
export function estimateInputTokens(input: unknown): number {
  if (typeof input === 'string') return estimateTextTokens(input);
  if (!Array.isArray(input)) return 0;
  let tokens = 0;
  for (const item of input) {
    if (typeof item === 'string') tokens += estimateTextTokens(item);
    else if (typeof item === 'number') tokens += 1;
    else if (Array.isArray(item)) tokens += item.length;
  }
  return tokens;
}
