import { Observable } from 'rxjs';
import type { UpstreamChunk } from '../providers';

/**
 * Upstream chunks → the `data:` payloads the caller receives. The usage-only chunk
 * (`choices: []`) is dropped unless the caller asked for it; `rewrite` may change a chunk in
 * place and says so, and only then is it serialised again. One hand-written operator rather
 * than a `filter` + `map` chain: this runs once per token.
 */
export function toPayloads<T extends { choices: unknown[] }>(
  chunks: Observable<UpstreamChunk<T>>,
  callerWantsUsage: boolean,
  rewrite?: (chunk: T) => boolean,
): Observable<string> {
  return new Observable<string>((subscriber) =>
    chunks.subscribe({
      next: ({ raw, chunk }) => {
        if (chunk.choices.length === 0 && !callerWantsUsage) return;
        subscriber.next(rewrite && rewrite(chunk) ? JSON.stringify(chunk) : raw);
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    }),
  );
}
