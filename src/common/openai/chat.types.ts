/**
 * Wire shapes of the OpenAI Chat Completions API, as the gateway sends and receives them.
 *
 * Only the fields the gateway reads or writes are named; everything else travels through
 * untouched (`[extra: string]: unknown`), so a vLLM-specific field such as `top_k` or
 * `chat_template_kwargs` reaches the upstream exactly as the caller sent it.
 */

export type ChatRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';
export const CHAT_ROLES: readonly ChatRole[] = [
  'system',
  'developer',
  'user',
  'assistant',
  'tool',
  'function',
];

export interface ContentPart {
  type: string;
  text?: string;
  [extra: string]: unknown;
}

export interface ToolCallFunction {
  name: string;
  arguments: string;
}

export interface ToolCall {
  id: string;
  type: 'function';
  function: ToolCallFunction;
}

export interface ChatMessage {
  role: ChatRole;
  content?: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  /** Reasoning text of a thinking model, in the shape DeepSeek and vLLM use. */
  reasoning_content?: string | null;
  [extra: string]: unknown;
}

export interface ToolDefinition {
  type: 'function';
  function: {
    name: string;
    description?: string;
    parameters?: Record<string, unknown>;
    strict?: boolean;
  };
}

export type ToolChoice =
  'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high';
export const REASONING_EFFORTS: readonly ReasoningEffort[] = [
  'none',
  'minimal',
  'low',
  'medium',
  'high',
];

/** The request body of `POST /v1/chat/completions` after edge validation. */
export interface ChatCompletionRequest {
  model?: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean; [extra: string]: unknown } | null;
  tools?: ToolDefinition[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  reasoning_effort?: ReasoningEffort | null;
  [extra: string]: unknown;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  completion_tokens_details?: { reasoning_tokens?: number; [extra: string]: unknown } | null;
  [extra: string]: unknown;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface ChatCompletionChoice {
  index: number;
  message: ChatMessage;
  finish_reason: FinishReason | string | null;
  logprobs?: unknown;
  [extra: string]: unknown;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: ChatCompletionChoice[];
  usage?: Usage | null;
  [extra: string]: unknown;
}

/** A tool call as it arrives in a stream: pieces keyed by `index`, arguments split arbitrarily. */
export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface ChatCompletionDelta {
  role?: ChatRole;
  content?: string | null;
  reasoning_content?: string | null;
  /** vLLM >= 0.10 names the reasoning field `reasoning`. */
  reasoning?: string | null;
  tool_calls?: ToolCallDelta[];
  [extra: string]: unknown;
}

export interface ChatCompletionChunkChoice {
  index: number;
  delta: ChatCompletionDelta;
  finish_reason: FinishReason | string | null;
  logprobs?: unknown;
  [extra: string]: unknown;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: ChatCompletionChunkChoice[];
  usage?: Usage | null;
  [extra: string]: unknown;
}

/** `POST /v1/completions` (legacy) bodies: routed like chat, otherwise passed through. */
export interface CompletionRequest {
  model?: string;
  prompt: unknown;
  stream?: boolean;
  stream_options?: { include_usage?: boolean; [extra: string]: unknown } | null;
  [extra: string]: unknown;
}

export interface CompletionChunk {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: {
    index: number;
    text: string;
    finish_reason: string | null;
    [extra: string]: unknown;
  }[];
  usage?: Usage | null;
  [extra: string]: unknown;
}

export interface EmbeddingRequest {
  model?: string;
  input: unknown;
  [extra: string]: unknown;
}

export interface EmbeddingResponse {
  object: 'list';
  data: { object: 'embedding'; index: number; embedding: number[] | string }[];
  model: string;
  usage?: { prompt_tokens: number; total_tokens: number };
  [extra: string]: unknown;
}

export interface ModelObject {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  [extra: string]: unknown;
}

export interface ModelList {
  object: 'list';
  data: ModelObject[];
}

/** The error envelope of docs/api.md §6. */
export interface OpenAiErrorBody {
  error: {
    message: string;
    type: string;
    param: string | null;
    code: string | null;
  };
}
