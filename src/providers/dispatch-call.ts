import type { TextMapSetter } from '@opentelemetry/api';
import type { Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'undici/types/header';
import { offAbort, onAbort } from '../common/http';
import type { UpstreamCallOptions } from './upstream.interface';

/** What a cancelled call (its subscriber left) aborts its upstream request with; nobody reads it. */
const CANCELLED: Error = new DOMException('This operation was aborted', 'AbortError');

/** Which deadline ended a call, if one did. */
export type TimedOut = false | 'total' | 'ttfb' | 'idle';

/**
 * One request dispatched on undici's low-level API, without an `AbortController` or a body
 * stream: the caller's signal (one listener, removed when the call settles), the whole-call
 * deadline and the stall timer (time to first byte, then idle) all end the call through the
 * dispatch controller. Subclasses are the undici handler and decide what settling means.
 *
 * Settles exactly once: a failure before undici has started the request is answered at once,
 * and the request is aborted as soon as undici hands over its controller.
 */
export abstract class DispatchCall {
  /** Which deadline aborted the call, if one did. */
  timedOut: TimedOut = false;
  timedOutAfterMs: number;
  /** Succeeded, failed or was cancelled: later events from undici are ignored. */
  protected settled = false;
  protected controller: Dispatcher.DispatchController | undefined;
  /** Why the call was aborted before undici gave it a controller. */
  private abortReason: unknown;
  private deadline: NodeJS.Timeout | undefined;
  private stall: NodeJS.Timeout | undefined;
  private stallKind: 'ttfb' | 'idle' = 'ttfb';
  private stallMs = 0;
  private listening = false;

  constructor(protected readonly options: UpstreamCallOptions) {
    this.timedOutAfterMs = options.timeoutMs;
  }

  /**
   * Starts the deadline and joins the caller's signal. False when the caller is gone already:
   * the call has failed with its reason and must not be dispatched.
   */
  start(): boolean {
    const signal = this.options.signal;
    if (signal.aborted) {
      this.fail(signal.reason, false);
      return false;
    }
    onAbort(signal, this);
    this.listening = true;
    this.deadline = setTimeout(DispatchCall.onDeadline, this.options.timeoutMs, this);
    return true;
  }

  /** The caller's signal fired (this object is its listener). Its reason is passed on as is. */
  handleEvent(): void {
    this.listening = false;
    this.fail(this.options.signal.reason, true);
  }

  /** (Re)starts the stall timer; not armed when `ms` reaches the whole-call deadline anyway. */
  arm(ms: number, kind: 'ttfb' | 'idle'): void {
    if (this.stall !== undefined) clearTimeout(this.stall);
    this.stallKind = kind;
    this.stallMs = ms;
    this.stall =
      ms < this.options.timeoutMs ? setTimeout(DispatchCall.onStall, ms, this) : undefined;
  }

  refresh(): void {
    this.stall?.refresh();
  }

  disarm(): void {
    if (this.stall !== undefined) clearTimeout(this.stall);
    this.stall = undefined;
  }

  /** undici's handler interface: the request is on a connection; `controller` can end it. */
  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.settled) controller.abort((this.abortReason ?? CANCELLED) as Error);
    else this.controller = controller;
  }

  /** A deadline passed: the call fails as timed out, and the upstream request is aborted. */
  timeout(kind: 'total' | 'ttfb' | 'idle', ms: number): void {
    if (this.settled) return;
    this.timedOut = kind;
    this.timedOutAfterMs = ms;
    this.fail(new DOMException('This operation was aborted', 'AbortError'), true);
  }

  /**
   * Ends the call with `error` (mapped by {@link rejectWith}); `abort` aborts the upstream
   * request too, which is wanted unless undici reported the error itself or already finished.
   */
  fail(error: unknown, abort: boolean): void {
    if (this.settled) return;
    this.settle();
    if (abort) this.abortUpstream(error);
    this.rejectWith(error);
  }

  /** Ends the call without answering anybody (the consumer left); aborts the upstream request. */
  cancel(): void {
    if (this.settled) return;
    this.settle();
    this.abortUpstream(CANCELLED);
  }

  /** Marks the call settled and releases its timers and the caller's signal. */
  protected settle(): void {
    this.settled = true;
    clearTimeout(this.deadline);
    if (this.stall !== undefined) clearTimeout(this.stall);
    if (this.listening) {
      this.listening = false;
      offAbort(this.options.signal, this);
    }
  }

  protected abstract rejectWith(error: unknown): void;

  // Timer callbacks take the call as their argument: no closure per call.
  private static onDeadline(this: void, call: DispatchCall): void {
    call.timeout('total', call.options.timeoutMs);
  }

  private static onStall(this: void, call: DispatchCall): void {
    call.timeout(call.stallKind, call.stallMs);
  }

  private abortUpstream(reason: unknown): void {
    const controller = this.controller;
    if (controller === undefined) this.abortReason = reason;
    // Synchronously calls onResponseError, which a settled call ignores.
    else if (!controller.aborted) controller.abort(reason as Error);
  }
}

/**
 * A response body collected as the chunks undici hands over (no copy until the end), decoded
 * once as UTF-8 with a leading BOM skipped, as undici's `body.text()` does.
 */
export class BodyText {
  private first: Buffer | undefined;
  private rest: Buffer[] | undefined;
  private length = 0;

  /** Bytes collected so far. */
  get size(): number {
    return this.length;
  }

  push(chunk: Buffer): void {
    if (this.first === undefined) this.first = chunk;
    else if (this.rest === undefined) this.rest = [this.first, chunk];
    else this.rest.push(chunk);
    this.length += chunk.length;
  }

  text(): string {
    if (this.first === undefined || this.length === 0) return '';
    const buffer = this.rest === undefined ? this.first : Buffer.concat(this.rest, this.length);
    const start =
      buffer.length > 2 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
    return buffer.toString('utf8', start);
  }
}

/**
 * `propagation.inject` into a flat `[name, value, …]` header list, as undici takes it; a name
 * already present is overwritten, as it would be in a header object.
 */
export const headerListSetter: TextMapSetter<string[]> = {
  set(carrier, key, value) {
    for (let i = 0; i < carrier.length; i += 2) {
      if (carrier[i] === key) {
        carrier[i + 1] = value;
        return;
      }
    }
    carrier.push(key, value);
  },
};

/** The largest answer read, and the largest streamed event (issue 13: answers are bounded). */
export interface AnswerLimits {
  maxResponseBytes: number;
  maxStreamLineBytes: number;
}

/** One response header's value (the first, when repeated). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
