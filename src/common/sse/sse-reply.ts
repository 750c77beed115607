import type { FastifyReply } from 'fastify';
import type { Observable, Observer, Subscription } from 'rxjs';
import type { OpenAiErrorBody } from '../openai/chat.types';
import type { SseResponseWriter, SseWriterOwner } from './sse-writer';

/** A named SSE event (`event:` line, then its JSON `data:`), for the event-typed fronts. */
export interface SseEvent {
  event: string;
  data: string;
}

export interface SseReplyOptions {
  /**
   * A `: ping` is sent after this long without a byte, also before the first payload. The
   * writer's heartbeat times it (its own `heartbeatMs`, which callers set to the same value).
   */
  heartbeatMs: number;
  /** The in-band error event for a failure after the first byte (docs/api.md §7). */
  renderError(error: unknown): OpenAiErrorBody;
  /**
   * Whether a finished stream ends with `data: [DONE]` (OpenAI Chat Completions); the
   * event-typed fronts (Responses, Messages) end with their own last event. Default true.
   */
  done?: boolean;
}

/**
 * Answers a Fastify request with an OpenAI-style SSE stream, opened lazily: a failure before
 * the first payload rejects the returned promise, so the exception filter still answers with a
 * proper status (an upstream 400 stays a 400). After the first byte, failures go in-band. When
 * the caller leaves, the source is unsubscribed, which aborts the upstream request. While no
 * payload has come, the writer's heartbeat opens the response and pings.
 */
export function replyWithSse(
  reply: FastifyReply,
  writer: SseResponseWriter,
  source: Observable<string | SseEvent>,
  options: SseReplyOptions,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const sink = new SseReplySink(reply, writer, options, resolve, reject);
    writer.attach(sink);
    if (sink.done) return;
    const subscription = source.subscribe(sink);
    // The response may have closed while subscribing.
    if (sink.done) subscription.unsubscribe();
    else sink.subscription = subscription;
  });
}

/**
 * One stream's observer and the writer's owner: one object rather than a closure per callback
 * (and no timer: the writer's heartbeat covers the wait for the first payload), since every
 * open stream holds it.
 */
class SseReplySink implements Observer<string | SseEvent>, SseWriterOwner {
  subscription: Subscription | undefined;
  /** The source finished or the response closed. */
  done = false;

  constructor(
    private readonly reply: FastifyReply,
    private readonly writer: SseResponseWriter,
    private readonly options: SseReplyOptions,
    private readonly resolve: () => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  next(payload: string | SseEvent): void {
    if (!this.writer.opened) this.openForHeartbeat();
    if (typeof payload === 'string') this.writer.writeData(payload);
    else this.writer.writeEvent(payload.event, payload.data);
  }

  error(error: unknown): void {
    this.done = true;
    if (!this.writer.opened) {
      // Nothing was sent: the exception filter answers, with no heartbeat in its way.
      this.writer.detach();
      this.reject(error);
      return;
    }
    try {
      this.writer.writeError(this.options.renderError(error));
    } finally {
      this.writer.end();
      this.resolve();
    }
  }

  complete(): void {
    this.done = true;
    if (!this.writer.opened) this.openForHeartbeat();
    if (this.options.done !== false) this.writer.writeDone();
    this.writer.end();
    this.resolve();
  }

  openForHeartbeat(): void {
    if (this.writer.opened) return;
    this.reply.hijack();
    this.writer.open(this.reply.getHeaders() as Record<string, string | number | string[]>);
  }

  responseClosed(): void {
    this.done = true;
    const subscription = this.subscription;
    this.subscription = undefined;
    subscription?.unsubscribe();
    this.resolve();
  }
}
