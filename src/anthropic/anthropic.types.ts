/**
 * Wire shapes of the Anthropic Messages API (`POST /v1/messages`), as the gateway accepts and
 * answers them. Requests are the validated form (see `messages-request.validator.ts`): only the
 * fields and blocks the gateway translates exist here; anything else was refused at the edge.
 */

export interface TextBlockParam {
  type: 'text';
  text: string;
}

export interface ImageBlockParam {
  type: 'image';
  source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };
}

export interface ToolUseBlockParam {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export interface ToolResultBlockParam {
  type: 'tool_result';
  tool_use_id: string;
  /** A string, or text blocks; absent means an empty result. */
  content?: string | TextBlockParam[];
  is_error?: boolean;
}

export interface ThinkingBlockParam {
  type: 'thinking';
  thinking: string;
  signature?: string;
}

export type UserBlockParam = TextBlockParam | ImageBlockParam | ToolResultBlockParam;
export type AssistantBlockParam = TextBlockParam | ToolUseBlockParam | ThinkingBlockParam;

export type MessageParam =
  | { role: 'user'; content: string | UserBlockParam[] }
  | { role: 'assistant'; content: string | AssistantBlockParam[] }
  | { role: 'system'; content: string | TextBlockParam[] };

export interface ToolParam {
  name: string;
  description?: string;
  /** Absent only for a name-only entry that names a registered server-side tool. */
  input_schema?: Record<string, unknown>;
}

export type ToolChoiceParam =
  | { type: 'auto'; disable_parallel_tool_use?: boolean }
  | { type: 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

export type ThinkingParam =
  | { type: 'enabled'; budget_tokens: number; display?: ThinkingDisplay }
  | { type: 'adaptive'; display?: ThinkingDisplay }
  | { type: 'disabled' };

export type ThinkingDisplay = 'summarized' | 'omitted' | null;

/** The body of `POST /v1/messages` after edge validation. */
export interface MessagesRequest {
  model: string;
  messages: MessageParam[];
  max_tokens: number;
  system?: string | TextBlockParam[];
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stream?: boolean;
  tools?: ToolParam[];
  tool_choice?: ToolChoiceParam;
  thinking?: ThinkingParam;
  metadata?: { user_id?: string | null };
}

/** The body of `POST /v1/messages/count_tokens`: a messages request without generation fields. */
export type CountTokensRequest = Pick<
  MessagesRequest,
  'model' | 'messages' | 'system' | 'tools' | 'tool_choice' | 'thinking'
>;

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';

export interface TextBlock {
  type: 'text';
  text: string;
}

export interface ThinkingBlock {
  type: 'thinking';
  thinking: string;
  /** Anthropic signs its own reasoning; an open model's has no signature (empty). */
  signature: string;
}

export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export type ContentBlock = TextBlock | ThinkingBlock | ToolUseBlock;

export interface MessageUsage {
  input_tokens: number;
  output_tokens: number;
  /** Prompt tokens the upstream served from its prefix cache, when it says. */
  cache_read_input_tokens?: number;
}

/** The answer of `POST /v1/messages`. */
export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ContentBlock[];
  stop_reason: StopReason | null;
  stop_sequence: string | null;
  usage: MessageUsage;
}

export type ContentDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'input_json_delta'; partial_json: string }
  | { type: 'thinking_delta'; thinking: string };

/** The events of a streamed answer, in Anthropic's order (see `messages-stream.operator.ts`). */
export type MessageStreamEvent =
  | { type: 'message_start'; message: AnthropicMessage }
  | { type: 'content_block_start'; index: number; content_block: ContentBlock }
  | { type: 'content_block_delta'; index: number; delta: ContentDelta }
  | { type: 'content_block_stop'; index: number }
  | {
      type: 'message_delta';
      delta: { stop_reason: StopReason | null; stop_sequence: string | null };
      usage: MessageUsage;
    }
  | { type: 'message_stop' };

export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

/** Anthropic's error envelope, on every error under `/v1/messages` (in-band too). */
export interface AnthropicErrorBody {
  type: 'error';
  error: { type: AnthropicErrorType; message: string };
}
