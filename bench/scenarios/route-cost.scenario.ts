import { Pool, type Dispatcher } from 'undici';
import { CHAT_PATH, REQUEST_HEADERS, chatBody } from '../support/bench.constants';
import type { ChildHandle } from '../support/processes';

export interface RouteCostOptions {
  gateway: { origin: string; handle: ChildHandle };
  /** Requests per model after the warm-up. */
  requests: number;
  warmup: number;
  /** Requests per batch; `auto` and `instant` batches alternate, the first one rotating. */
  batch: number;
  /** Requests in flight at once (enough to keep the gateway busy, few enough to stay steady). */
  concurrency: number;
}

export interface RouteCostResult {
  /** The gateway's CPU time per request, µs (from /proc; summed over the batches). */
  cpuUsPerRequest: { auto: number; instant: number };
  /** auto − instant. */
  addedUs: number;
  /** How `auto` routed the bench's request (`x-gateway-tier` → count). */
  autoTiers: Record<string, number>;
}

/**
 * (f) What `auto` routing costs over a forced tier: the same chat with `model: auto` (the
 * classifier decides) and with `model: instant`, in alternating batches, measured as the
 * gateway's CPU time per request rather than latency, which the shared machine blurs.
 */
export async function runRouteCost(options: RouteCostOptions): Promise<RouteCostResult> {
  const pool = new Pool(options.gateway.origin, { connections: options.concurrency });
  const bodies = { auto: chatBody('auto', false), instant: chatBody('instant', false) };
  const tiers: Record<string, number> = {};
  const cpuMs = { auto: 0, instant: 0 };
  const count = { auto: 0, instant: 0 };
  const run = (model: 'auto' | 'instant', n: number): Promise<void> =>
    sendChats(pool, bodies[model], n, options.concurrency, (res) => {
      if (res.statusCode !== 200) throw new Error(`(f) ${model}: ${res.statusCode}`);
      if (model === 'auto') {
        const tier = String(res.headers['x-gateway-tier'] ?? 'none');
        tiers[tier] = (tiers[tier] ?? 0) + 1;
      }
    });
  try {
    await run('auto', options.warmup);
    await run('instant', options.warmup);
    for (const k of Object.keys(tiers)) delete tiers[k];
    for (let done = 0, round = 0; done < options.requests; round++) {
      const n = Math.min(options.batch, options.requests - done);
      const order: ('auto' | 'instant')[] =
        round % 2 === 0 ? ['auto', 'instant'] : ['instant', 'auto'];
      for (const model of order) {
        const cpu0 = options.gateway.handle.cpuMs();
        await run(model, n);
        cpuMs[model] += options.gateway.handle.cpuMs() - cpu0;
        count[model] += n;
      }
      done += n;
    }
  } finally {
    await pool.close();
  }
  const auto = (cpuMs.auto * 1000) / count.auto;
  const instant = (cpuMs.instant * 1000) / count.instant;
  return { cpuUsPerRequest: { auto, instant }, addedUs: auto - instant, autoTiers: tiers };
}

/**
 * Sends one chat body `n` times, `concurrency` in flight on the pool, each answer read to its
 * end; `check` sees each response (a non-200 must throw there).
 */
export async function sendChats(
  pool: Pool,
  body: string,
  n: number,
  concurrency: number,
  check: (res: Dispatcher.ResponseData) => void,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next++ < n) {
      const res = await pool.request({
        method: 'POST',
        path: CHAT_PATH,
        headers: REQUEST_HEADERS,
        body,
      });
      await res.body.dump();
      check(res);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
