import * as http from 'node:http';
import {
  CHAT_PATH,
  ENDLESS_STREAM,
  GATEWAY_MODEL,
  REQUEST_HEADERS,
  chatBody,
} from '../support/bench.constants';
import {
  resetSimulator,
  simulatorStats,
  sleep,
  type ChildHandle,
  type SimStats,
} from '../support/processes';
import { median, nowUs, type MeasuredWindow } from '../support/stats';

export interface OpenStreamsOptions {
  /** A gateway process started for this scenario alone, not yet used. */
  gateway: { origin: string; handle: ChildHandle };
  simulatorOrigin: string;
  streams: number;
  /** Completed streaming requests before the baseline, so one-off start-up work is not counted per stream. */
  warmup: number;
  /** How long the simulator has to count every upstream request aborted. */
  abortTimeoutMs: number;
  /** Called with the span from opening the streams to the last abort. */
  onMeasured?: MeasuredWindow;
}

export interface OpenStreamsResult {
  streams: number;
  /** RSS right after `/health/ready` answered, before any chat request. */
  rssFreshKiB: number;
  /** RSS after the warm-up, with no stream open: the baseline. */
  rssBaselineKiB: number;
  /** RSS while every stream is open (median of several samples). */
  rssOpenKiB: number;
  /**
   * (open − baseline) / the streams that were open (every caller with its first byte): on a
   * loaded machine not every stream may open within the minute allowed.
   */
  kibPerStream: number;
  /** Whether all `streams` were open when the RSS was read (else the figure is not the target's). */
  allOpen: boolean;
  /** (open − fresh) / streams: one-off warm-up costs included. */
  kibPerStreamFromFresh: number;
  /** RSS a moment after every caller left. */
  rssAfterCloseKiB: number;
  callersWithFirstByte: number;
  /** From the first stream opened to each caller's first byte: the median and the slowest. */
  firstByteMsP50: number;
  firstByteMsMax: number;
  upstreamInFlightPeak: number;
  /** Time until every stream was open upstream and had its first byte at the caller. */
  openMs: number;
  upstreamAborted: number;
  /** Upstream requests the simulator held when the callers left. */
  upstreamOpenAtLeave: number;
  /**
   * From the start of the loop that destroys the callers' sockets until the simulator holds no
   * upstream request any more (or the timeout): includes the load generator's own loop.
   */
  abortMs: number;
  /** How long the load generator's loop destroying the 5,000 sockets took. */
  leaveLoopMs: number;
  /** As `abortMs`, timed from the end of that loop (the last caller's destroy). */
  abortMsFromLastLeave: number;
  /** Every upstream request held when the callers left was aborted within the timeout. */
  allAborted: boolean;
  /** The simulator's counters at the end. */
  simulator: SimStats;
}

interface Caller {
  req: http.ClientRequest;
  firstByte: boolean;
  /** `process.hrtime.bigint()` at the first body byte. */
  firstByteAt?: bigint;
  status?: number;
}

/**
 * (d) A fresh gateway holds `streams` concurrent streams of a slow, endless upstream answer:
 * the RSS growth per open stream, then every caller leaves at once and the simulator must see
 * each upstream request aborted.
 */
