import { ErrorCode, ErrorMessages, GatewayException } from '../errors';

/** Bounds on a request body's shape (`limits.request`); the body limit caps its bytes. */
export interface RequestBounds {
  maxMessages: number;
  /** Characters of one message's text: a string, or its text parts together. */
  maxContentChars: number;
  maxTools: number;
  /** Nesting of arrays and objects, the body itself being level 1. */
  maxJsonDepth: number;
  /**
   * `tool_calls` of one message (`tools.max_calls_per_round`: a turn the gateway would not run
   * whole); unbounded when absent.
   */
  maxToolCalls?: number;
}

/**
 * Throws docs/api.md §6's 400 `invalid_value` when a parsed body exceeds `bounds`. Runs before anything
 * recursive (class-transformer, class-validator, JSON.stringify) touches the body, and is
 * itself iterative: a body of 100 000 nested `[` is refused, not a stack overflow.
 */
export function checkRequestBounds(body: unknown, bounds: RequestBounds): void {
  if (deeperThan(body, bounds.maxJsonDepth)) {
    throw new GatewayException(ErrorCode.InvalidValue, ErrorMessages.tooDeep(bounds.maxJsonDepth));
  }
  if (!isPlainObject(body)) return;
  const { messages, tools } = body;
  if (Array.isArray(messages)) {
    if (messages.length > bounds.maxMessages) {
      throw new GatewayException(
        ErrorCode.InvalidValue,
        ErrorMessages.tooManyMessages(messages.length, bounds.maxMessages),
        { param: 'messages' },
      );
    }
    messages.forEach((message: unknown, index) => {
      const chars = isPlainObject(message) ? textLength(message.content) : 0;
      if (chars > bounds.maxContentChars) {
        throw new GatewayException(
          ErrorCode.InvalidValue,
          ErrorMessages.contentTooLong(chars, bounds.maxContentChars),
          { param: `messages[${index}].content` },
        );
      }
      const calls = isPlainObject(message) ? message.tool_calls : undefined;
      const maxCalls = bounds.maxToolCalls;
      if (maxCalls !== undefined && Array.isArray(calls) && calls.length > maxCalls) {
        throw new GatewayException(
          ErrorCode.InvalidValue,
          ErrorMessages.tooManyToolCalls(calls.length, maxCalls),
          { param: `messages[${index}].tool_calls` },
        );
      }
    });
  }
  if (Array.isArray(tools) && tools.length > bounds.maxTools) {
    throw new GatewayException(
      ErrorCode.InvalidValue,
      ErrorMessages.tooManyTools(tools.length, bounds.maxTools),
      { param: 'tools' },
    );
  }
}

/** Whether arrays and objects nest deeper than `max` anywhere in `value` (an explicit stack). */
export function deeperThan(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const pending: object[] = [value];
  const depths: number[] = [1];
  while (pending.length > 0) {
    const node = pending.pop() as object;
    const depth = depths.pop() as number;
    if (depth > max) return true;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (child !== null && typeof child === 'object') {
        pending.push(child as object);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

function textLength(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  let chars = 0;
  for (const part of content) {
    if (isPlainObject(part) && typeof part.text === 'string') chars += part.text.length;
  }
  return chars;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
