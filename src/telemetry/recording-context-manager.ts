import { trace, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

/**
 * The SDK's context manager, made active asynchronously only for what is recorded.
 *
 * `context.with(ctx, fn)` makes `ctx` active for `fn`. With a context whose span is recording
 * (a sampled request's tool call, whose own HTTP calls must become its children), it does so
 * through `AsyncLocalStorage`, so the context follows `fn`'s awaits, as the stock manager does.
 * With any other context (a sampled-out request, the span processor's `suppressTracing` around
 * each export), only for `fn`'s synchronous run: nothing recorded is lost, and
 * `AsyncLocalStorage` is never started for them.
 *
 * Why: on Node 20 the first `AsyncLocalStorage.run` switches on promise hooks for every promise
 * of the process, for good. The stock manager ran it on the first export, five seconds after
 * start, and from then on the gateway paid about a third more CPU per request, sampled or not
 * (docs/performance.md, "Cost of observability"). The gateway hands its request, route and
 * attempt contexts down explicitly and never needs the active context on its hot path.
 */
export class RecordingContextManager extends AsyncLocalStorageContextManager {
  /** The context of the synchronous `with` being run, if one is. */
  private syncActive: Context | undefined;

  override active(): Context {
    return this.syncActive ?? super.active();
  }

  override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const outer = this.syncActive;
    if (trace.getSpan(context)?.isRecording() === true) {
      this.syncActive = undefined;
      try {
        return super.with(context, fn, thisArg, ...args);
      } finally {
        this.syncActive = outer;
      }
    }
    this.syncActive = context;
    try {
      return fn.apply(thisArg, args);
    } finally {
      this.syncActive = outer;
    }
  }

  override disable(): this {
    this.syncActive = undefined;
    return super.disable();
  }
}
