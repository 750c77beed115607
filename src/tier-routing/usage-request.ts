import type { ChatCompletionRequest, CompletionRequest } from '../common/openai';

type StreamableRequest = ChatCompletionRequest | CompletionRequest;

/** Whether the caller asked for the final usage chunk of a stream (`stream_options.include_usage`). */
export function callerWantsUsage(body: StreamableRequest): boolean {
  return body.stream_options?.include_usage === true;
}

/**
 * The streaming body an upstream gets: its own model id, and usage always asked for, since the
 * gateway accounts every call; the caller's other stream options pass through, and the usage
 * chunk is dropped on the way back when the caller did not ask for it (docs/api.md §7).
 */
export function streamingUpstreamBody<T extends StreamableRequest>(body: T, model: string): T {
  return {
    ...body,
    model,
    stream: true,
    stream_options: { ...body.stream_options, include_usage: true },
  };
}
