import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

/** One request as the caller saw it. Times are `performance.now()` (ms). */
export interface Sample {
  id: string;
  start: number;
  end: number;
  /** HTTP status, or 0 for a network error. */
  status: number;
}

export interface LoadOptions {
  /** Gateway origin, e.g. `http://127.0.0.1:9000`. */
  origin: string;
  apiKey: string;
  /** Concurrent callers, each in a closed loop (send, wait for the answer, send again). */
  clients: number;
  durationMs: number;
  body: object;
  /** Prefix of each request's `x-request-id`, which the gateway forwards upstream. */
  idPrefix: string;
  /** Called once, `atMs` after the start (kill a replica, for instance). */
  event?: { atMs: number; run: () => void };
}

export interface LoadResult {
  samples: Sample[];
  startedAt: number;
  endedAt: number;
  /** `performance.now()` when `event` ran. */
  eventAt?: number;
}

/**
 * Closed-loop load: `clients` callers over one keep-alive connection each, for `durationMs`.
 * Every answer is read to the end; anything but 200 counts as an error the caller saw.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const pool = new Pool(options.origin, { connections: options.clients, pipelining: 1 });
  const payload = JSON.stringify(options.body);
  const samples: Sample[] = [];
  const startedAt = performance.now();
  const until = startedAt + options.durationMs;
  let seq = 0;
  let eventAt: number | undefined;
  const timer = options.event
    ? setTimeout(() => {
        eventAt = performance.now();
        options.event!.run();
      }, options.event.atMs)
    : undefined;
  const client = async (): Promise<void> => {
    while (performance.now() < until) {
      const id = `${options.idPrefix}-${seq++}`;
      const start = performance.now();
      let status = 0;
      try {
        const res = await pool.request({
          method: 'POST',
          path: '/v1/chat/completions',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${options.apiKey}`,
            'x-request-id': id,
          },
          body: payload,
        });
        await res.body.text();
        status = res.statusCode;
      } catch {
        status = 0;
      }
      samples.push({ id, start, end: performance.now(), status });
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));
  clearTimeout(timer);
  const endedAt = performance.now();
  await pool.close();
  return { samples, startedAt, endedAt, eventAt };
}

/** The p-th percentile (0..100) of `values`, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}
