import { Observable } from 'rxjs';
import type { RequestTelemetry } from './request-telemetry';

/**
 * `source` unchanged, telling `telemetry` when its first payload goes out: the time to first
 * token of a stream whose payloads start with content (the commit point holds the preamble
 * back until then).
 */
export function recordFirstToken<T>(
  source: Observable<T>,
  telemetry: RequestTelemetry | undefined,
): Observable<T> {
  if (!telemetry) return source;
  return new Observable<T>((subscriber) => {
    let first = true;
    return source.subscribe({
      next: (value) => {
        if (first) {
          first = false;
          telemetry.firstToken();
        }
        subscriber.next(value);
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => subscriber.complete(),
    });
  });
}
