/**
 * The gateway's own CPU per streamed chunk (issue 17, (e)), in process: a chat stream from the
 * undici handler (`StreamCall`, fed recorded SSE bytes in reads of `--read` bytes) through the
 * pool (`PooledStream`, commit point), the stream fallback, `ChatCompletionsService.stream`
 * (usage chunk dropped, reasoning normaliser, accounting), the tier fallback's `catchError` and
 * `replyWithSse` to an `SseResponseWriter` on a response that only encodes what it is given.
 * No sockets, no HTTP parser: what is left is the streaming path's own work.
 *
 * With `--before <dir>` it loads the same modules from another build of the tools (an older
 * commit's `.tools`, built with `npx tsc -p tsconfig.tools.json` in a copy of it) and alternates
 * the two in rounds (bench/support/stats.ts), so both see the same machine.
 *
 *   npm run bench:stream -- [--before /tmp/old/.tools] [--streams 200] [--chunks 200] [--rounds 7]
 *   [--read 16384] [--profile-only]
 */
import { Observable, catchError, throwError } from 'rxjs';
import { resolve } from 'node:path';
import { alternatingRounds, cpuClockNs, median } from './support/stats';

const ORIGIN = 'http://127.0.0.1:8000';
const HEARTBEAT_MS = 15_000;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

function stringArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

/**
 * One stream's body as the simulator sends it for (e): the role chunk, `chunks` content deltas
 * (a tenth with an escape, a tenth with a non-ASCII character), the finish chunk, the usage
 * chunk and `[DONE]`.
 */
function recordedBody(chunks: number): Buffer {
  const head =
    '{"id":"chatcmpl-9f8e7d6c5b4a3928","object":"chat.completion.chunk","created":1765140000,' +
    '"model":"Qwen/Qwen3-8B","choices":[{"index":0,"delta":';
  const post = ',"logprobs":null,"finish_reason":null}],"usage":null}';
  const events = [head + '{"role":"assistant","content":""}' + post];
  for (let i = 0; i < chunks; i++) {
    const content = i % 10 === 3 ? ` "q${i}"\n` : i % 10 === 7 ? ` caf\u00e9${i}` : ` tok${i}`;
    events.push(head + '{"content":' + JSON.stringify(content) + '}' + post);
  }
  events.push(head + '{},"logprobs":null,"finish_reason":"stop"}],"usage":null}');
  events.push(
    head.slice(0, head.indexOf('"choices"')) +
      `"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":${chunks},"total_tokens":${chunks + 12}}}`,
  );
  return Buffer.from(events.map((e) => `data: ${e}\n\n`).join('') + 'data: [DONE]\n\n');
}

/** What the pipeline needs of a Node response: writes are encoded (as a socket write would), nothing more. */
class EncodingResponse {
  bytes = 0;
  headersSent = false;
  closed = false;
  destroyed = false;
  writableEnded = false;
  writableFinished = false;
  on(): this {
    return this;
  }
  off(): this {
    return this;
  }
  writeHead(): this {
    this.headersSent = true;
    return this;
  }
  flushHeaders(): void {}
  write(data: string): boolean {
    this.bytes += Buffer.from(data, 'utf8').length;
    return true;
  }
  end(data?: string): void {
    if (data !== undefined) this.write(data);
    this.writableEnded = this.writableFinished = true;
  }
}

