/**
 * The project's own OpenAI-compatible model server ("the simulator").
 *
 * It answers like vLLM on the wire (bodies, chunk shapes, error envelopes, `/metrics` names) and can
 * be told to misbehave (latency, failures, hangs, cut or corrupt streams, ndjson, split writes) either
 * for the whole server (`configure`, `POST /_sim/config`) or per request (`x_sim` in the body).
 *
 * Plain `node:http`, keep-alive, no per-request heavy work: it is the baseline of the benchmarks.
 * Test-only code; never part of `dist/`.
 */
import * as http from 'node:http';
import type { Socket } from 'node:net';
import {
  chatPromptTokens,
  completionPromptTokens,
  contentText,
  defaultPieces,
  embed,
  errorBody,
  floatsToBase64,
  hexId,
  jsonStr,
  splitPieces,
  charsToTokens,
  toolCallId,
} from './wire';
import { llamaCppError, llamaCppFault, llamaCppParseError } from './llamacpp';
import { chatOfResponses, responsesBody, responsesEvents } from './responses-wire';

// =============================================================================================
// Public API
// =============================================================================================

export type SimMode = 'normal' | 'hang' | 'garbage' | 'cut' | 'corrupt' | 'ndjson';
export type SimReasoning = 'none' | 'reasoning_content' | 'reasoning' | 'think-tags';
/** Whose load gauges `GET /metrics` shows; `none` answers 501 like `llama-server` without `--metrics`. */
export type SimMetrics = 'vllm' | 'llamacpp' | 'sglang' | 'none';
/**
 * Which server it behaves like: vLLM (default) or llama.cpp's `llama-server`, both in its chat wire
 * and in its answers to requests it cannot take.
 */
export type SimFlavor = 'vllm' | 'llamacpp';

export interface SimBehavior {
  /** Delay before response headers (every inference response, errors included). */
  latencyMs: number;
  /** Extra delay before the first generated chunk when streaming. */
  ttftMs: number;
  /** Delay between streamed token chunks. */
  tokenIntervalMs: number;
  /** Completion tokens (content pieces) in an answer when max_tokens doesn't cap it. */
  tokens: number;
  /** 0..1 fraction of inference requests answered with `failStatus`. */
  failRate: number;
  failStatus: number;
  /** When set, failures (failRate and `x_sim.status`) carry `retry-after`. */
  retryAfterSeconds?: number;
  mode: SimMode;
  cutAfterChunks: number;
  reasoning: SimReasoning;
  reasoningTokens: number;
  /** If set, emit a `: ping` comment line every N chunks. */
  sseCommentEvery?: number;
  /** Write each stream event in 3 socket writes split at odd offsets, with `\r\n` line ends. */
  splitWrites: boolean;
  /** Status of `GET /health`. */
  healthStatus: number;
  embeddingDims: number;
  /** Max model length (prompt tokens beyond it → vLLM's 400); also `max_model_len` in /v1/models. */
  contextWindow: number;
  /** Whose load gauges `/metrics` shows (running, waiting, KV-cache use). */
  metrics: SimMetrics;
  /**
   * Requests counted as running in `/metrics`; the rest of those in flight count as waiting
   * (vLLM's `max_num_seqs`, llama-server's `-np` slots). Metrics only: nothing really waits.
   */
  maxRunning: number;
  /**
   * `llamacpp`: llama.cpp's `llama-server`, in one switch:
   * - chat answers as it writes them (role chunk with `content: null`, `system_fingerprint`,
   *   `timings` on the last chunk and on whole answers), and `max_tokens` cuts tool-call
   *   arguments (`finish_reason: length`);
   * - its answers to requests it cannot take (HTTP 500 for malformed JSON, tool-call arguments
   *   in the history that are not JSON, an `image_url` part, a tool without `function`, an
   *   embeddings input over `batchTokens`; 400 `exceed_context_size_error` past the context
   *   window).
   * Its `/metrics` gauges are a separate choice (`metrics`), as `--metrics` is on llama-server.
   */
  flavor: SimFlavor;
  /** `llamacpp`: the physical batch; a longer embeddings input gets its 500. */
  batchTokens: number;
  /** Refuse `stream: true` with 400 "Streaming is not supported" (a server that cannot stream). */
  refuseStream: boolean;
}

export interface SimulatorOptions {
  /** 0 = ephemeral (default). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The one model id it serves. */
  model: string;
  /** Label for logs. */
  name?: string;
  behavior?: Partial<SimBehavior>;
  /** Max requests kept in the log (ring, default 1000). */
  logLimit?: number;
  /** Shorthand for `behavior.contextWindow` (default 32768). */
  contextWindow?: number;
  /** Like `vllm serve --api-key`: /v1/* requires `Authorization: Bearer <apiKey>`, else 401. */
  apiKey?: string;
}

export interface SimRequestRecord {
  seq: number;
  method: string;
  path: string;
  model?: string;
  stream: boolean;
  /** As received (lower-case names). */
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body. */
  body?: unknown;
  status?: number;
  /** The client went away before the response finished. */
  aborted: boolean;
  completed: boolean;
  /** How many `res.write()` calls returned false. */
  blockedWrites: number;
  startedAt: number;
  endedAt?: number;
  /** finish_reason of a generated answer. */
  finishReason?: string;
  /** Why the response neither completed nor was aborted by the client: `cut`, `server closed`. */
  error?: string;
}

export interface SimStats {
  received: number;
  inFlight: number;
  aborted: number;
  completed: number;
}

export interface RunningSimulator {
  /** `http://127.0.0.1:PORT/v1` */
  url: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  model: string;
  name: string;
  /** Merge into the current behavior. */
  configure(b: Partial<SimBehavior>): void;
  /** The current behavior (a copy). */
  behavior(): SimBehavior;
  /** Behavior back to the start options; log and counters cleared. */
  reset(): void;
  /** The log, oldest first (inference requests only: POST /v1/...). */
  requests(): SimRequestRecord[];
  stats(): SimStats;
  waitFor(pred: (s: SimStats) => boolean, timeoutMs?: number): Promise<void>;
  /** Close the server and all sockets. */
  close(): Promise<void>;
  /** Abrupt: destroy every socket and stop listening at once (replica death). */
  kill(): void;
  /** Listen again on the same port after `kill()`/`close()` (replica comes back). */
  revive(): Promise<void>;
}

export const DEFAULT_BEHAVIOR: Readonly<SimBehavior> = Object.freeze({
  latencyMs: 0,
  ttftMs: 0,
  tokenIntervalMs: 0,
  tokens: 16,
  failRate: 0,
  failStatus: 503,
  retryAfterSeconds: undefined,
  mode: 'normal',
  cutAfterChunks: 2,
  reasoning: 'none',
  reasoningTokens: 8,
  sseCommentEvery: undefined,
  splitWrites: false,
  healthStatus: 200,
  embeddingDims: 8,
  contextWindow: 32768,
  metrics: 'vllm',
  maxRunning: 256,
  flavor: 'vllm',
  batchTokens: 512,
  refuseStream: false,
});

