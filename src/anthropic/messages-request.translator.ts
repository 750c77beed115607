import type {
  ChatCompletionRequest,
  ChatMessage,
  ContentPart,
  ReasoningEffort,
  ToolCall,
  ToolChoice,
  ToolDefinition,
} from '../common/openai';
import type {
  AssistantBlockParam,
  CountTokensRequest,
  ImageBlockParam,
  MessageParam,
  MessagesRequest,
  TextBlockParam,
  ThinkingParam,
  ToolChoiceParam,
  ToolParam,
  ToolResultBlockParam,
  UserBlockParam,
} from './anthropic.types';

/**
 * A validated Messages request → the chat request the gateway routes and sends upstream.
 *
 * - `system` (and `system` messages) → a `system` message first;
 * - a user message's `tool_result` blocks → `tool` messages, placed before the rest of that
 *   message (chat wants tool results right after the assistant's calls); `is_error` results carry
 *   `{"error": …}`, the shape the gateway's own tools use for a failure;
 * - `image` → an `image_url` part (base64 as a `data:` URL);
 * - an assistant's `tool_use` → `tool_calls`, its `thinking` → `reasoning_content`;
 * - `tools` → function tools (`input_schema` as `parameters`), `tool_choice` auto/any/tool/none →
 *   auto/required/the named function/none, `disable_parallel_tool_use` → `parallel_tool_calls`;
 * - `stop_sequences` → `stop`, `metadata.user_id` → `user`, `top_k` as vLLM and llama.cpp take it;
 * - `thinking` → a routing hint (`reasoning_effort`), so `auto` sends it to the thinking tier.
 */
export function toChatRequest(request: MessagesRequest): ChatCompletionRequest {
  const chat: ChatCompletionRequest = {
    model: request.model,
    messages: toChatMessages(request),
    max_tokens: request.max_tokens,
  };
  if (request.stream === true) chat.stream = true;
  if (request.stop_sequences !== undefined) chat.stop = request.stop_sequences;
  if (request.temperature !== undefined) chat.temperature = request.temperature;
  if (request.top_p !== undefined) chat.top_p = request.top_p;
  if (request.top_k !== undefined) chat.top_k = request.top_k;
  if (request.tools !== undefined) chat.tools = request.tools.map(toChatTool);
  if (request.tool_choice !== undefined) {
    chat.tool_choice = toChatToolChoice(request.tool_choice);
    if ('disable_parallel_tool_use' in request.tool_choice) {
      const noParallel = request.tool_choice.disable_parallel_tool_use;
      if (noParallel !== undefined) chat.parallel_tool_calls = !noParallel;
    }
  }
  const effort = thinkingHint(request.thinking);
  if (effort !== undefined) chat.reasoning_effort = effort;
  const user = request.metadata?.user_id;
  if (typeof user === 'string') chat.user = user;
  return chat;
}

/**
 * The routing hint of `thinking`: an explicit budget asks for reasoning (`high`), adaptive
 * thinking leaves the amount to the model (`medium`); both are thinking-tier hints on `auto`.
 * Disabled thinking is Anthropic's default and says nothing about the tier.
 */
export function thinkingHint(thinking: ThinkingParam | undefined): ReasoningEffort | undefined {
  switch (thinking?.type) {
    case 'enabled':
      return 'high';
    case 'adaptive':
      return 'medium';
    default:
      return undefined;
  }
}

/** Whether the caller wants reasoning text back (`thinking.display: "omitted"` does not). */
export function showsThinking(thinking: ThinkingParam | undefined): boolean {
  return thinking === undefined || thinking.type === 'disabled' || thinking.display !== 'omitted';
}

/** The chat messages of a request (also what `count_tokens` estimates). */
export function toChatMessages(request: CountTokensRequest): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (request.system !== undefined) {
    messages.push({ role: 'system', content: textContent(request.system) });
  }
  for (const message of request.messages) appendMessage(messages, message);
  return messages;
}

function appendMessage(into: ChatMessage[], message: MessageParam): void {
  if (typeof message.content === 'string') {
    into.push({ role: message.role, content: message.content });
    return;
  }
  switch (message.role) {
    case 'system':
      into.push({ role: 'system', content: textContent(message.content) });
      return;
    case 'assistant':
      into.push(assistantMessage(message.content));
      return;
    case 'user':
      appendUser(into, message.content);
      return;
  }
}

function appendUser(into: ChatMessage[], blocks: UserBlockParam[]): void {
  const rest: (TextBlockParam | ImageBlockParam)[] = [];
  for (const block of blocks) {
    if (block.type === 'tool_result') into.push(toolMessage(block));
    else rest.push(block);
  }
  const onlyResults = rest.length === 0 && blocks.length > 0;
  if (onlyResults) return;
  into.push({
    role: 'user',
    content: rest.length === 1 && rest[0].type === 'text' ? rest[0].text : rest.map(toContentPart),
  });
}

function toolMessage(block: ToolResultBlockParam): ChatMessage {
  const content = block.content;
  const text =
    content === undefined
      ? ''
      : typeof content === 'string'
        ? content
        : content.map((part) => part.text).join('\n');
  return {
    role: 'tool',
    tool_call_id: block.tool_use_id,
    content: block.is_error === true ? JSON.stringify({ error: text }) : text,
  };
}

function assistantMessage(blocks: AssistantBlockParam[]): ChatMessage {
  const texts: TextBlockParam[] = [];
  const calls: ToolCall[] = [];
  let reasoning: string | undefined;
  for (const block of blocks) {
    if (block.type === 'text') texts.push(block);
    else if (block.type === 'tool_use') {
      calls.push({
        id: block.id,
        type: 'function',
        function: { name: block.name, arguments: JSON.stringify(block.input) },
      });
    } else reasoning = (reasoning ?? '') + block.thinking;
  }
  const message: ChatMessage = {
    role: 'assistant',
    content: texts.length === 0 ? (calls.length > 0 ? null : '') : textContent(texts),
  };
  if (calls.length > 0) message.tool_calls = calls;
  if (reasoning !== undefined) message.reasoning_content = reasoning;
  return message;
}

/** One text block as a string, several as text parts (nothing joined that was apart). */
function textContent(content: string | TextBlockParam[]): string | ContentPart[] {
  if (typeof content === 'string') return content;
  return content.length === 1 ? content[0].text : content.map(toContentPart);
}

function toContentPart(block: TextBlockParam | ImageBlockParam): ContentPart {
  if (block.type === 'text') return { type: 'text', text: block.text };
  const source = block.source;
  const url =
    source.type === 'base64' ? `data:${source.media_type};base64,${source.data}` : source.url;
  return { type: 'image_url', image_url: { url } };
}

/** A Messages tool as a chat function tool (`input_schema` as `parameters`). */
export function toChatTool(tool: ToolParam): ToolDefinition {
  const fn: ToolDefinition['function'] = { name: tool.name };
  if (tool.description !== undefined) fn.description = tool.description;
  if (tool.input_schema !== undefined) fn.parameters = tool.input_schema;
  return { type: 'function', function: fn };
}

function toChatToolChoice(choice: ToolChoiceParam): ToolChoice {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: choice.name } };
  }
}