/* eslint-disable @typescript-eslint/no-require-imports */
/** The modules of one build, and one whole stream through them. */
function pipeline(root: string, streams: number, body: Buffer, read: number): (i: number) => void {
  const load = (path: string): any => require(resolve(root, path));
  const { UpstreamPool } = load('src/providers/upstream-pool');
  const { StreamCall } = load('src/providers/stream-call');
  const { chunkStream } = load('src/providers/stream-shape');
  const { fallBackWhenRefused } = load('src/providers/stream-fallback');
  const { ChatCompletionsService } = load('src/tier-routing/chat-completions.service');
  const { replyWithSse, SseResponseWriter } = load('src/common/sse');
  const { streamedTokens } = load('src/limits/streamed-tokens');

  let call: any;
  const limits = { maxResponseBytes: 1 << 24, maxStreamLineBytes: 1 << 20 };
  const transport = {
    chatStream: (_body: unknown, options: unknown) =>
      fallBackWhenRefused(
        new Observable((subscriber) => {
          call = new StreamCall(ORIGIN, options, limits, subscriber, chunkStream());
          if (!call.start()) return undefined;
          return call;
        }),
        () => throwError(() => new Error('no fallback')),
      ),
    close: () => Promise.resolve(),
    destroy: () => Promise.resolve(),
  };
  const pool = new UpstreamPool(poolConfig(), {
    createTransport: () => transport,
    createProbe: () => ({
      get: () => Promise.resolve({ ok: true }),
      close: () => Promise.resolve(),
    }),
  });
  const service = new ChatCompletionsService();
  const timeouts = { requestMs: 600_000, ttfbMs: 60_000, idleMs: 60_000, queueMs: 1_000 };
  const route = {
    pool,
    tier: 'instant',
    reason: 'model:instant',
    config: { model: 'Qwen/Qwen3-8B', reasoning: 'passthrough', timeouts },
  };
  const request = { model: 'instant', messages: [{ role: 'user', content: 'hi' }], stream: true };
  const controller = { pause() {}, resume() {}, abort() {}, aborted: false, paused: false };
  const headers = { 'content-type': 'text/event-stream' };
  let sink = 0;
  const signal = new AbortController().signal;

  return (i: number) => {
    const res = new EncodingResponse();
    // The default heartbeat: the writer keeps its place on the shared wheel as it writes.
    const writer = new SseResponseWriter(res, { heartbeatMs: HEARTBEAT_MS });
    let streamed = 0;
    const ctx = {
      signal,
      requestId: `r${i % streams}`,
      gate: writer.gate,
      onUsage: (usage: unknown) => (sink += usage ? 1 : 0),
      onStreamed: (chunk: unknown) => (streamed += streamedTokens(chunk)),
    };
    const payloads = service
      .stream(request, route, ctx)
      .pipe(catchError((error: unknown) => throwError(() => error)));
    const reply = { hijack() {}, getHeaders: () => ({}), raw: res };
    void replyWithSse(reply as any, writer, payloads, {
      heartbeatMs: HEARTBEAT_MS,
      renderError: () => ({ error: { message: 'x', type: 'x', param: null, code: null } }),
    });
    call.onRequestStart(controller);
    call.onResponseStart(controller, 200, headers);
    for (let at = 0; at < body.length; at += read) {
      call.onResponseData(controller, body.subarray(at, at + read));
    }
    call.onResponseEnd(controller, {});
    sink += res.bytes + streamed;
  };
}
/* eslint-enable @typescript-eslint/no-require-imports */

function poolConfig(): unknown {
  return {
    name: 'instant',
    maxConnections: 1 << 20,
    connectTimeoutMs: 1000,
    maxResponseBytes: 1 << 24,
    maxStreamLineBytes: 1 << 20,
    streaming: true,
    responsesApi: 'bridge',
    upstreams: [{ url: 'http://127.0.0.1:8000/v1', weight: 1, tls: { rejectUnauthorized: true } }],
    balancing: 'least-outstanding',
    maxConcurrency: 1 << 20,
    queueSize: 16,
    healthCheck: {
      enabled: false,
      path: '/health',
      intervalMs: 60_000,
      timeoutMs: 100,
      healthyThreshold: 1,
      unhealthyThreshold: 1,
      verifyIntervalMs: 0,
    },
    outlier: { consecutiveFailures: 3, ejectionMs: 1000, maxEjectionMs: 8000 },
    retries: { maxAttempts: 3, backoffBaseMs: 0, backoffMaxMs: 0, maxRetryAfterMs: 10_000 },
    loadAware: { metricsPath: '/metrics', scrapeIntervalMs: 60_000, staleAfterMs: 1000 },
    prefixAffinity: { enabled: false, loadFactor: 1.25 },
  };
}

function main(): void {
  const streams = arg('streams', 200);
  const chunks = arg('chunks', 200);
  const rounds = arg('rounds', 7);
  const read = arg('read', 16 * 1024);
  const before = stringArg('before');
  const body = recordedBody(chunks);
  const here = resolve(__dirname, '..');
  const variants: Record<string, (i: number) => void> = {};
  if (before !== undefined) variants[`before (${before})`] = pipeline(before, streams, body, read);
  variants['this build'] = pipeline(here, streams, body, read);
  if (process.argv.includes('--profile-only')) {
    const run = variants['this build'];
    for (let i = 0; i < streams * rounds; i++) run(i);
    return;
  }
  const perChunk = chunks + 4;
  const ns = alternatingRounds(variants, rounds, streams, cpuClockNs);
  console.log(
    `chat stream pipeline in process, node ${process.version}: ${streams} streams × ${chunks} content chunks ` +
      `(${perChunk} events), reads of ${read} B, ${rounds} rounds (median CPU ns per event):`,
  );
  for (const [name, values] of Object.entries(ns)) {
    const per = values.map((v) => v / perChunk);
    console.log(
      `  ${name}: ${median(per).toFixed(0)} ns (rounds: ${per.map((v) => v.toFixed(0)).join(', ')})`,
    );
  }
}

main();
