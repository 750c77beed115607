import { ErrorCode, GatewayException } from '../common/errors';
import type { ChatCompletion, Usage } from '../common/openai';
import { AnthropicMessages as M } from './anthropic.messages';
import type { AnthropicMessage, ContentBlock, MessageUsage, StopReason } from './anthropic.types';

/** What the answer's translation needs from the request. */
export interface AnswerOptions {
  /** The request's `stop_sequences`: a stop the upstream names as one of them is reported. */
  stopSequences?: readonly string[];
  /** `false` when the caller asked for `thinking.display: "omitted"`. */
  showThinking: boolean;
}

export interface StopOutcome {
  stop_reason: StopReason | null;
  stop_sequence: string | null;
}

/**
 * A chat `finish_reason` → Anthropic's `stop_reason`: `stop` → `end_turn` (or `stop_sequence`
 * when the upstream names the sequence that matched, as vLLM's `stop_reason` does),
 * `length` → `max_tokens`, `tool_calls` → `tool_use`, `content_filter` → `refusal`. A model that
 * called tools and says `stop` (vLLM with a named `tool_choice`) ended its turn on tool use.
 * An unknown finish reason of an upstream's own ends the turn; none at all is `null`.
 */
export function stopOutcome(
  finishReason: string | null | undefined,
  upstreamStop: unknown,
  calledTools: boolean,
  stopSequences: readonly string[] | undefined,
): StopOutcome {
  const none = { stop_reason: null, stop_sequence: null };
  switch (finishReason) {
    case null:
    case undefined:
      return none;
    case 'length':
      return { stop_reason: 'max_tokens', stop_sequence: null };
    case 'tool_calls':
    case 'function_call':
      return { stop_reason: 'tool_use', stop_sequence: null };
    case 'content_filter':
      return { stop_reason: 'refusal', stop_sequence: null };
    default:
      if (calledTools) return { stop_reason: 'tool_use', stop_sequence: null };
      if (typeof upstreamStop === 'string' && stopSequences?.includes(upstreamStop)) {
        return { stop_reason: 'stop_sequence', stop_sequence: upstreamStop };
      }
      return { stop_reason: 'end_turn', stop_sequence: null };
  }
}

/**
 * Chat `usage` → Anthropic's: `input_tokens` counts what was not read from cache (Anthropic's
 * meaning), `cache_read_input_tokens` what was, when the upstream says.
 */
export function toMessageUsage(usage: Usage | null | undefined): MessageUsage {
  const prompt = usage?.prompt_tokens ?? 0;
  const output = usage?.completion_tokens ?? 0;
  const details = usage?.prompt_tokens_details as { cached_tokens?: unknown } | null | undefined;
  const cached = details?.cached_tokens;
  if (typeof cached === 'number' && cached > 0 && cached <= prompt) {
    return {
      input_tokens: prompt - cached,
      output_tokens: output,
      cache_read_input_tokens: cached,
    };
  }
  return { input_tokens: prompt, output_tokens: output };
}

/** `msg_<the chat id>`: the answer keeps the upstream's id, in Anthropic's form. */
export function messageIdOf(chatId: string | undefined): string {
  return `msg_${(chatId ?? '').replace(/^chatcmpl-/, '') || 'tiergate'}`;
}

/**
 * A chat completion → the Messages API answer: a `thinking` block for the reasoning (never
 * mixed into the text), a `text` block, then a `tool_use` block per tool call.
 *
 * @throws GatewayException 502 `upstream_error` when a tool call's arguments are not a JSON
 *   object, unless the answer was cut by `max_tokens` (then the cut call is left out and
 *   `stop_reason` says `max_tokens`).
 */
export function toAnthropicMessage(
  completion: ChatCompletion,
  options: AnswerOptions,
): AnthropicMessage {
  const choice = completion.choices[0];
  const message = choice?.message;
  const content: ContentBlock[] = [];
  const reasoning = message?.reasoning_content;
  if (options.showThinking && typeof reasoning === 'string' && reasoning.length > 0) {
    content.push({ type: 'thinking', thinking: reasoning, signature: '' });
  }
  const text =
    typeof message?.content === 'string' ? message.content : textOfParts(message?.content);
  if (text.length > 0) content.push({ type: 'text', text });
  const cut = choice?.finish_reason === 'length';
  for (const call of message?.tool_calls ?? []) {
    const input = parseArguments(call.function.arguments);
    if (input === undefined) {
      if (cut) continue;
      throw new GatewayException(
        ErrorCode.UpstreamError,
        M.toolArgumentsNotJson(call.function.name),
      );
    }
    content.push({ type: 'tool_use', id: call.id, name: call.function.name, input });
  }
  const calledTools = content.some((block) => block.type === 'tool_use');
  return {
    id: messageIdOf(completion.id),
    type: 'message',
    role: 'assistant',
    model: completion.model,
    content,
    ...stopOutcome(choice?.finish_reason, choice?.stop_reason, calledTools, options.stopSequences),
    usage: toMessageUsage(completion.usage),
  };
}

/** Tool-call arguments as Anthropic's `input` object; empty arguments are `{}`. */
function parseArguments(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function textOfParts(parts: unknown): string {
  if (!Array.isArray(parts)) return '';
  let text = '';
  for (const part of parts as { type?: unknown; text?: unknown }[]) {
    if (typeof part.text === 'string') text += part.text;
  }
  return text;
}