const MODES: readonly string[] = ['normal', 'hang', 'garbage', 'cut', 'corrupt', 'ndjson'];
const REASONINGS: readonly string[] = ['none', 'reasoning_content', 'reasoning', 'think-tags'];
const METRICS: readonly string[] = ['vllm', 'llamacpp', 'sglang', 'none'];
const FLAVORS: readonly string[] = ['vllm', 'llamacpp'];
/** llama.cpp's `system_fingerprint` (its build). */
const LLAMA_FINGERPRINT = 'b1-sim';
const NUMBER_KEYS = [
  'latencyMs',
  'ttftMs',
  'tokenIntervalMs',
  'tokens',
  'failRate',
  'failStatus',
  'retryAfterSeconds',
  'cutAfterChunks',
  'reasoningTokens',
  'sseCommentEvery',
  'healthStatus',
  'embeddingDims',
  'contextWindow',
  'maxRunning',
  'batchTokens',
] as const;
const OPTIONAL_KEYS = new Set<string>(['retryAfterSeconds', 'sseCommentEvery']);

function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * The valid behavior fields of an untrusted object (camelCase or snake_case keys). Optional
 * numeric fields may be `null` to unset them. Unknown keys and wrong types are ignored.
 */
export function pickBehavior(input: unknown): Partial<SimBehavior> {
  const out: Record<string, unknown> = {};
  if (!input || typeof input !== 'object') return out;
  for (const [rawKey, value] of Object.entries(input as Record<string, unknown>)) {
    const key = camel(rawKey);
    if ((NUMBER_KEYS as readonly string[]).includes(key)) {
      if (typeof value === 'number' && Number.isFinite(value)) out[key] = value;
      else if (value === null && OPTIONAL_KEYS.has(key)) out[key] = undefined;
    } else if (key === 'mode' && typeof value === 'string' && MODES.includes(value)) {
      out.mode = value;
    } else if (key === 'reasoning' && typeof value === 'string' && REASONINGS.includes(value)) {
      out.reasoning = value;
    } else if (key === 'metrics' && typeof value === 'string' && METRICS.includes(value)) {
      out.metrics = value;
    } else if (key === 'flavor' && typeof value === 'string' && FLAVORS.includes(value)) {
      out.flavor = value;
    } else if (key === 'splitWrites' && typeof value === 'boolean') {
      out.splitWrites = value;
    } else if (key === 'refuseStream' && typeof value === 'boolean') {
      out.refuseStream = value;
    }
  }
  return out as Partial<SimBehavior>;
}

export async function startSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  const sim = new Simulator(opts);
  await sim.listen(opts.port ?? 0);
  return sim.api();
}

// =============================================================================================
// Internals
// =============================================================================================

type Kind = 'chat' | 'completion' | 'embedding';
type Json = Record<string, unknown>;

interface ScriptedToolCall {
  id?: string;
  name: string;
  arguments: string;
}

/** Behavior plus the per-request extras of `x_sim`. */
interface Script {
  b: SimBehavior;
  content?: string;
  toolCalls?: ScriptedToolCall[];
  toolArgsChunk: number;
  toolRounds: number;
  status?: number;
  errorMessage?: string;
  /** The scripted error's message repeats the request's `Authorization` header (a leaky server). */
  echoAuthorization: boolean;
}

export interface Generation {
  reasoning: string[];
  content: string[];
  toolCalls: { id: string; name: string; arguments: string }[] | null;
  finishReason: 'stop' | 'length' | 'tool_calls';
  /** vLLM's `stop_reason`: the `stop` string that ended the answer, else null. */
  stopReason: string | null;
  promptTokens: number;
  completionTokens: number;
}

/** One streamed event: its JSON and whether the inter-token delay applies before it. */
export interface StreamEvent {
  json: string;
  token: boolean;
}

const NOOP = (): void => undefined;
const immediate = (): Promise<void> => new Promise((r) => setImmediate(r));
const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** KV-cache "slots" used to derive vllm:kv_cache_usage_perc from the in-flight count. */
const KV_SLOTS = 64;

const GARBAGE_HTML =
  '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>' +
  '<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n';

/** One inference request/response in progress. */
class Exchange {
  closed = false;
  cut = false;
  promptTokens = 0;
  completionTokens = 0;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(
    readonly res: http.ServerResponse,
    readonly rec: SimRequestRecord,
    readonly epoch: number,
  ) {}

  /** Resolves true after `ms`, or false at once when the client goes away. */
  sleep(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (): void => {
        this.wake = undefined;
        this.timer = undefined;
        resolve(!this.closed);
      };
      this.wake = done;
      this.timer = setTimeout(done, ms);
    });
  }

  /** Never resolves until the connection closes (mode `hang`). */
  forever(): Promise<boolean> {
    return new Promise((resolve) => {
      this.wake = () => resolve(false);
    });
  }

  onClosed(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  head(status: number, headers: http.OutgoingHttpHeaders): void {
    this.rec.status = status;
    this.res.writeHead(status, headers);
  }

  /** A complete response with a body. */
  reply(status: number, body: string, contentType: string, extra?: http.OutgoingHttpHeaders): void {
    if (this.closed) return;
    this.head(status, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
      ...extra,
    });
    this.res.end(body);
  }

  json(status: number, body: string, extra?: http.OutgoingHttpHeaders): void {
    this.reply(status, body, 'application/json', extra);
  }

  /**
   * Write one piece: `true` when written and the socket can take more at once, `false` when the
   * client is gone, else a promise that resolves after 'drain' (true) or the close (false).
   */
  send(data: string | Buffer): boolean | Promise<boolean> {
    if (this.closed) return false;
    if (this.res.write(data)) return true;
    this.rec.blockedWrites++;
    return new Promise((resolve) => {
      const done = (): void => {
        this.res.off('drain', done);
        this.wake = undefined;
        resolve(!this.closed);
      };
      this.wake = done;
      this.res.on('drain', done);
    });
  }

  /** Write an event in 3 writes split at odd byte offsets (the last split inside `\r\n\r\n`). */
  async sendSplit(data: string): Promise<boolean> {
    const buf = Buffer.from(data, 'utf8');
    const len = buf.length;
    const cuts: number[] = [];
    const a = Math.floor(len / 3) | 1;
    const c = len - 3;
    if (a > 0 && a < len) cuts.push(a);
    if (c > a && c < len) cuts.push(c);
    let from = 0;
    for (const to of [...cuts, len]) {
      const r = this.send(buf.subarray(from, to));
      if (r !== true && (r === false || !(await r))) return false;
      from = to;
      if (to < len) {
        await immediate();
        if (this.closed) return false;
      }
    }
    return true;
  }

  /** Server-side cut: flush what was written, then end the connection mid-response. */
  cutConnection(): void {
    if (this.closed) return;
    this.cut = true;
    this.rec.error = 'cut';
    this.res.flushHeaders(); // `headersSent` is already true after writeHead(), before any byte left
    const sock = this.res.socket;
    if (!sock || sock.destroyed) return;
    // Node 24's server corks the socket for a response write and uncorks it on the next tick:
    // ending the socket at once drops the last write there. One turn later the bytes are out.
    setImmediate(() => {
      if (sock.destroyed) return;
      const kill = setTimeout(() => sock.destroy(), 1000);
      kill.unref();
      sock.end(() => {
        clearTimeout(kill);
        sock.destroy();
      });
    });
  }
}

