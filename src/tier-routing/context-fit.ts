import type { ChatMessage } from '../common/openai';
import { estimateMessageTokens } from '../common/tokens';

/**
 * Drops the oldest non-system turns until the conversation fits `budget` tokens, or returns
 * undefined when even the smallest valid conversation does not fit. Turns are dropped whole:
 * an assistant message with tool calls goes together with the tool results that answer it, so
 * no tool result is left without its call. System (and developer) messages and the last turn
 * are always kept.
 */
export function truncateOldest(
  messages: readonly ChatMessage[],
  budget: number,
): { messages: ChatMessage[]; dropped: number } | undefined {
  const sizes = messages.map(estimateMessageTokens);
  let total = sizes.reduce((a, b) => a + b, 0);
  if (total <= budget) return { messages: [...messages], dropped: 0 };
  const keep = messages.map(() => true);
  const lastTurn = lastTurnStart(messages);
  for (let i = 0; i < lastTurn && total > budget; i++) {
    const role = messages[i].role;
    if (!keep[i] || role === 'system' || role === 'developer') continue;
    const end = groupEnd(messages, i);
    if (end > lastTurn) break;
    for (let j = i; j < end; j++) {
      if (keep[j]) {
        keep[j] = false;
        total -= sizes[j];
      }
    }
  }
  if (total > budget) return undefined;
  const kept = messages.filter((_, i) => keep[i]);
  return { messages: kept, dropped: messages.length - kept.length };
}

/** Index after the group starting at `i`: an assistant tool-call message and its tool results. */
function groupEnd(messages: readonly ChatMessage[], i: number): number {
  let end = i + 1;
  if (messages[i].role === 'assistant' && messages[i].tool_calls?.length) {
    while (end < messages.length && messages[end].role === 'tool') end++;
  }
  return end;
}

/** The start of the last turn (the last user message and what follows it); never dropped. */
function lastTurnStart(messages: readonly ChatMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'user') return i;
  return messages.length - 1;
}
