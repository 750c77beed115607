import { Pool } from 'undici';
import { CHAT_PATH, REQUEST_HEADERS, type BenchTarget } from '../support/bench.constants';
import {
  distribution,
  msSince,
  nowUs,
  type Distribution,
  type MeasuredWindow,
} from '../support/stats';

export interface SequentialOptions {
  /** The paths measured side by side, by name (`direct`, `floor`, `gateway`). */
  targets: Record<string, BenchTarget>;
  warmup: number;
  iterations: number;
  /** Requests per batch; batches go round the paths, and the first path rotates every round. */
  batch: number;
  onMeasured?: MeasuredWindow;
}

export interface SequentialTimes {
  /** From the call to the last body byte. */
  complete: Distribution;
  /** From the call to the first body byte (streams: the first `data:` event). */
  ttfb: Distribution;
  /**
   * `complete` split by place in the batch: the first request of each batch comes after the path
   * sat idle while the other paths' batches ran (one in `batch`, so as many as p99 looks at), the
   * rest back to back. Measurement only: the targets stay on `complete`.
   */
  completeAfterIdle: Distribution;
  completeBackToBack: Distribution;
}

export type SequentialResult = Record<string, SequentialTimes>;

/**
 * Requests one at a time over one keep-alive connection per path: (a) non-streamed latency, (c)
 * streaming time to first byte when the bodies say `stream: true`. Batches of each path
 * interleave, in rotating order, so drift (CPU frequency, other tenants) lands on every path.
 */
export async function runSequential(options: SequentialOptions): Promise<SequentialResult> {
  const names = Object.keys(options.targets);
  const pools = names.map(
    (n) => new Pool(options.targets[n].origin, { connections: 1, pipelining: 1 }),
  );
  try {
    for (let i = 0; i < options.warmup; i++) {
      for (let p = 0; p < names.length; p++)
        await timeOne(pools[p], options.targets[names[p]].body);
    }
    const complete = names.map(() => [] as number[]);
    const ttfb = names.map(() => [] as number[]);
    const afterIdle = names.map(() => [] as number[]);
    const backToBack = names.map(() => [] as number[]);
    const from = nowUs();
    for (let done = 0, round = 0; done < options.iterations; round++) {
      const n = Math.min(options.batch, options.iterations - done);
      for (let k = 0; k < names.length; k++) {
        const p = (k + round) % names.length;
        const body = options.targets[names[p]].body;
        for (let i = 0; i < n; i++) {
          const t = await timeOne(pools[p], body);
          complete[p].push(t.complete);
          ttfb[p].push(t.ttfb);
          (i === 0 ? afterIdle : backToBack)[p].push(t.complete);
        }
      }
      done += n;
    }
    options.onMeasured?.(from, nowUs());
    const result: SequentialResult = {};
    names.forEach((name, p) => {
      result[name] = {
        complete: distribution(complete[p]),
        ttfb: distribution(ttfb[p]),
        completeAfterIdle: distribution(afterIdle[p]),
        completeBackToBack: distribution(backToBack[p]),
      };
    });
    return result;
  } finally {
    await Promise.all(pools.map((p) => p.close()));
  }
}

async function timeOne(pool: Pool, body: string): Promise<{ ttfb: number; complete: number }> {
  const start = process.hrtime.bigint();
  const res = await pool.request({
    method: 'POST',
    path: CHAT_PATH,
    headers: REQUEST_HEADERS,
    body,
  });
  if (res.statusCode !== 200) {
    throw new Error(
      `POST ${CHAT_PATH}: ${res.statusCode} ${(await res.body.text()).slice(0, 300)}`,
    );
  }
  let ttfb = -1;
  let head = '';
  let tail = '';
  for await (const chunk of res.body) {
    const text = (chunk as Buffer).toString('utf8');
    if (ttfb < 0) {
      ttfb = msSince(start);
      head = text.slice(0, 6);
    }
    tail = (tail + text).slice(-32);
  }
  const complete = msSince(start);
  // A stream's first bytes must be a data event (a heartbeat comment is not a token).
  if (head.startsWith('data') || tail.includes('[DONE]')) {
    if (head !== 'data: ') throw new Error(`first streamed bytes are not a data event: ${head}`);
    if (!tail.includes('data: [DONE]')) throw new Error('stream ended without data: [DONE]');
  }
  return { ttfb, complete };
}
