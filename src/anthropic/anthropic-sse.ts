import { catchError, map, of, throwError, type OperatorFunction } from 'rxjs';
import { SseResponseWriter, type SseEvent } from '../common/sse';
import type { InferenceExchange } from '../tier-routing';
import { toAnthropicErrorBody } from './anthropic-error.envelope';
import type { MessageStreamEvent } from './anthropic.types';

/** Anthropic's heartbeat: a `ping` event, which its clients skip. */
const PING_FRAME = 'event: ping\ndata: {"type":"ping"}\n\n';

/** The SSE writer of a Messages stream: its heartbeat is Anthropic's `ping` event. */
export class AnthropicSseWriter extends SseResponseWriter {
  protected override heartbeatFrame(): string {
    return PING_FRAME;
  }
}

/** Each event as `event: <type>` and its JSON (Anthropic's client reads the event name). */
export function toSseEvents(): OperatorFunction<MessageStreamEvent, SseEvent> {
  return map((event) => ({ event: event.type, data: JSON.stringify(event) }));
}

/**
 * A failure once the stream is open becomes Anthropic's in-band `event: error` with its
 * envelope, after it is recorded on the request's telemetry and the key's accounting (the
 * exchange's renderer; its OpenAI body is not sent), and the stream ends. Before the response
 * opened, the failure passes on, and the exception filter answers it with its status.
 */
export function inBandAnthropicError(
  exchange: Pick<InferenceExchange, 'renderError'>,
  writer: Pick<SseResponseWriter, 'opened'>,
): OperatorFunction<SseEvent, SseEvent> {
  return catchError((error: unknown) => {
    if (!writer.opened) return throwError(() => error);
    exchange.renderError(error);
    return of({ event: 'error', data: JSON.stringify(toAnthropicErrorBody(error)) });
  });
}
