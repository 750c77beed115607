import { Observable, type Observer, type Subscriber } from 'rxjs';
import type { UpstreamChunk } from '../providers';

/** What the request's telemetry wants to know of a stream as it passes. */
export interface StreamObserver<T> {
  /** The first payload goes out (after the commit point: the first content delta). */
  first?(): void;
  /** The usage chunk arrived (whether or not the caller gets it). */
  usage?(chunk: T): void;
}

/** Changes a chunk in place, and says whether it did (it is serialised again only then). */
export interface ChunkRewriter<T> {
  apply(chunk: T): boolean;
}

/**
 * Upstream chunks → the `data:` payloads the caller receives. The usage-only chunk
 * (`choices: []`) is dropped unless the caller asked for it; `rewrite` may change a chunk in
 * place and says so, and only then is it serialised again. One hand-written operator rather
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

  constructor(
    private readonly subscriber: Subscriber<string>,
    private readonly callerWantsUsage: boolean,
    private readonly rewrite: ChunkRewriter<T> | ((chunk: T) => boolean) | undefined,
    private readonly observer: StreamObserver<T> | undefined,
  ) {
    this.first = observer?.first !== undefined;
  }

  next({ raw, chunk }: UpstreamChunk<T>): void {
    const observer = this.observer;
    if (chunk.usage && observer?.usage) observer.usage(chunk);
    if (chunk.choices.length === 0 && !this.callerWantsUsage) return;
    if (this.first) {
      this.first = false;
      observer?.first?.();
    }
    const rewrite = this.rewrite;
    const changed =
      rewrite !== undefined &&
      (typeof rewrite === 'function' ? rewrite(chunk) : rewrite.apply(chunk));
    this.subscriber.next(changed ? JSON.stringify(chunk) : raw);
  }

  error(error: unknown): void {
    this.subscriber.error(error);
  }

  complete(): void {
    this.subscriber.complete();
  }
}
