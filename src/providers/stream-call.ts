import { AsyncResource } from 'node:async_hooks';
import type { Subscriber } from 'rxjs';
import type { Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'undici/types/header';
import { ErrorCode, ErrorMessages, GatewayException } from '../common/errors';
import {
  LineTooLongError,
  UpstreamStreamDecoder,
  type FlowGate,
  type UpstreamStreamHandlers,
} from '../common/sse';
import { malformed, upstreamStatusError } from './openai-wire.mapper';
import { BodyText, DispatchCall, headerValue, type AnswerLimits } from './dispatch-call';
import { MAX_ERROR_BODY_BYTES, toGatewayError, tooLarge } from './upstream-failure.mapper';
import type { StreamParser, StreamShape } from './stream-shape';
import type { UpstreamCallOptions, UpstreamChunk } from './upstream.interface';

/** A streamed answer must say it is a stream (or JSON lines); anything else is no stream. */
const STREAM_CONTENT_TYPE = /event-stream|ndjson|json/i;

/**
 * undici's handler for one streamed request: each chunk is fed to the stream decoder as it
 * arrives, each payload goes to the subscriber, and reading pauses while the gate is closed.
 */
export class StreamCall<T>
  extends DispatchCall
  implements Dispatcher.DispatchHandler, UpstreamStreamHandlers
{
  /** A 2xx answer began: socket failures from here on are a broken stream, not unreachable. */
  private started = false;
  private status = 0;
  private retryAfter: string | undefined;
  /** The body of an answer >= 300, for the error. */
  private errorBody: BodyText | undefined;
  private decoder: UpstreamStreamDecoder | undefined;
  /** A payload that could not be parsed: the stream fails after the current chunk. */
  private failure: unknown;
  private first = true;
  /** The last payload ended the stream (a shape's `isLast`): a body end without `[DONE]` is clean. */
  private last = false;
  private readonly idleMs: number;
  private readonly parser: StreamParser<T>;
  /**
   * The async context of the subscription. undici calls the handler from its socket's
   * callbacks; the subscriber is called back in its own context, as it was when the body was
   * read with `await` (one scope per chunk, not per payload).
   */
  private readonly scope = new AsyncResource('TIERGATE_UPSTREAM_STREAM');

  constructor(
    private readonly origin: string,
    options: UpstreamCallOptions,
    private readonly limits: AnswerLimits,
    private readonly subscriber: Subscriber<UpstreamChunk<T>>,
    private readonly shape: StreamShape<T>,
  ) {
    super(options);
    this.idleMs = options.idleMs ?? options.timeoutMs;
    this.parser = shape.parser?.() ?? shape;
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    this.scope.runInAsyncScope(this.responseStart, this, controller, statusCode, headers);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.scope.runInAsyncScope(this.responseData, this, controller, chunk);
  }

  onResponseEnd(): void {
    this.scope.runInAsyncScope(this.responseEnd, this);
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.scope.runInAsyncScope(this.fail, this, error, false);
  }

  /** The caller's signal fired. */
  override handleEvent(): void {
    this.scope.runInAsyncScope(super.handleEvent, this);
  }

  /** The decoder's: one JSON payload. */
  onPayload(json: string): void {
    if (this.failure !== undefined || this.subscriber.closed) return;
    try {
      const item = this.parser.parse(json, this.origin);
      this.last = this.shape.isLast(item);
      this.subscriber.next(item);
    } catch (error) {
      this.failure = error;
    }
  }

  /** The decoder's: `[DONE]`, or the clean end of NDJSON; {@link responseEnd} checks it. */
  onDone(): void {}

  /** The subscriber's teardown: aborts the upstream request unless the call has finished. */
  unsubscribe(): void {
    this.cancel();
  }

  protected rejectWith(error: unknown): void {
    if (this.subscriber.closed) return;
    this.subscriber.error(toGatewayError(error, this, this.options, this.origin, this.started));
  }

  private responseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (statusCode < 200 || this.settled) return;
    this.status = statusCode;
    if (statusCode >= 300) {
      this.retryAfter = headerValue(headers, 'retry-after');
      this.errorBody = new BodyText();
      return;
    }
    this.started = true;
    const contentType = headerValue(headers, 'content-type');
    if (contentType && !STREAM_CONTENT_TYPE.test(contentType)) {
      this.fail(malformed(`a stream of content-type ${contentType}`, this.origin), true);
      return;
    }
    this.decoder = new UpstreamStreamDecoder(contentType, this, this.limits.maxStreamLineBytes);
  }

  private responseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    if (this.errorBody !== undefined) {
      if (this.errorBody.size < MAX_ERROR_BODY_BYTES) this.errorBody.push(chunk);
      return;
    }
    const decoder = this.decoder;
    if (decoder === undefined) return;
    if (this.first) {
      this.first = false;
      this.arm(this.idleMs, 'idle');
    } else {
      this.refresh();
    }
    try {
      decoder.feed(chunk);
    } catch (error) {
      if (!(error instanceof LineTooLongError)) throw error;
      this.fail(tooLarge(this.origin, error.limit, true), true);
      return;
    }
    if (this.failure !== undefined) {
      this.fail(this.failure, true);
      return;
    }
    // The consumer left while taking a payload: unsubscribing cancelled the call.
    if (this.settled) return;
    const gate = this.options.gate;
    if (gate !== undefined && !gate.open) this.pauseFor(gate, controller);
  }

  private responseEnd(): void {
    if (this.settled) return;
    if (this.errorBody !== undefined) {
      const raw = this.errorBody.text();
      this.fail(upstreamStatusError(this.status, raw, this.origin, this.retryAfter), false);
      return;
    }
    const decoder = this.decoder;
    if (decoder === undefined) return;
    decoder.end();
    if (this.failure !== undefined) {
      this.fail(this.failure, false);
      return;
    }
    if (this.settled) return;
    // SSE must end with [DONE]; NDJSON must not stop mid-line. Anything else is a cut stream.
    if (!decoder.done && !this.last) {
      const error = new GatewayException(
        ErrorCode.UpstreamError,
        ErrorMessages.upstreamStreamBroken(
          decoder.framing === 'ndjson'
            ? 'the stream ended mid-line'
            : 'the stream ended without [DONE]',
        ),
        { upstream: { origin: this.origin } },
      );
      this.fail(error, false);
      return;
    }
    this.settle();
    this.subscriber.complete();
  }

  /**
   * Backpressure: stop reading the upstream socket while the caller cannot take more. Our own
   * pause is not the upstream's silence, so the stall timer rests meanwhile.
   */
  private pauseFor(gate: FlowGate, controller: Dispatcher.DispatchController): void {
    this.disarm();
    controller.pause();
    gate.wait().then(
      () => {
        if (this.settled) return;
        this.arm(this.idleMs, 'idle');
        controller.resume();
      },
      (error: unknown) => this.fail(error, true),
    );
  }
}
