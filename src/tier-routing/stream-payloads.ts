import { Observable, type Observer, type Subscriber } from 'rxjs';
import { carryStreamFields, finishesChoice } from '../common/openai';
import type { UpstreamChunk } from '../providers';

/** What the request's telemetry wants to know of a stream as it passes. */
export interface StreamObserver<T> {
  /**
   * Every upstream chunk as it arrives, before anything else looks at it (streamed tokens). A
   * plain content delta's `item.chunk` is built when read: its `item.content` is its text.
   */
  chunk?(item: UpstreamChunk<T>): void;
  /** The first payload goes out (after the commit point: the first content delta). */
  first?(): void;
  /** The usage chunk arrived (whether or not the caller gets it). */
  usage?(chunk: T): void;
}

/** Changes a chunk in place, and says whether it did (it is serialised again only then). */
export interface ChunkRewriter<T> {
  apply(chunk: T): boolean;
  /**
   * Whether a plain content delta (`UpstreamChunk.content` set) would pass {@link apply}
   * unchanged now; it is then forwarded without its chunk being built.
   */
  passesContentDelta?(): boolean;
}

/**
 * Upstream chunks → the `data:` payloads the caller receives. The usage-only chunk
 * (`choices: []`) is dropped unless the caller asked for it; what else it carries (llama.cpp's
 * `timings`) is moved onto the finish chunk before it, which is therefore held until the next
 * chunk or the end (it is serialised again only when a field was moved). `rewrite` may change a
 * chunk in place and says so, and only then is it serialised again. One hand-written operator rather
 * than a `filter` + `map` chain: this runs once per token, and one object per stream stands for
 * the operator's state and callbacks (an open stream holds it for as long as it lasts).
 */
export function toPayloads<T extends { choices: unknown[]; usage?: unknown }>(
  chunks: Observable<UpstreamChunk<T>>,
  callerWantsUsage: boolean,
  rewrite?: ChunkRewriter<T> | ((chunk: T) => boolean),
  observer?: StreamObserver<T>,
): Observable<string> {
  return new Observable<string>((subscriber) =>
    chunks.subscribe(new PayloadSink(subscriber, callerWantsUsage, rewrite, observer)),
  );
}

class PayloadSink<T extends { choices: unknown[]; usage?: unknown }> implements Observer<
  UpstreamChunk<T>
> {
  /** `observer.first` is still to be called. */
  private first: boolean;
  /**
   * The caller did not ask for usage: the last finish chunk, until we know whether a usage
   * chunk follows whose other fields it must take.
   */
  private held: { raw: string; chunk: T } | undefined;

  constructor(
    private readonly subscriber: Subscriber<string>,
    private readonly callerWantsUsage: boolean,
    private readonly rewrite: ChunkRewriter<T> | ((chunk: T) => boolean) | undefined,
    private readonly observer: StreamObserver<T> | undefined,
  ) {
    this.first = observer?.first !== undefined;
  }

  next(item: UpstreamChunk<T>): void {
    const observer = this.observer;
    observer?.chunk?.(item);
    if (item.content !== undefined && this.passesContentDelta()) {
      // No usage, no finish reason, nothing to rewrite: it goes as it came.
      const held = this.held;
      if (held !== undefined) {
        this.held = undefined;
        this.emit(held.raw);
      }
      this.emit(item.raw);
      return;
    }
    const { raw, chunk } = item;
    if (chunk.usage && observer?.usage) observer.usage(chunk);
    if (!this.callerWantsUsage) {
      const held = this.held;
      if (chunk.choices.length === 0) {
        // Dropped; its other fields go to the caller on the finish chunk.
        if (held !== undefined) {
          this.held = undefined;
          this.emit(carryStreamFields(chunk, held.chunk) ? JSON.stringify(held.chunk) : held.raw);
        }
        return;
      }
      if (held !== undefined) {
        this.held = undefined;
        this.emit(held.raw);
      }
    }
    const rewrite = this.rewrite;
    const changed =
      rewrite !== undefined &&
      (typeof rewrite === 'function' ? rewrite(chunk) : rewrite.apply(chunk));
    const payload = changed ? JSON.stringify(chunk) : raw;
    if (!this.callerWantsUsage && finishesChoice(chunk)) {
      this.held = { raw: payload, chunk };
      return;
    }
    this.emit(payload);
  }

  error(error: unknown): void {
    this.flush();
    this.subscriber.error(error);
  }

  complete(): void {
    this.flush();
    this.subscriber.complete();
  }

  private passesContentDelta(): boolean {
    const rewrite = this.rewrite;
    return (
      rewrite === undefined ||
      (typeof rewrite !== 'function' && rewrite.passesContentDelta?.() === true)
    );
  }

  private flush(): void {
    const held = this.held;
    this.held = undefined;
    if (held !== undefined) this.emit(held.raw);
  }

  private emit(payload: string): void {
    if (this.first) {
      this.first = false;
      this.observer?.first?.();
    }
    this.subscriber.next(payload);
  }
}
