import { ErrorCode, ErrorMessages, GatewayException } from '../common/errors';
import { malformed } from './openai-wire.mapper';
import type { StreamShape } from './stream-shape';
import type { ResponsesStreamEvent } from './upstream.interface';

/**
 * An upstream's own Responses API (`/v1/responses` of vLLM, llama.cpp) on the wire: the answer
 * object and the stream's events, checked for shape only; the fronts decide what they mean.
 */

/** A whole answer: a JSON object with an `output` list. */
export function parseResponseObject(raw: string, origin: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw malformed('Responses answer that is not JSON', origin, raw);
  }
  if (
    value === null ||
    typeof value !== 'object' ||
    !Array.isArray((value as { output?: unknown }).output)
  ) {
    throw malformed('Responses answer without an output list', origin, raw);
  }
  return value as Record<string, unknown>;
}

/** The events that end a Responses stream (OpenAI sends no `[DONE]`). */
const LAST_EVENTS: ReadonlySet<string> = new Set(['response.completed', 'response.incomplete']);

/** Events that carry what the caller would see: the first of them is the commit point. */
const COMMIT_EVENTS: ReadonlySet<string> = new Set([
  'response.output_text.delta',
  'response.refusal.delta',
  'response.reasoning_text.delta',
  'response.reasoning_summary_text.delta',
  'response.function_call_arguments.delta',
  'response.output_item.done',
  ...LAST_EVENTS,
]);

/**
 * The upstream's Responses events. A failure it reports (`error`, `response.failed`) fails the
 * stream like a broken chat stream: retried before the commit point, in-band after it.
 */
export const RESPONSES_STREAM: StreamShape<ResponsesStreamEvent> = {
  parse(json, origin) {
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      throw malformed('Responses event that is not JSON', origin, json);
    }
    const type = (value as { type?: unknown } | null)?.type;
    if (typeof type !== 'string') throw malformed('Responses event without a type', origin, json);
    if (type === 'error' || type === 'response.failed') {
      throw new GatewayException(
        ErrorCode.UpstreamError,
        ErrorMessages.upstreamStreamBroken('the upstream reported an error mid-stream'),
        { upstream: { origin, body: json.slice(0, 2048) } },
      );
    }
    return { raw: json, chunk: value as ResponsesStreamEvent };
  },
  isCommit: ({ chunk }) => COMMIT_EVENTS.has(chunk.type),
  isLast: ({ chunk }) => LAST_EVENTS.has(chunk.type),
  trace(trace, { chunk: event }) {
    const response = event.response;
    if (response === undefined || !LAST_EVENTS.has(event.type)) return;
    const usage = response.usage as { input_tokens?: unknown; output_tokens?: unknown } | null;
    trace.chunk({
      model: response.model,
      choices: [],
      usage: usage
        ? { prompt_tokens: usage.input_tokens, completion_tokens: usage.output_tokens }
        : undefined,
    });
  },
};
