import type { Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'undici/types/header';
import { upstreamStatusError } from './openai-wire.mapper';
import { BodyText, DispatchCall, headerValue, type AnswerLimits } from './dispatch-call';
import { MAX_ERROR_BODY_BYTES, toGatewayError, tooLarge } from './upstream-failure.mapper';
import type { UpstreamCallOptions, UpstreamJson } from './upstream.interface';

/** undici's handler for one JSON request: collects the body and settles the promise. */
export class JsonCall<T> extends DispatchCall implements Dispatcher.DispatchHandler {
  private status = 0;
  private retryAfter: string | undefined;
  private readonly body = new BodyText();

  constructor(
    private readonly origin: string,
    options: UpstreamCallOptions,
    private readonly limits: AnswerLimits,
    private readonly parse: (raw: string) => T,
    private readonly resolve: (answer: UpstreamJson<T>) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    super(options);
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    // 1xx: informational, the answer follows.
    if (statusCode < 200 || this.settled) return;
    this.disarm();
    this.status = statusCode;
    if (statusCode >= 300) this.retryAfter = headerValue(headers, 'retry-after');
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    const body = this.body;
    if (this.status >= 300) {
      // An error answer: its message is all we want of it.
      if (body.size < MAX_ERROR_BODY_BYTES) body.push(chunk);
      return;
    }
    if (body.size + chunk.length > this.limits.maxResponseBytes) {
      // Over the cap: the upstream request is aborted, the caller gets a 502 now.
      this.fail(tooLarge(this.origin, this.limits.maxResponseBytes, false), true);
      return;
    }
    body.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    let raw: string;
    try {
      raw = this.body.text();
    } catch (error) {
      // Nothing may leave the call unsettled (a string too long to decode included).
      this.fail(error, false);
      return;
    }
    this.settle();
    if (this.status >= 300) {
      this.reject(upstreamStatusError(this.status, raw, this.origin, this.retryAfter));
      return;
    }
    let value: T;
    try {
      value = this.parse(raw);
    } catch (error) {
      this.rejectWith(error);
      return;
    }
    this.resolve({ raw, value });
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.fail(error, false);
  }

  protected rejectWith(error: unknown): void {
    this.reject(toGatewayError(error, this, this.options, this.origin));
  }
}
