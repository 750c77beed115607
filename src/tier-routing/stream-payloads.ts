import { Observable } from 'rxjs';
import type { UpstreamChunk } from '../providers';

/** What the request's telemetry wants to know of a stream as it passes. */
export interface StreamObserver<T> {
  /** The first payload goes out (after the commit point: the first content delta). */
  first?(): void;
  /** The usage chunk arrived (whether or not the caller gets it). */
  usage?(chunk: T): void;
}

/**
 * Upstream chunks → the `data:` payloads the caller receives. The usage-only chunk
 * (`choices: []`) is dropped unless the caller asked for it; `rewrite` may change a chunk in
 * place and says so, and only then is it serialised again. One hand-written operator rather
 * than a `filter` + `map` chain: this runs once per token.
 */
export function toPayloads<T extends { choices: unknown[]; usage?: unknown }>(
  chunks: Observable<UpstreamChunk<T>>,
  callerWantsUsage: boolean,
  rewrite?: (chunk: T) => boolean,
  observer?: StreamObserver<T>,
): Observable<string> {
  return new Observable<string>((subscriber) => {
    let first = observer?.first !== undefined;
    return chunks.subscribe({
      next: ({ raw, chunk }) => {
        if (chunk.usage && observer?.usage) observer.usage(chunk);
        if (chunk.choices.length === 0 && !callerWantsUsage) return;
        if (first) {
          first = false;
          observer?.first?.();
        }
        subscriber.next(rewrite && rewrite(chunk) ? JSON.stringify(chunk) : raw);
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
  });
}
