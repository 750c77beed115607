/**
 * llama.cpp (`llama-server`) flavoured faults for the simulator: the HTTP 500 (and 400) answers
 * llama-server gives to invalid requests, with its bodies, as described in
 * ../shared/tools/tiny-gguf/README.md ("Wire facts of this llama-server build"). Pure functions.
 */
import { charsToTokens, chatPromptTokens } from './wire';

type Json = Record<string, unknown>;

export interface LlamaCppFault {
  status: number;
  body: string;
}

const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** llama-server's error envelope: `{"error":{"code","message","type"}}` (plus extra fields). */
export function llamaCppError(
  status: number,
  message: string,
  type = status === 500 ? 'server_error' : 'invalid_request_error',
  extra: Json = {},
): string {
  return JSON.stringify({ error: { code: status, message, type, ...extra } });
}

/** A body that is not JSON: llama-server's nlohmann::json parse error, as a 500. */
export function llamaCppParseError(raw: string): LlamaCppFault {
  const column = Math.min(raw.length, 2);
  const last = raw.slice(0, column);
  return {
    status: 500,
    body: llamaCppError(
      500,
      `[json.exception.parse_error.101] parse error at line 1, column ${column}: syntax error ` +
        `while parsing object key - invalid literal; last read: '${last}'; expected string literal`,
    ),
  };
}

/**
 * What llama-server answers a well-formed JSON request it cannot take: a tool-call argument in
 * the history that is not JSON, an `image_url` part (a text-only model), a tool without
 * `function`, an embeddings input longer than the batch (all 500); a prompt longer than the
 * context (400 `exceed_context_size_error`). Undefined when it would serve the request.
 */
export function llamaCppFault(
  kind: 'chat' | 'completion' | 'embedding',
  body: Json,
  contextWindow: number,
  batchTokens: number,
): LlamaCppFault | undefined {
  if (kind === 'embedding') {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    for (const input of inputs) {
      const tokens = typeof input === 'string' ? charsToTokens(input.length) : 0;
      if (tokens > batchTokens) {
        return {
          status: 500,
          body: llamaCppError(
            500,
            `input (${tokens} tokens) is too large to process. increase the physical batch ` +
              `size (current batch size: ${batchTokens})`,
          ),
        };
      }
    }
    return undefined;
  }
  if (kind !== 'chat') return undefined;
  const tools = Array.isArray(body.tools) ? body.tools : [];
  if (tools.some((tool) => !isObj(tool) || !isObj(tool.function))) {
    return {
      status: 500,
      body: llamaCppError(500, "[json.exception.out_of_range.403] key 'function' not found"),
    };
  }
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (const message of messages) {
    if (!isObj(message)) continue;
    if (Array.isArray(message.content)) {
      for (const part of message.content) {
        if (isObj(part) && part.type === 'image_url') {
          return {
            status: 500,
            body: llamaCppError(
              500,
              'image input is not supported - hint: if this is unexpected, you may need to ' +
                'provide the mmproj',
            ),
          };
        }
      }
    }
    const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
    for (const call of calls) {
      const args = isObj(call) && isObj(call.function) ? call.function.arguments : undefined;
      if (typeof args !== 'string') continue;
      try {
        JSON.parse(args);
      } catch {
        return {
          status: 500,
          body: llamaCppError(
            500,
            'Failed to parse tool call arguments as JSON: [json.exception.parse_error.101] ' +
              `parse error at line 1, column ${args.length + 1}: syntax error while parsing ` +
              `value - unexpected end of input; expected '[', '{', or a literal`,
          ),
        };
      }
    }
  }
  const prompt = chatPromptTokens(messages);
  if (prompt > contextWindow) {
    return {
      status: 400,
      body: llamaCppError(
        400,
        `request (${prompt} tokens) exceeds the available context size (${contextWindow} ` +
          'tokens), try increasing it',
        'exceed_context_size_error',
        { n_prompt_tokens: prompt, n_ctx: contextWindow },
      ),
    };
  }
  return undefined;
}
