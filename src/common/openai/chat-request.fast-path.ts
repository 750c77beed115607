import { CHAT_ROLES, REASONING_EFFORTS, type ChatRole, type ReasoningEffort } from './chat.types';

/**
 * A hand-written acceptance check for `POST /v1/chat/completions` bodies, run before the
 * class-validator DTO. It mirrors the DTO's decorators and accepts only bodies the DTO accepts
 * (a property test holds it to that); anything it is unsure of goes through class-validator,
 * which stays the source of truth and of every error message. It exists because
 * class-transformer's deep copy plus class-validator cost about a fifth of the gateway's CPU per
 * request (docs/performance.md), and nearly every request is valid.
 */

const ROLES: ReadonlySet<ChatRole> = new Set(CHAT_ROLES);
const EFFORTS: ReadonlySet<ReasoningEffort> = new Set(REASONING_EFFORTS);

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `@IsOptional()`: class-validator skips null and undefined. */
function absent(value: unknown): boolean {
  return value === undefined || value === null;
}

function optionalBoolean(value: unknown): boolean {
  return absent(value) || typeof value === 'boolean';
}

function optionalString(value: unknown): boolean {
  return absent(value) || typeof value === 'string';
}

function optionalInt(value: unknown, min: number, max: number): boolean {
  return (
    absent(value) ||
    (Number.isInteger(value) && (value as number) >= min && (value as number) <= max)
  );
}

function optionalNumber(value: unknown, min: number, max: number): boolean {
  return (
    absent(value) ||
    (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max)
  );
}

function isContent(value: unknown): boolean {
  if (value === null || typeof value === 'string') return true;
  if (!Array.isArray(value)) return false;
  for (const part of value) if (!isObject(part) || typeof part.type !== 'string') return false;
  return true;
}

function isToolCalls(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (const call of value) {
    if (!isObject(call) || typeof call.id !== 'string') return false;
    const fn = call.function;
    if (!isObject(fn) || typeof fn.name !== 'string' || typeof fn.arguments !== 'string')
      return false;
  }
  return true;
}

function isMessage(value: unknown): boolean {
  if (!isObject(value)) return false;
  const role = value.role as ChatRole;
  if (!ROLES.has(role)) return false;
  const content = value.content;
  if (
    (content !== undefined || (role !== 'assistant' && role !== 'function')) &&
    !isContent(content)
  )
    return false;
  if (!optionalString(value.name)) return false;
  if (!absent(value.tool_calls) && !isToolCalls(value.tool_calls)) return false;
  const toolCallId = value.tool_call_id;
  if ((role === 'tool' || toolCallId !== undefined) && typeof toolCallId !== 'string') return false;
  return true;
}

function isTools(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  for (const tool of value) {
    if (!isObject(tool) || tool.type !== 'function') return false;
    const fn = tool.function;
    if (!isObject(fn) || typeof fn.name !== 'string' || fn.name.length === 0) return false;
    if (fn.parameters !== undefined && !isObject(fn.parameters)) return false;
  }
  return true;
}

function isToolChoice(value: unknown): boolean {
  if (value === 'none' || value === 'auto' || value === 'required') return true;
  return (
    isObject(value) &&
    value.type === 'function' &&
    isObject(value.function) &&
    typeof value.function.name === 'string'
  );
}

function isStop(value: unknown): boolean {
  if (typeof value === 'string') return true;
  if (!Array.isArray(value) || value.length > 4) return false;
  for (const s of value) if (typeof s !== 'string') return false;
  return true;
}

/** True only for bodies the `ChatCompletionRequestDto` accepts; false means "ask class-validator". */
export function isPlainValidChatRequest(body: Json): boolean {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return false;
  for (const message of messages) if (!isMessage(message)) return false;
  const streamOptions = body.stream_options;
  return (
    optionalString(body.model) &&
    optionalBoolean(body.stream) &&
    (absent(streamOptions) ||
      (isObject(streamOptions) && optionalBoolean(streamOptions.include_usage))) &&
    (absent(body.tools) || isTools(body.tools)) &&
    (absent(body.tool_choice) || isToolChoice(body.tool_choice)) &&
    optionalBoolean(body.parallel_tool_calls) &&
    (absent(body.response_format) || isObject(body.response_format)) &&
    optionalInt(body.max_tokens, 1, Number.MAX_SAFE_INTEGER) &&
    optionalInt(body.max_completion_tokens, 1, Number.MAX_SAFE_INTEGER) &&
    optionalNumber(body.temperature, 0, 2) &&
    optionalNumber(body.top_p, 0, 1) &&
    optionalInt(body.n, 1, 128) &&
    (absent(body.stop) || isStop(body.stop)) &&
    optionalInt(body.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) &&
    optionalBoolean(body.logprobs) &&
    optionalInt(body.top_logprobs, 0, 20) &&
    optionalNumber(body.presence_penalty, -2, 2) &&
    optionalNumber(body.frequency_penalty, -2, 2) &&
    optionalString(body.user) &&
    (absent(body.reasoning_effort) || EFFORTS.has(body.reasoning_effort as ReasoningEffort)) &&
    (absent(body.metadata) || isObject(body.metadata))
  );
}
