import { randomBytes } from 'node:crypto';
import type { ChatCompletion, ChatMessage, Usage } from '../common/openai';
import type {
  OutputFunctionCall,
  OutputItem,
  OutputMessage,
  OutputReasoning,
  ResponseObject,
  ResponsesRequest,
  ResponseUsage,
} from './responses.types';

/** `resp_…`, `msg_…`, `fc_…`, `rs_…`: OpenAI's id prefixes with 48 random hex digits. */
export function newItemId(prefix: 'resp' | 'msg' | 'fc' | 'fco' | 'rs'): string {
  return `${prefix}_${randomBytes(24).toString('hex')}`;
}

/** What a response says of its own request, whether answered whole or streamed. */
export interface ResponseFrame {
  id: string;
  createdAt: number;
  request: ResponsesRequest;
}

/** A response object with no output yet (`response.created`), for `frame`. */
export function responseShell(frame: ResponseFrame, model: string): ResponseObject {
  const body = frame.request;
  return {
    id: frame.id,
    object: 'response',
    created_at: frame.createdAt,
    status: 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model,
    output: [],
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: body.reasoning?.effort ?? null, summary: null },
    store: body.store !== false,
    temperature: body.temperature ?? null,
    text: { format: body.text?.format ?? { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: body.top_p ?? null,
    truncation: 'disabled',
    usage: null,
    user: body.user ?? null,
    metadata: body.metadata ?? {},
  };
}

/** The Responses `usage` of a chat usage (input, cached, output, reasoning tokens). */
export function responseUsage(usage: Usage | null | undefined): ResponseUsage | null {
  if (!usage) return null;
  const input = numberOr0(usage.prompt_tokens);
  const output = numberOr0(usage.completion_tokens);
  const details = usage.prompt_tokens_details as { cached_tokens?: unknown } | null | undefined;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: numberOr0(details?.cached_tokens) },
    output_tokens: output,
    output_tokens_details: {
      reasoning_tokens: numberOr0(usage.completion_tokens_details?.reasoning_tokens),
    },
    total_tokens: numberOr0(usage.total_tokens) || input + output,
  };
}

/** The response's end state from the chat finish reason. */
export function finishState(
  finishReason: string | null | undefined,
): Pick<ResponseObject, 'status' | 'incomplete_details'> {
  if (finishReason === 'length') {
    return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  }
  if (finishReason === 'content_filter') {
    return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  }
  return { status: 'completed', incomplete_details: null };
}

/**
 * A whole chat completion as a response object: reasoning (its own item, never in the text),
 * the message's text, then each tool call as a `function_call` item.
 */
export function toResponse(completion: ChatCompletion, frame: ResponseFrame): ResponseObject {
  const choice = completion.choices[0];
  const message: ChatMessage | undefined = choice?.message;
  const state = finishState(choice?.finish_reason);
  const itemStatus = state.status === 'completed' ? 'completed' : 'incomplete';
  const output: OutputItem[] = [];
  const reasoning = message?.reasoning_content;
  if (typeof reasoning === 'string' && reasoning !== '') {
    output.push(reasoningItem(newItemId('rs'), reasoning));
  }
  const text = messageText(message?.content);
  if (text !== '' || !message?.tool_calls?.length) {
    output.push(messageItem(newItemId('msg'), text, itemStatus));
  }
  for (const call of message?.tool_calls ?? []) {
    output.push({
      type: 'function_call',
      id: newItemId('fc'),
      call_id: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
      status: 'completed',
    } satisfies OutputFunctionCall);
  }
  return {
    ...responseShell(frame, completion.model),
    ...state,
    output,
    usage: responseUsage(completion.usage),
  };
}

export function messageItem(
  id: string,
  text: string,
  status: OutputMessage['status'],
): OutputMessage {
  return {
    type: 'message',
    id,
    status,
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
  };
}

export function reasoningItem(id: string, text: string): OutputReasoning {
  return { type: 'reasoning', id, summary: [], content: [{ type: 'reasoning_text', text }] };
}

function messageText(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (typeof part.text === 'string' ? part.text : '')).join('');
}

function numberOr0(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
