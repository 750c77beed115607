import { Pool } from 'undici';
import { CHAT_PATH, REQUEST_HEADERS, type BenchTarget } from '../support/bench.constants';
import type { ChildHandle } from '../support/processes';
import { nowUs, type MeasuredWindow } from '../support/stats';

export interface ChunkRateOptions {
  /** Bodies with `stream: true` and a `max_tokens` above `chunks`. */
  targets: Record<string, BenchTarget & { handle?: ChildHandle }>;
  rotate: number;
  /** Concurrent streams per round. */
  streams: number;
  /** Content chunks per stream (the simulator is set to answer that many tokens, no delay). */
  chunks: number;
  /** Rounds per path (the first is an unrecorded warm-up); paths alternate round by round. */
  rounds: number;
  onMeasured?: (name: string, ...span: Parameters<MeasuredWindow>) => void;
}

export interface ChunkRateRun {
  /** Content chunks delivered per second of wall time: streams × chunks / the round's time. */
  chunksPerS: number;
  /** Best and worst round. */
  roundsMs: number[];
  cpuUsPerChunk?: number;
}

/**
 * (e) Streamed tokens: `streams` concurrent streams of `chunks` chunks each, no delay upstream,
 * so the proxy's per-chunk work is what limits the rate. A round ends when every stream has
 * ended with `data: [DONE]`.
 */
export async function runChunkRate(
  options: ChunkRateOptions,
): Promise<Record<string, ChunkRateRun>> {
  const names = Object.keys(options.targets);
  const pools = new Map(
    names.map((n) => [n, new Pool(options.targets[n].origin, { connections: options.streams })]),
  );
  const times = new Map(names.map((n) => [n, [] as number[]]));
  const cpu = new Map(names.map((n) => [n, 0]));
  try {
    for (let round = 0; round < options.rounds; round++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(k + round + options.rotate) % names.length];
        const target = options.targets[name];
        const cpu0 = target.handle?.cpuMs() ?? 0;
        const from = nowUs();
        const start = process.hrtime.bigint();
        await Promise.all(
          Array.from({ length: options.streams }, () => oneStream(pools.get(name)!, target.body)),
        );
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (round === 0) continue; // warm-up
        options.onMeasured?.(name, from, nowUs());
        times.get(name)!.push(ms);
        cpu.set(name, cpu.get(name)! + ((target.handle?.cpuMs() ?? 0) - cpu0));
      }
    }
  } finally {
    await Promise.all([...pools.values()].map((p) => p.close()));
  }
  const result: Record<string, ChunkRateRun> = {};
  const perRound = options.streams * options.chunks;
  for (const name of names) {
    const ms = times.get(name)!;
    const total = ms.reduce((a, b) => a + b, 0);
    result[name] = {
      chunksPerS: (perRound * ms.length * 1000) / total,
      roundsMs: ms,
      ...(options.targets[name].handle
        ? { cpuUsPerChunk: (cpu.get(name)! * 1000) / (perRound * ms.length) }
        : {}),
    };
  }
  return result;
}

async function oneStream(pool: Pool, body: string): Promise<void> {
  const res = await pool.request({
    method: 'POST',
    path: CHAT_PATH,
    headers: REQUEST_HEADERS,
    body,
  });
  if (res.statusCode !== 200) {
    throw new Error(`(e) stream: ${res.statusCode} ${(await res.body.text()).slice(0, 300)}`);
  }
  let tail = '';
  for await (const chunk of res.body)
    tail = (tail + (chunk as Buffer).toString('latin1')).slice(-32);
  if (!tail.includes('data: [DONE]')) throw new Error('(e) stream ended without data: [DONE]');
}