class Simulator {
  readonly model: string;
  readonly name: string;
  private readonly modelJson: string;
  private readonly startBehavior: SimBehavior;
  private behavior: SimBehavior;
  private readonly logLimit: number;
  private readonly apiKey: string | undefined;
  private readonly host: string;
  private readonly createdAt = Math.floor(Date.now() / 1000);
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly listeners = new Set<() => void>();
  private port = 0;
  private closing = false;

  // log (ring) and counters
  private log: SimRequestRecord[] = [];
  private logHead = 0;
  private seq = 0;
  private epoch = 0;
  private received = 0;
  private inFlight = 0;
  private aborted = 0;
  private completed = 0;
  private promptTokensTotal = 0;
  private generationTokensTotal = 0;
  private success = { stop: 0, length: 0, abort: 0 };

  constructor(opts: SimulatorOptions) {
    if (!opts.model) throw new Error('startSimulator: `model` is required');
    this.model = opts.model;
    this.name = opts.name ?? opts.model;
    this.modelJson = JSON.stringify(opts.model);
    this.host = opts.host ?? '127.0.0.1';
    this.logLimit = Math.max(1, opts.logLimit ?? 1000);
    this.apiKey = opts.apiKey;
    this.startBehavior = {
      ...DEFAULT_BEHAVIOR,
      ...(opts.contextWindow !== undefined ? { contextWindow: opts.contextWindow } : {}),
      ...pickBehavior(opts.behavior ?? {}),
    };
    this.behavior = { ...this.startBehavior };

    this.server = http.createServer({ requestTimeout: 0, noDelay: true }, (req, res) =>
      this.onRequest(req, res),
    );
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 66_000;
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    this.server.on('clientError', (_err, s: Socket) => s.destroy());
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      // A gateway opening thousands of upstream streams at once must not meet a full accept
      // queue (Node's default 511; the kernel caps this at net.core.somaxconn).
      this.server.listen({ port, host: this.host, backlog: 65_535 }, () => {
        this.server.off('error', onError);
        const addr = this.server.address();
        this.port = typeof addr === 'object' && addr ? addr.port : port;
        this.closing = false;
        resolve();
      });
    });
  }

  api(): RunningSimulator {
    const urlHost =
      this.host === '0.0.0.0' || this.host === '::' || this.host === ''
        ? '127.0.0.1'
        : this.host.includes(':')
          ? `[${this.host}]`
          : this.host;
    const origin = `http://${urlHost}:${this.port}`;
    return {
      url: `${origin}/v1`,
      origin,
      port: this.port,
      model: this.model,
      name: this.name,
      configure: (b) => this.configure(b),
      behavior: () => ({ ...this.behavior }),
      reset: () => this.reset(),
      requests: () => this.requests(),
      stats: () => this.stats(),
      waitFor: (pred, timeoutMs) => this.waitFor(pred, timeoutMs),
      close: () => this.close(),
      kill: () => this.kill(),
      revive: () => this.listen(this.port),
    };
  }

  // ------------------------------------------------------------------------------- controls

  configure(b: Partial<SimBehavior>): SimBehavior {
    Object.assign(this.behavior, pickBehavior(b));
    return { ...this.behavior };
  }

  reset(): void {
    this.behavior = { ...this.startBehavior };
    this.log = [];
    this.logHead = 0;
    this.seq = 0;
    this.epoch++;
    this.received = 0;
    this.aborted = 0;
    this.completed = 0;
    this.promptTokensTotal = 0;
    this.generationTokensTotal = 0;
    this.success = { stop: 0, length: 0, abort: 0 };
    this.notify();
  }

  requests(): SimRequestRecord[] {
    if (this.log.length < this.logLimit || this.logHead === 0) return this.log.slice();
    return this.log.slice(this.logHead).concat(this.log.slice(0, this.logHead));
  }

  stats(): SimStats {
    return {
      received: this.received,
      inFlight: this.inFlight,
      aborted: this.aborted,
      completed: this.completed,
    };
  }

  waitFor(pred: (s: SimStats) => boolean, timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (err?: Error): void => {
        this.listeners.delete(check);
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const check = (): void => {
        try {
          if (pred(this.stats())) finish();
        } catch (err) {
          finish(err as Error);
        }
      };
      const timer = setTimeout(() => {
        const s = JSON.stringify(this.stats());
        finish(
          new Error(`simulator ${this.name}: waitFor timed out after ${timeoutMs} ms; stats=${s}`),
        );
      }, timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  close(): Promise<void> {
    this.closing = true;
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      for (const s of this.sockets) s.destroy();
    });
  }

  kill(): void {
    this.closing = true;
    this.server.close(NOOP);
    for (const s of this.sockets) s.destroy();
    this.server.closeAllConnections();
  }

  private notify(): void {
    if (this.listeners.size === 0) return;
    for (const l of [...this.listeners]) l();
  }

  private record(rec: SimRequestRecord): void {
    if (this.log.length < this.logLimit) {
      this.log.push(rec);
    } else {
      this.log[this.logHead] = rec;
      this.logHead = (this.logHead + 1) % this.logLimit;
    }
  }

  // ------------------------------------------------------------------------------- routing

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    res.on('error', NOOP);
    req.on('error', NOOP);

    if (path.startsWith('/v1/') && this.apiKey !== undefined) {
      if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
        if (method === 'POST' && path !== '/v1/models') return this.inference(req, res, null, path);
        return sendRaw(res, 401, '{"error":"Unauthorized"}');
      }
    }

    switch (path) {
      case '/v1/chat/completions':
        return method === 'POST' ? this.inference(req, res, 'chat', path) : notAllowed(res);
      case '/v1/completions':
        return method === 'POST' ? this.inference(req, res, 'completion', path) : notAllowed(res);
      case '/v1/embeddings':
        return method === 'POST' ? this.inference(req, res, 'embedding', path) : notAllowed(res);
      case '/v1/responses':
        return method === 'POST' ? this.inference(req, res, 'responses', path) : notAllowed(res);
      case '/v1/models':
        return method === 'GET' ? sendRaw(res, 200, this.modelsBody()) : notAllowed(res);
      case '/health':
        if (method !== 'GET' && method !== 'HEAD') return notAllowed(res);
        res.writeHead(this.behavior.healthStatus, { 'content-length': 0 });
        return void res.end();
      case '/metrics':
        if (method !== 'GET') return notAllowed(res);
        if (this.behavior.metrics === 'none') {
          // llama-server without --metrics.
          return sendRaw(
            res,
            501,
            '{"error":{"code":501,"message":"This server does not support metrics endpoint. Start it with `--metrics`","type":"not_supported_error"}}',
          );
        }
        return sendRaw(res, 200, this.metricsText(), 'text/plain; version=0.0.4; charset=utf-8');
      case '/version':
        return method === 'GET' ? sendRaw(res, 200, '{"version":"0.0.0-sim"}') : notAllowed(res);
      case '/_sim/config':
        if (method === 'GET') return sendRaw(res, 200, JSON.stringify(this.behavior));
        if (method !== 'POST') return notAllowed(res);
        return void readJson(req).then((body) => {
          if (body === undefined || !isObj(body)) {
            return sendRaw(res, 400, errorBody(400, 'expected a JSON object of behavior fields'));
          }
          sendRaw(res, 200, JSON.stringify(this.configure(body as Partial<SimBehavior>)));
        });
      case '/_sim/reset':
        if (method !== 'POST') return notAllowed(res);
        return void readJson(req).then(() => {
          this.reset();
          sendRaw(res, 200, '{"ok":true}');
        });
      case '/_sim/requests':
        return method === 'GET'
          ? sendRaw(res, 200, JSON.stringify(this.requests()))
          : notAllowed(res);
      case '/_sim/stats':
        return method === 'GET' ? sendRaw(res, 200, JSON.stringify(this.stats())) : notAllowed(res);
      default:
        return sendRaw(res, 404, '{"detail":"Not Found"}');
    }
  }

  /** kind null = refused by the API key check (still logged). */
  private inference(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    kind: Kind | 'responses' | null,
    path: string,
  ): void {
    const rec: SimRequestRecord = {
      seq: ++this.seq,
      method: req.method ?? 'POST',
      path,
      stream: false,
      headers: req.headers,
      aborted: false,
      completed: false,
      blockedWrites: 0,
      startedAt: Date.now(),
    };
    this.record(rec);
    this.received++;
    this.inFlight++;
    const ex = new Exchange(res, rec, this.epoch);
    let finalized = false;
    res.on('close', () => {
      if (finalized) return;
      finalized = true;
      ex.onClosed();
      this.finalize(ex);
    });
    this.notify();

    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (ex.closed) return;
      const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      this.serve(ex, kind, raw).catch((err: unknown) => {
        if (ex.closed) return;
        if (!res.headersSent) {
          ex.json(500, errorBody(500, `simulator error: ${(err as Error)?.message ?? err}`));
        } else {
          res.destroy();
        }
      });
    });
  }

  private finalize(ex: Exchange): void {
    const rec = ex.rec;
    rec.endedAt = Date.now();
    this.inFlight--;
    const current = ex.epoch === this.epoch;
    if (ex.cut) {
      // server-side cut: neither completed nor aborted by the client
    } else if (ex.res.writableFinished) {
      rec.completed = true;
      if (current) {
        this.completed++;
        if (rec.status === 200 && rec.finishReason) {
          this.promptTokensTotal += ex.promptTokens;
          this.generationTokensTotal += ex.completionTokens;
          if (rec.finishReason === 'length') this.success.length++;
          else this.success.stop++;
        }
      }
    } else if (this.closing) {
      rec.error = 'server closed';
    } else {
      rec.aborted = true;
      if (current) {
        this.aborted++;
        this.success.abort++;
      }
    }
    this.notify();
  }

  // ------------------------------------------------------------------------------- serving

  private async serve(ex: Exchange, asked: Kind | 'responses' | null, raw: Buffer): Promise<void> {
    const rec = ex.rec;
    // `/v1/responses` is served as the chat request it stands for, answered in its own shape.
    const responses = asked === 'responses';
    const kind: Kind | null = responses ? 'chat' : asked;
    let body: unknown;
    let parseError: string | undefined;
    try {
      body = raw.length === 0 ? undefined : JSON.parse(raw.toString('utf8'));
      if (body === undefined) parseError = 'Expecting value: line 1 column 1 (char 0)';
    } catch (err) {
      parseError = (err as Error).message;
    }
    // The log keeps what was sent; the rest reads the chat request it stands for.
    const sent = body;
    if (responses && isObj(body)) body = chatOfResponses(body);
    if (isObj(body)) {
      rec.body = sent;
      if (typeof body.model === 'string') rec.model = body.model;
      rec.stream = body.stream === true;
    } else if (body !== undefined) {
      rec.body = body;
    }
    if (kind === null) return ex.reply(401, '{"error":"Unauthorized"}', 'application/json');
    if (parseError !== undefined && this.behavior.flavor === 'llamacpp') {
      const fault = llamaCppParseError(raw.toString('utf8'));
      return ex.json(fault.status, fault.body);
    }
    if (parseError !== undefined) {
      return ex.json(
        400,
        errorBody(
          400,
          `[{'type': 'json_invalid', 'loc': ('body', 0), 'msg': 'JSON decode error', 'ctx': {'error': ${pyStr(parseError)}}}]`,
        ),
      );
    }
    if (!isObj(body)) {
      return ex.json(
        400,
        errorBody(
          400,
          "[{'type': 'model_attributes_type', 'loc': ('body',), 'msg': 'Input should be a valid dictionary or object to extract fields from'}]",
        ),
      );
    }

    const script = this.script(body.x_sim);
    const b = script.b;
    if (b.mode === 'hang') {
      await ex.forever();
      return;
    }
    if (b.latencyMs > 0 && !(await ex.sleep(b.latencyMs))) return;

    // scripted and random failures
    const retry =
      b.retryAfterSeconds !== undefined
        ? { 'retry-after': String(b.retryAfterSeconds) }
        : undefined;
    if (script.status !== undefined) {
      let msg = script.errorMessage ?? `Simulated error ${script.status}`;
      if (script.echoAuthorization) msg += ` (Authorization: ${String(rec.headers.authorization)})`;
      return ex.json(script.status, errorBody(script.status, msg), retry);
    }
    if (b.failRate > 0 && Math.random() < b.failRate) {
      return ex.json(
        b.failStatus,
        errorBody(b.failStatus, `Simulated failure (${this.name}): status ${b.failStatus}`),
        retry,
      );
    }

    if (b.flavor === 'llamacpp') {
      const fault = llamaCppFault(kind, body, b.contextWindow, b.batchTokens);
      if (fault !== undefined) return ex.json(fault.status, fault.body);
    }

    // vLLM validation
    if (body.model !== undefined && body.model !== null && body.model !== this.model) {
      const shown = typeof body.model === 'string' ? body.model : JSON.stringify(body.model);
      return ex.json(404, errorBody(404, `The model \`${shown}\` does not exist.`, 'model'));
    }
    const invalid = validate(kind, body);
    if (invalid) return ex.json(400, errorBody(400, invalid));

    const promptTokens =
      kind === 'chat'
        ? chatPromptTokens(body.messages as unknown[])
        : kind === 'completion'
          ? completionPromptTokens(body.prompt)
          : 0;
    if (kind !== 'embedding' && promptTokens > b.contextWindow) {
      const maxTokens = requestedMaxTokens(body) ?? 0;
      return ex.json(
        400,
        errorBody(
          400,
          `This model's maximum context length is ${b.contextWindow} tokens. However, you requested ` +
            `${promptTokens + maxTokens} tokens (${promptTokens} in the messages, ${maxTokens} in the ` +
            `completion). Please reduce the length of the messages or completion.`,
        ),
      );
    }

    const stream = kind !== 'embedding' && body.stream === true;
    if (stream && b.refuseStream) {
      // The `{"error":{"code","message","type"}}` envelope of the servers that cannot stream.
      return ex.json(400, llamaCppError(400, 'Streaming is not supported by this server'));
    }
    if (b.mode === 'garbage') return this.garbage(ex, stream);
    if (b.mode === 'cut' && !stream) {
      ex.head(200, { 'content-type': 'application/json', 'content-length': 512 });
      return ex.cutConnection();
    }

    if (kind === 'embedding') return this.embeddings(ex, body, b);
    const gen = this.generate(kind, body, script, promptTokens);
    ex.promptTokens = gen.promptTokens;
    ex.completionTokens = gen.completionTokens;
    rec.finishReason = gen.finishReason;
    const llama = kind === 'chat' && b.flavor === 'llamacpp';
    if (responses) {
      if (!stream) return ex.json(200, JSON.stringify(responsesBody(gen, this.model)));
      return this.pump(ex, b, responsesEvents(gen, this.model), false);
    }
    if (!stream) {
      const out =
        kind === 'chat'
          ? llama
            ? this.llamaChatBody(gen)
            : this.chatBody(gen, b)
          : this.completionBody(gen);
      return ex.json(200, out);
    }
    const includeUsage = isObj(body.stream_options) && body.stream_options.include_usage === true;
    const events =
      kind === 'chat'
        ? llama
          ? this.llamaChatEvents(gen, script, includeUsage)
          : this.chatEvents(gen, b, script, includeUsage)
        : this.completionEvents(gen, includeUsage);
    return this.pump(ex, b, events);
  }

  private script(x: unknown): Script {
    const s: Script = {
      b: this.behavior,
      toolArgsChunk: 16,
      toolRounds: 1,
      echoAuthorization: false,
    };
    if (!isObj(x)) return s;
    const over = pickBehavior(x);
    if (Object.keys(over).length > 0) s.b = { ...this.behavior, ...over };
    if (typeof x.content === 'string') s.content = x.content;
    if (Array.isArray(x.tool_calls)) {
      s.toolCalls = x.tool_calls.filter(isObj).map((t) => {
        const fn = isObj(t.function) ? t.function : t;
        const args = fn.arguments;
        return {
          id: typeof t.id === 'string' ? t.id : undefined,
          name: String(fn.name ?? 'tool'),
          arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
        };
      });
    }
    const chunk = x.tool_args_chunk ?? x.toolArgsChunk;
    if (typeof chunk === 'number' && chunk >= 1) s.toolArgsChunk = Math.floor(chunk);
    const rounds = x.tool_rounds ?? x.toolRounds;
    if (typeof rounds === 'number' && rounds >= 0) s.toolRounds = rounds;
    if (typeof x.status === 'number' && x.status >= 100 && x.status <= 599) s.status = x.status;
    const msg = x.error_message ?? x.errorMessage;
    if (typeof msg === 'string') s.errorMessage = msg;
    if ((x.echo_authorization ?? x.echoAuthorization) === true) s.echoAuthorization = true;
    return s;
  }

  // ------------------------------------------------------------------------------- generation

  private generate(kind: Kind, body: Json, script: Script, promptTokens: number): Generation {
    const b = script.b;
    let reasoning: string[] =
      kind === 'chat' && b.reasoning !== 'none'
        ? defaultPieces('reasoning', Math.max(0, b.reasoningTokens))
        : [];
    let content: string[] | undefined;
    let toolCalls: Generation['toolCalls'] = null;

    if (kind === 'chat') {
      const messages = body.messages as unknown[];
      const last = messages[messages.length - 1];
      const lastIsTool = isObj(last) && last.role === 'tool';
      let calls = script.toolCalls ?? autoToolCalls(body);
      if (calls && lastIsTool) {
        const rounds = messages.filter(
          (m) =>
            isObj(m) &&
            m.role === 'assistant' &&
            Array.isArray(m.tool_calls) &&
            m.tool_calls.length > 0,
        ).length;
        if (rounds >= script.toolRounds) calls = undefined;
      }
      if (calls && calls.length > 0) {
        toolCalls = calls.map((c) => ({
          id: c.id ?? toolCallId(),
          name: c.name,
          arguments: c.arguments,
        }));
        content = script.content !== undefined ? splitPieces(script.content) : [];
      } else if (lastIsTool && script.content === undefined) {
        const results = messages
          .filter((m) => isObj(m) && m.role === 'tool')
          .map((m) => contentText((m as Json).content));
        content = splitPieces(`Tool results: ${results.join('; ')}`);
      }
    }
    if (content === undefined) {
      content =
        script.content !== undefined
          ? splitPieces(script.content)
          : defaultPieces('content', Math.max(0, Math.floor(b.tokens)));
    }

    let finishReason: Generation['finishReason'] = toolCalls ? 'tool_calls' : 'stop';
    const cap = requestedMaxTokens(body);
    if (cap !== undefined && toolCalls && b.flavor === 'llamacpp') {
      // llama.cpp counts the call's text as tokens: max_tokens cuts it mid-arguments.
      let left = cap * 4 - content.join('').length;
      const kept: NonNullable<Generation['toolCalls']> = [];
      for (const call of toolCalls) {
        if (left <= call.name.length) break;
        left -= call.name.length;
        if (call.arguments.length > left) {
          kept.push({ ...call, arguments: call.arguments.slice(0, left) });
          finishReason = 'length';
          break;
        }
        left -= call.arguments.length;
        kept.push(call);
      }
      if (kept.length < toolCalls.length) finishReason = 'length';
      toolCalls = kept.length > 0 ? kept : null;
    }
    if (cap !== undefined && !toolCalls && reasoning.length + content.length > cap) {
      finishReason = 'length';
      if (reasoning.length >= cap) {
        reasoning = reasoning.slice(0, cap);
        content = [];
      } else {
        content = content.slice(0, cap - reasoning.length);
      }
    }
    // vLLM: the answer ends before the first `stop` string, which `stop_reason` names.
    let stopReason: string | null = null;
    // Joined only when the request has stops: an endless answer is 100,000 pieces per request.
    const stopAt =
      toolCalls || body.stop == null ? undefined : firstStop(content.join(''), body.stop);
    if (stopAt !== undefined) {
      content = splitPieces(content.join('').slice(0, stopAt.index));
      finishReason = 'stop';
      stopReason = stopAt.stop;
    }
    let completionTokens = reasoning.length + content.length;
    if (toolCalls) {
      let chars = 0;
      for (const t of toolCalls) chars += t.name.length + t.arguments.length;
      completionTokens += charsToTokens(chars);
    }
    return {
      reasoning,
      content,
      toolCalls,
      finishReason,
      stopReason,
      promptTokens,
      completionTokens,
    };
  }

  private usage(gen: Generation): Json {
    return {
      prompt_tokens: gen.promptTokens,
      total_tokens: gen.promptTokens + gen.completionTokens,
      completion_tokens: gen.completionTokens,
      prompt_tokens_details: null,
    };
  }

  private chatBody(gen: Generation, b: SimBehavior): string {
    const reasoningText = gen.reasoning.join('');
    let content: string | null = gen.content.join('');
    const message: Json = { role: 'assistant' };
    if (b.reasoning === 'think-tags' && gen.reasoning.length > 0) {
      const closed = gen.content.length > 0 || gen.toolCalls || gen.finishReason !== 'length';
      content = `<think>${reasoningText}${closed ? '</think>' : ''}${content}`;
    }
    if (gen.toolCalls && content === '') content = null;
    message.content = content;
    message.refusal = null;
    message.annotations = null;
    message.audio = null;
    message.function_call = null;
    message.tool_calls = gen.toolCalls
      ? gen.toolCalls.map((t) => ({
          id: t.id,
          type: 'function',
          function: { name: t.name, arguments: t.arguments },
        }))
      : [];
    if (b.reasoning === 'reasoning') message.reasoning = reasoningText;
    else message.reasoning_content = b.reasoning === 'reasoning_content' ? reasoningText : null;
    return JSON.stringify({
      id: `chatcmpl-${hexId()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: this.model,
      choices: [
        {
          index: 0,
          message,
          logprobs: null,
          finish_reason: gen.finishReason,
          stop_reason: gen.stopReason,
        },
      ],
      service_tier: null,
      system_fingerprint: null,
      usage: this.usage(gen),
      prompt_logprobs: null,
      kv_transfer_params: null,
    });
  }

  /** llama.cpp's `timings` object, derived from the generation. */
  private timings(gen: Generation): Json {
    return {
      prompt_n: gen.promptTokens,
      prompt_ms: 1.5,
      predicted_n: gen.completionTokens,
      predicted_ms: 2.5,
    };
  }

  /** A whole chat answer as llama.cpp's server writes it. */
  private llamaChatBody(gen: Generation): string {
    const message: Json = { role: 'assistant', content: gen.content.join('') || null };
    if (gen.toolCalls) {
      message.tool_calls = gen.toolCalls.map((t) => ({
        type: 'function',
        function: { name: t.name, arguments: t.arguments },
        id: t.id,
      }));
    }
    return JSON.stringify({
      choices: [{ finish_reason: gen.finishReason, index: 0, message }],
      created: Math.floor(Date.now() / 1000),
      model: this.model,
      system_fingerprint: LLAMA_FINGERPRINT,
      object: 'chat.completion',
      usage: {
        completion_tokens: gen.completionTokens,
        prompt_tokens: gen.promptTokens,
        total_tokens: gen.promptTokens + gen.completionTokens,
      },
      id: `chatcmpl-${hexId()}`,
      timings: this.timings(gen),
    });
  }

  /**
   * A chat stream as llama.cpp's server writes it: role chunk with `content: null`, no `usage`
   * fields on the chunks, and `timings` on the last chunk (the usage chunk when usage was asked
   * for, else the finish chunk).
   */
  private *llamaChatEvents(
    gen: Generation,
    script: Script,
    includeUsage: boolean,
  ): Generator<StreamEvent> {
    const id = `chatcmpl-${hexId()}`;
    const created = Math.floor(Date.now() / 1000);
    const chunk = (choices: unknown[], extra: Json = {}): string =>
      JSON.stringify({
        choices,
        created,
        id,
        model: this.model,
        system_fingerprint: LLAMA_FINGERPRINT,
        object: 'chat.completion.chunk',
        ...extra,
      });
    const delta = (d: Json): string => chunk([{ finish_reason: null, index: 0, delta: d }]);
    yield { json: delta({ role: 'assistant', content: null }), token: false };
    let first = true;
    const tok = (d: Json): StreamEvent => {
      const ev = { json: delta(d), token: !first };
      first = false;
      return ev;
    };
    for (const p of gen.content) yield tok({ content: p });
    for (let i = 0; i < (gen.toolCalls ?? []).length; i++) {
      const t = (gen.toolCalls ?? [])[i];
      yield tok({
        tool_calls: [
          { index: i, id: t.id, type: 'function', function: { name: t.name, arguments: '' } },
        ],
      });
      for (let at = 0; at < t.arguments.length; at += script.toolArgsChunk) {
        yield tok({
          tool_calls: [
            { index: i, function: { arguments: t.arguments.slice(at, at + script.toolArgsChunk) } },
          ],
        });
      }
    }
    const timings = { timings: this.timings(gen) };
    const finish = [{ finish_reason: gen.finishReason, index: 0, delta: {} }];
    yield { json: chunk(finish, includeUsage ? {} : timings), token: false };
    if (includeUsage) {
      const usage = {
        completion_tokens: gen.completionTokens,
        prompt_tokens: gen.promptTokens,
        total_tokens: gen.promptTokens + gen.completionTokens,
      };
      yield { json: chunk([], { usage, ...timings }), token: false };
    }
  }

  private completionBody(gen: Generation): string {
    return JSON.stringify({
      id: `cmpl-${hexId()}`,
      object: 'text_completion',
      created: Math.floor(Date.now() / 1000),
      model: this.model,
      choices: [
        {
          index: 0,
          text: gen.content.join(''),
          logprobs: null,
          finish_reason: gen.finishReason,
          stop_reason: null,
          prompt_logprobs: null,
        },
      ],
      service_tier: null,
      system_fingerprint: null,
      usage: this.usage(gen),
      kv_transfer_params: null,
    });
  }

  private *chatEvents(
    gen: Generation,
    b: SimBehavior,
    script: Script,
    includeUsage: boolean,
  ): Generator<StreamEvent> {
    const head =
      `{"id":"chatcmpl-${hexId()}","object":"chat.completion.chunk",` +
      `"created":${Math.floor(Date.now() / 1000)},"model":${this.modelJson},`;
    const pre = head + '"choices":[{"index":0,"delta":';
    const usageNull = includeUsage ? ',"usage":null' : '';
    const post = ',"logprobs":null,"finish_reason":null}]' + usageNull + '}';

    yield { json: pre + '{"role":"assistant","content":""}' + post, token: false };
    let firstToken = true;
    const tok = (delta: string): StreamEvent => {
      const ev = { json: pre + delta + post, token: !firstToken };
      firstToken = false;
      return ev;
    };

    if (gen.reasoning.length > 0) {
      if (b.reasoning === 'think-tags') {
        yield tok('{"content":"<think>"}');
        for (const p of gen.reasoning) yield tok('{"content":' + jsonStr(p) + '}');
        if (gen.content.length > 0 || gen.toolCalls || gen.finishReason !== 'length') {
          yield tok('{"content":"</think>"}');
        }
      } else {
        const field = b.reasoning === 'reasoning' ? '{"reasoning":' : '{"reasoning_content":';
        for (const p of gen.reasoning) yield tok(field + jsonStr(p) + '}');
      }
    }
    for (const p of gen.content) yield tok('{"content":' + jsonStr(p) + '}');
    if (gen.toolCalls) {
      const step = script.toolArgsChunk;
      for (let i = 0; i < gen.toolCalls.length; i++) {
        const t = gen.toolCalls[i];
        yield tok(
          JSON.stringify({
            tool_calls: [
              { id: t.id, type: 'function', index: i, function: { name: t.name, arguments: '' } },
            ],
          }),
        );
        for (let at = 0; at < t.arguments.length; at += step) {
          yield tok(
            `{"tool_calls":[{"index":${i},"function":{"arguments":` +
              JSON.stringify(t.arguments.slice(at, at + step)) +
              '}}]}',
          );
        }
      }
    }
    yield {
      json:
        pre +
        `{"content":""},"logprobs":null,"finish_reason":"${gen.finishReason}",` +
        `"stop_reason":${JSON.stringify(gen.stopReason)}}]` +
        usageNull +
        '}',
      token: false,
    };
    if (includeUsage) {
      yield {
        json: head + '"choices":[],"usage":' + JSON.stringify(this.usage(gen)) + '}',
        token: false,
      };
    }
  }

  private *completionEvents(gen: Generation, includeUsage: boolean): Generator<StreamEvent> {
    const head =
      `{"id":"cmpl-${hexId()}","object":"text_completion",` +
      `"created":${Math.floor(Date.now() / 1000)},"model":${this.modelJson},`;
    const pre = head + '"choices":[{"index":0,"text":';
    const usageNull = includeUsage ? ',"usage":null' : '';
    const post = ',"logprobs":null,"finish_reason":null,"stop_reason":null}]' + usageNull + '}';
    let first = true;
    for (const p of gen.content) {
      yield { json: pre + jsonStr(p) + post, token: !first };
      first = false;
    }
    yield {
      json:
        pre +
        `"","logprobs":null,"finish_reason":"${gen.finishReason}","stop_reason":null}]` +
        usageNull +
        '}',
      token: false,
    };
    if (includeUsage) {
      yield {
        json: head + '"choices":[],"usage":' + JSON.stringify(this.usage(gen)) + '}',
        token: false,
      };
    }
  }

  /** Write a stream: delays, backpressure, comments, cut/corrupt/ndjson/split modes. */
  /** `done`: end with `data: [DONE]` (chat, completions; not the Responses events). */
  private async pump(
    ex: Exchange,
    b: SimBehavior,
    events: Iterable<StreamEvent>,
    done = true,
  ): Promise<void> {
    const ndjson = b.mode === 'ndjson';
    const split = b.splitWrites;
    const eol = split ? '\r\n' : '\n';
    const sep = ndjson ? '\n' : eol + eol;
    const prefix = ndjson ? '' : 'data: ';
    let cutAt = b.mode === 'cut' ? Math.max(0, b.cutAfterChunks) : -1;
    let corruptAt = b.mode === 'corrupt' ? Math.max(0, b.cutAfterChunks) : -1;
    const commentEvery =
      !ndjson && b.sseCommentEvery && b.sseCommentEvery > 0 ? b.sseCommentEvery : 0;

    ex.head(200, {
      'content-type': ndjson ? 'application/x-ndjson' : 'text/event-stream; charset=utf-8',
    });
    if (b.ttftMs > 0) ex.res.flushHeaders();

    const write = (data: string): boolean | Promise<boolean> =>
      split ? ex.sendSplit(data) : ex.send(data);
    // Normal streams coalesce the events that are due at the same moment into one write
    // (up to 16 KiB): same bytes on the wire, far fewer syscalls.
    const batch = !split && (b.mode === 'normal' || b.mode === 'ndjson');
    let pending = '';
    const flush = (): boolean | Promise<boolean> => {
      const data = pending;
      pending = '';
      return data === '' ? !ex.closed : ex.send(data);
    };
    const emit = (data: string): boolean | Promise<boolean> => {
      if (!batch) return write(data);
      pending += data;
      return pending.length >= BATCH_BYTES ? flush() : !ex.closed;
    };

    let chunks = 0;
    let first = true;
    for (const ev of events) {
      const delay = first ? b.ttftMs : ev.token ? b.tokenIntervalMs : 0;
      first = false;
      if (delay > 0) {
        const f = flush();
        if (f !== true && (f === false || !(await f))) return;
        if (!(await ex.sleep(delay))) return;
      }
      if (ex.closed) return;
      if (chunks === cutAt) return ex.cutConnection();
      if (chunks === corruptAt) {
        corruptAt = -1;
        const r = write(prefix + CORRUPT_JSON + sep);
        if (r !== true && (r === false || !(await r))) return;
      }
      const r = emit(prefix + ev.json + sep);
      if (r !== true && (r === false || !(await r))) return;
      chunks++;
      if (commentEvery && chunks % commentEvery === 0) {
        const c = emit(': ping' + eol + eol);
        if (c !== true && (c === false || !(await c))) return;
      }
    }
    if (cutAt >= 0) {
      cutAt = -1;
      return ex.cutConnection();
    }
    if (corruptAt >= 0) {
      const r = write(prefix + CORRUPT_JSON + sep);
      if (r !== true && (r === false || !(await r))) return;
    }
    if (!ndjson && done) pending += 'data: [DONE]' + eol + eol;
    if (ex.closed) return;
    if (batch) return void ex.res.end(pending);
    if (pending !== '') {
      const r = write(pending);
      if (r !== true && (r === false || !(await r))) return;
    }
    if (!ex.closed) ex.res.end();
  }

  private async garbage(ex: Exchange, stream: boolean): Promise<void> {
    if (!stream) return ex.reply(200, GARBAGE_HTML, 'text/html; charset=utf-8');
    ex.head(200, { 'content-type': 'text/event-stream; charset=utf-8' });
    for (const line of [
      'data: <html><body>upstream says hello</body></html>\n\n',
      'this line is not server-sent events at all\n\n',
      'data: {not json either\n\n',
    ]) {
      const r = ex.send(line);
      if (r !== true && (r === false || !(await r))) return;
    }
    if (!ex.closed) ex.res.end();
  }

  private embeddings(ex: Exchange, body: Json, b: SimBehavior): void {
    // vLLM refuses dimensions beyond the model's hidden size; unbounded here, one request of
    // `dimensions: 4294967296` took the test process down (the hardening fuzz found it).
    if (typeof body.dimensions === 'number' && body.dimensions > MAX_EMBEDDING_DIMS) {
      return ex.json(
        400,
        errorBody(400, `dimensions must be at most ${MAX_EMBEDDING_DIMS}, got ${body.dimensions}.`),
      );
    }
    const input = body.input;
    const inputs: string[] =
      typeof input === 'string'
        ? [input]
        : Array.isArray(input) && input.length > 0 && input.every((x) => typeof x === 'number')
          ? [JSON.stringify(input)]
          : Array.isArray(input)
            ? input.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)))
            : [];
    const dims =
      typeof body.dimensions === 'number' && body.dimensions >= 1
        ? Math.floor(body.dimensions)
        : Math.max(1, Math.floor(b.embeddingDims));
    const base64 = body.encoding_format === 'base64';
    let prompt = 0;
    const data = inputs.map((text, index) => {
      prompt += charsToTokens(text.length);
      const v = embed(text, dims);
      return { index, object: 'embedding', embedding: base64 ? floatsToBase64(v) : v };
    });
    ex.promptTokens = prompt;
    ex.rec.finishReason = 'stop';
    ex.json(
      200,
      JSON.stringify({
        id: `embd-${hexId()}`,
        object: 'list',
        created: Math.floor(Date.now() / 1000),
        model: this.model,
        data,
        usage: {
          prompt_tokens: prompt,
          total_tokens: prompt,
          completion_tokens: 0,
          prompt_tokens_details: null,
        },
      }),
    );
  }

  // ------------------------------------------------------------------------------- info

  private modelsBody(): string {
    const id = this.model;
    return JSON.stringify({
      object: 'list',
      data: [
        {
          id,
          object: 'model',
          created: this.createdAt,
          owned_by: 'vllm',
          root: id,
          parent: null,
          max_model_len: this.behavior.contextWindow,
          permission: [
            {
              id: `modelperm-${hexId()}`,
              object: 'model_permission',
              created: this.createdAt,
              allow_create_engine: false,
              allow_sampling: true,
              allow_logprobs: true,
              allow_search_indices: false,
              allow_view: true,
              allow_fine_tuning: false,
              organization: '*',
              group: null,
              is_blocking: false,
            },
          ],
        },
      ],
    });
  }

  private metricsText(): string {
    const label = `model_name=${JSON.stringify(this.model)}`;
    const maxRunning = this.behavior.maxRunning;
    const running = Math.min(this.inFlight, maxRunning);
    const waiting = Math.max(0, this.inFlight - maxRunning);
    const kv = Math.min(1, running / KV_SLOTS);
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, rows: [string, number][]): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      // llama-server prints C++ doubles (`4`), the Python servers floats (`4.0`).
      for (const [labels, v] of rows) {
        lines.push(labels === '' ? `${name} ${v}` : `${name}{${labels}} ${promNum(v)}`);
      }
    };
    if (this.behavior.metrics === 'llamacpp') {
      // llama-server --metrics: no labels, integer gauges, no KV-cache gauge in current builds.
      metric('llamacpp:prompt_tokens_total', 'counter', 'Number of prompt tokens processed.', [
        ['', this.promptTokensTotal],
      ]);
      metric('llamacpp:requests_processing', 'gauge', 'Number of requests processing', [
        ['', running],
      ]);
      metric('llamacpp:requests_deferred', 'gauge', 'Number of requests deferred', [['', waiting]]);
      return lines.join('\n') + '\n';
    }
    if (this.behavior.metrics === 'sglang') {
      metric('sglang:num_running_reqs', 'gauge', 'The number of running requests.', [
        [label, running],
      ]);
      metric('sglang:num_queue_reqs', 'gauge', 'The number of requests in the waiting queue.', [
        [label, waiting],
      ]);
      metric('sglang:token_usage', 'gauge', 'The token usage', [[label, kv]]);
      return lines.join('\n') + '\n';
    }
    metric('vllm:num_requests_running', 'gauge', 'Number of requests in model execution batches.', [
      [label, running],
    ]);
    metric('vllm:num_requests_waiting', 'gauge', 'Number of requests waiting to be processed.', [
      [label, waiting],
    ]);
    metric('vllm:gpu_cache_usage_perc', 'gauge', 'GPU KV-cache usage. 1 means 100 percent usage.', [
      [label, kv],
    ]);
    metric('vllm:kv_cache_usage_perc', 'gauge', 'KV-cache usage. 1 means 100 percent usage.', [
      [label, kv],
    ]);
    metric('vllm:prompt_tokens_total', 'counter', 'Number of prefill tokens processed.', [
      [label, this.promptTokensTotal],
    ]);
    metric('vllm:generation_tokens_total', 'counter', 'Number of generation tokens processed.', [
      [label, this.generationTokensTotal],
    ]);
    metric('vllm:request_success_total', 'counter', 'Count of successfully processed requests.', [
      [`finished_reason="stop",${label}`, this.success.stop],
      [`finished_reason="length",${label}`, this.success.length],
      [`finished_reason="abort",${label}`, this.success.abort],
    ]);
    return lines.join('\n') + '\n';
  }
}

// =============================================================================================
// Helpers
// =============================================================================================

/** Max bytes coalesced into one write when events are due together. */
const BATCH_BYTES = 16 * 1024;

const CORRUPT_JSON =
  '{"id":"chatcmpl-corrupt","object":"chat.completion.chunk","choices":[{"delta":{"content":"oo';

function sendRaw(
  res: http.ServerResponse,
  status: number,
  body: string,
  contentType = 'application/json',
): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function notAllowed(res: http.ServerResponse): void {
  sendRaw(res, 405, '{"detail":"Method Not Allowed"}');
}

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        resolve(undefined);
      }
    });
    req.on('error', () => resolve(undefined));
  });
}

/** A Python-repr-ish quoted string, for pydantic-style messages. */
function pyStr(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function promNum(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

function requestedMaxTokens(body: Json): number | undefined {
  const v = body.max_completion_tokens ?? body.max_tokens;
  return typeof v === 'number' ? v : undefined;
}

/** The 400 message vLLM would give for a malformed body, or undefined. */
function validate(kind: Kind, body: Json): string | undefined {
  const required = kind === 'chat' ? 'messages' : kind === 'completion' ? 'prompt' : 'input';
  const v = body[required];
  if (v === undefined) {
    return `[{'type': 'missing', 'loc': ('body', '${required}'), 'msg': 'Field required'}]`;
  }
  if (kind === 'chat' && !Array.isArray(v)) {
    return `[{'type': 'list_type', 'loc': ('body', 'messages'), 'msg': 'Input should be a valid list'}]`;
  }
  if (kind === 'chat') {
    for (let i = 0; i < (v as unknown[]).length; i++) {
      const m = (v as unknown[])[i];
      if (!isObj(m) || typeof m.role !== 'string') {
        return `[{'type': 'missing', 'loc': ('body', 'messages', ${i}, 'role'), 'msg': 'Field required'}]`;
      }
    }
  }
  if (kind !== 'chat' && typeof v !== 'string' && !Array.isArray(v)) {
    return `[{'type': 'string_type', 'loc': ('body', '${required}'), 'msg': 'Input should be a valid string'}]`;
  }
  for (const key of ['max_tokens', 'max_completion_tokens']) {
    const n = body[key];
    if (n === undefined || n === null) continue;
    if (typeof n !== 'number' || !Number.isInteger(n)) {
      return `[{'type': 'int_type', 'loc': ('body', '${key}'), 'msg': 'Input should be a valid integer'}]`;
    }
    if (n < 1) return `max_tokens must be at least 1, got ${n}.`;
  }
  return undefined;
}

/** The largest `dimensions` an embeddings request may ask for (a model's hidden size). */
const MAX_EMBEDDING_DIMS = 8_192;

/** `tool_choice: "required"` or a named function with no script: call it with `{}`. */
function autoToolCalls(body: Json): ScriptedToolCall[] | undefined {
  const tools = Array.isArray(body.tools) ? body.tools.filter(isObj) : [];
  if (tools.length === 0) return undefined;
  const choice = body.tool_choice;
  let name: unknown;
  if (choice === 'required') {
    const fn = tools[0].function;
    name = isObj(fn) ? fn.name : undefined;
  } else if (isObj(choice) && isObj(choice.function)) {
    name = choice.function.name;
  }
  return typeof name === 'string' ? [{ name, arguments: '{}' }] : undefined;
}

/** Where the first of the request's `stop` strings occurs in `text`, and which one. */
function firstStop(text: string, stop: unknown): { index: number; stop: string } | undefined {
  const stops = typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop : [];
  let first: { index: number; stop: string } | undefined;
  for (const candidate of stops) {
    if (typeof candidate !== 'string' || candidate.length === 0) continue;
    const index = text.indexOf(candidate);
    if (index !== -1 && (first === undefined || index < first.index))
      first = { index, stop: candidate };
  }
  return first;
}