export async function runOpenStreams(options: OpenStreamsOptions): Promise<OpenStreamsResult> {
  const { gateway, simulatorOrigin } = options;
  const target = new URL(gateway.origin);
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const callers: Caller[] = [];
  try {
    const rssFreshKiB = await sampleRss(gateway.handle);

    // Warm-up: short streams (per-request `x_sim` override, passed through by the gateway).
    await resetSimulator(simulatorOrigin, ENDLESS_STREAM);
    const warmBody = chatBody(GATEWAY_MODEL, true, { x_sim: { tokens: 8, tokenIntervalMs: 0 } });
    for (let i = 0; i < options.warmup; i += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, options.warmup - i) }, () =>
          completeStream(target, agent, warmBody),
        ),
      );
    }
    await resetSimulator(simulatorOrigin, ENDLESS_STREAM);
    await sleep(1000);
    const rssBaselineKiB = await sampleRss(gateway.handle);

    const body = chatBody(GATEWAY_MODEL, true);
    const from = nowUs();
    const opened = process.hrtime.bigint();
    for (let i = 0; i < options.streams; i++) {
      callers.push(openStream(target, agent, body));
      // Let the event loop breathe so the listen backlog is not flooded in one burst.
      if (i % 100 === 99) await new Promise((r) => setImmediate(r));
    }
    let stats = await simulatorStats(simulatorOrigin);
    let peak = stats.inFlight;
    const openDeadline = Date.now() + 60_000;
    while (Date.now() < openDeadline) {
      const withByte = callers.filter((c) => c.firstByte).length;
      if (withByte >= options.streams && stats.inFlight >= options.streams) break;
      const failed = callers.find((c) => c.status !== undefined && c.status !== 200);
      if (failed) throw new Error(`a stream was answered ${failed.status}`);
      if (!gateway.handle.running)
        throw new Error(`the gateway exited\n${gateway.handle.logTail()}`);
      await sleep(100);
      stats = await simulatorStats(simulatorOrigin);
      peak = Math.max(peak, stats.inFlight);
    }
    const openMs = Number(process.hrtime.bigint() - opened) / 1e6;
    const callersWithFirstByte = callers.filter((c) => c.firstByte).length;
    const firstBytes = callers.map((c) =>
      c.firstByteAt === undefined ? Number.POSITIVE_INFINITY : Number(c.firstByteAt - opened) / 1e6,
    );

    await sleep(2000);
    const rssOpenKiB = await sampleRss(gateway.handle, 7, 300);
    stats = await simulatorStats(simulatorOrigin);
    peak = Math.max(peak, stats.inFlight);

    // Every caller leaves at once.
    const openAtLeave = stats.inFlight;
    const abortedBefore = stats.aborted;
    const left = process.hrtime.bigint();
    for (const caller of callers) caller.req.destroy();
    const lastLeft = process.hrtime.bigint();
    const abortDeadline = Date.now() + options.abortTimeoutMs;
    stats = await simulatorStats(simulatorOrigin);
    while (stats.inFlight > 0 && Date.now() < abortDeadline) {
      await sleep(50);
      stats = await simulatorStats(simulatorOrigin);
    }
    const abortedAt = process.hrtime.bigint();
    const abortMs = Number(abortedAt - left) / 1e6;
    const allAborted = stats.inFlight === 0 && stats.aborted - abortedBefore >= openAtLeave;
    options.onMeasured?.(from, nowUs());
    await sleep(1000);
    const rssAfterCloseKiB = await sampleRss(gateway.handle);
    stats = await simulatorStats(simulatorOrigin);

    return {
      streams: options.streams,
      rssFreshKiB,
      rssBaselineKiB,
      rssOpenKiB,
      kibPerStream: (rssOpenKiB - rssBaselineKiB) / Math.max(1, callersWithFirstByte),
      allOpen: callersWithFirstByte >= options.streams && peak >= options.streams,
      kibPerStreamFromFresh: (rssOpenKiB - rssFreshKiB) / Math.max(1, callersWithFirstByte),
      rssAfterCloseKiB,
      callersWithFirstByte,
      firstByteMsP50: median(firstBytes),
      firstByteMsMax: Math.max(...firstBytes),
      upstreamInFlightPeak: peak,
      openMs,
      upstreamAborted: stats.aborted,
      upstreamOpenAtLeave: openAtLeave,
      abortMs,
      leaveLoopMs: Number(lastLeft - left) / 1e6,
      abortMsFromLastLeave: Number(abortedAt - lastLeft) / 1e6,
      allAborted,
      simulator: stats,
    };
  } finally {
    for (const caller of callers) caller.req.destroy();
    agent.destroy();
  }
}

/** The median of `count` VmRSS readings `everyMs` apart: no GC can be forced from outside. */
async function sampleRss(handle: ChildHandle, count = 5, everyMs = 200): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) await sleep(everyMs);
    samples.push(handle.rssKiB());
  }
  return median(samples);
}

function post(target: URL, agent: http.Agent, body: string): http.ClientRequest {
  const req = http.request({
    host: target.hostname,
    port: target.port,
    method: 'POST',
    path: CHAT_PATH,
    agent,
    headers: { ...REQUEST_HEADERS, 'content-length': Buffer.byteLength(body) },
  });
  req.end(body);
  return req;
}

function openStream(target: URL, agent: http.Agent, body: string): Caller {
  const req = post(target, agent, body);
  const caller: Caller = { req, firstByte: false };
  // Destroying the socket is how a caller leaves; its errors are expected then.
  req.on('error', () => undefined);
  req.on('response', (res) => {
    caller.status = res.statusCode;
    res.on('error', () => undefined);
    res.on('data', () => {
      if (!caller.firstByte) caller.firstByteAt = process.hrtime.bigint();
      caller.firstByte = true;
    });
  });
  return caller;
}

function completeStream(target: URL, agent: http.Agent, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = post(target, agent, body);
    req.on('error', reject);
    req.on('response', (res) => {
      if (res.statusCode !== 200) reject(new Error(`warm-up stream answered ${res.statusCode}`));
      res.on('data', () => undefined);
      res.on('end', () => resolve());
      res.on('error', reject);
    });
  });
}
