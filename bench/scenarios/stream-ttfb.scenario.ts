import { Pool } from 'undici';
import { CHAT_PATH, REQUEST_HEADERS, type BenchTarget } from '../support/bench.constants';
import {
  distribution,
  msSince,
  nowUs,
  type Distribution,
  type MeasuredWindow,
} from '../support/stats';

export interface StreamTtfbOptions {
  /** Bodies with `stream: true`. */
  direct: BenchTarget;
  gateway: BenchTarget;
  warmup: number;
  iterations: number;
  batch: number;
  onMeasured?: MeasuredWindow;
}

export interface StreamTimes {
  /** From the call to the first body byte (the first `data:` event). */
  ttfb: Distribution;
  /** From the call to the end of the stream (`[DONE]` and the end of the body). */
  complete: Distribution;
}

export interface StreamTtfbResult {
  direct: StreamTimes;
  gateway: StreamTimes;
  added: { ttfbP50: number; ttfbP99: number; completeP50: number };
}

/**
 * (c) Streaming requests one at a time over one keep-alive connection per path; interleaved
 * batches as in (a). The first body chunk must be a `data:` event (a heartbeat comment would not
 * count as a token).
 */
export async function runStreamTtfb(options: StreamTtfbOptions): Promise<StreamTtfbResult> {
  const direct = new Pool(options.direct.origin, { connections: 1, pipelining: 1 });
  const gateway = new Pool(options.gateway.origin, { connections: 1, pipelining: 1 });
  try {
    for (let i = 0; i < options.warmup; i++) {
      await timeStream(direct, options.direct.body);
      await timeStream(gateway, options.gateway.body);
    }
    const d = { ttfb: [] as number[], complete: [] as number[] };
    const g = { ttfb: [] as number[], complete: [] as number[] };
    const from = nowUs();
    for (let done = 0, round = 0; done < options.iterations; round++) {
      const n = Math.min(options.batch, options.iterations - done);
      const order: [Pool, string, typeof d][] = [
        [direct, options.direct.body, d],
        [gateway, options.gateway.body, g],
      ];
      if (round % 2 === 1) order.reverse();
      for (const [pool, body, into] of order) {
        for (let i = 0; i < n; i++) {
          const t = await timeStream(pool, body);
          into.ttfb.push(t.ttfb);
          into.complete.push(t.complete);
        }
      }
      done += n;
    }
    options.onMeasured?.(from, nowUs());
    const direct_ = { ttfb: distribution(d.ttfb), complete: distribution(d.complete) };
    const gateway_ = { ttfb: distribution(g.ttfb), complete: distribution(g.complete) };
    return {
      direct: direct_,
      gateway: gateway_,
      added: {
        ttfbP50: gateway_.ttfb.p50 - direct_.ttfb.p50,
        ttfbP99: gateway_.ttfb.p99 - direct_.ttfb.p99,
        completeP50: gateway_.complete.p50 - direct_.complete.p50,
      },
    };
  } finally {
    await Promise.all([direct.close(), gateway.close()]);
  }
}

async function timeStream(pool: Pool, body: string): Promise<{ ttfb: number; complete: number }> {
  const start = process.hrtime.bigint();
  const res = await pool.request({
    method: 'POST',
    path: CHAT_PATH,
    headers: REQUEST_HEADERS,
    body,
  });
  if (res.statusCode !== 200) {
    throw new Error(
      `POST ${CHAT_PATH} (stream): ${res.statusCode} ${(await res.body.text()).slice(0, 300)}`,
    );
  }
  let ttfb = -1;
  let tail = '';
  for await (const chunk of res.body) {
    if (ttfb < 0) {
      ttfb = msSince(start);
      const head = (chunk as Buffer).toString('utf8', 0, 6);
      if (head !== 'data: ')
        throw new Error(`first streamed bytes are not a data event: ${JSON.stringify(head)}`);
    }
    tail = (tail + (chunk as Buffer).toString('utf8')).slice(-32);
  }
  const complete = msSince(start);
  if (!tail.includes('data: [DONE]')) throw new Error('stream ended without data: [DONE]');
  return { ttfb, complete };
}
