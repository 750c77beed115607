import type { ServerResponse } from 'node:http';
import { FlowGate } from './flow-gate';
import { HeartbeatWheel, type HeartbeatMember } from './heartbeat-wheel';

const DONE_FRAME = 'data: [DONE]\n\n';
const PING_FRAME = ': ping\n\n';

/** Set on every SSE response; they win over a caller's header of the same name. */
const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  // nginx (and ingress-nginx) buffer proxied responses unless told otherwise.
  'x-accel-buffering': 'no',
};

/** Copied headers that would lie about a body written as an open-ended, unencoded stream. */
const DROPPED_HEADERS = new Set(['content-length', 'transfer-encoding', 'content-encoding']);

const LINE_BREAKS = /\r\n|\r|\n/g;

export interface SseWriterOptions {
  /** Milliseconds of silence after which a `: ping` comment is written; 0 disables it. */
  heartbeatMs: number;
  /**
   * The wheel that times the heartbeat; by default the process-wide one of `heartbeatMs`, shared
   * by every stream. A seam for specs.
   */
  heartbeatWheel?: HeartbeatWheel;
}

/**
 * What drives a writer (see {@link SseResponseWriter.attach}): `replyWithSse`, which must hijack
 * Fastify's reply before the response is opened, and stops its source when the response closes.
 * An object rather than callbacks, so an open stream holds no closures for them.
 */
export interface SseWriterOwner {
  /** The heartbeat fell due before the first payload: open the writer now (a ping follows). */
  openForHeartbeat(): void;
  /** The response closed: after `end()` flushed (`clientAborted` false), or the client left. */
  responseClosed(clientAborted: boolean): void;
}

/** The writer's state bits: one field rather than six, on an object every open stream holds. */
const enum State {
  Opened = 1,
  /** The client went away or `end()` was called: writes are ignored. */
  Closed = 2,
  /** The response emitted `close` (it finished, or its connection went away). */
  Finalized = 4,
  /** It closed before it finished: the client disconnected. */
  Aborted = 8,
  /** The shared `drain` listener is on the response (added at the first backpressure). */
  DrainListened = 16,
  /** Opened, and the status line and headers wait for the first frame to leave with it. */
  HeadPending = 32,
}

/** Where the response's shared listeners find their writer (no closures per stream). */
const WRITER = Symbol('sseResponseWriter');

type WatchedResponse = ServerResponse & { [WRITER]?: SseResponseWriter };

function onResponseDrain(this: WatchedResponse): void {
  this[WRITER]?.gate.reopen();
}

function onResponseClose(this: WatchedResponse): void {
  this[WRITER]?.responseClosed();
}

/** Socket errors (EPIPE, ECONNRESET) mean the client is gone; `close` follows. */
function onResponseError(this: WatchedResponse): void {
  this[WRITER]?.responseFailed();
}

/**
 * Node builds the status line and headers as a string of some sixty concatenated pieces and keeps
 * it (`_header`) for as long as the response lives. Written on its own, the write flattens it in
 * place; sent along with the first frame, it stays a rope of ~1.5 KiB instead of ~0.3 KiB. Asking
 * for its UTF-8 length flattens it (an internal field: if Node renames it, this does nothing).
 */
function flattenHead(res: ServerResponse): void {
  const head = (res as { _header?: unknown })._header;
  if (typeof head === 'string') Buffer.byteLength(head);
}

/**
 * Frames written in one tick after the first (the rest of one upstream read's events) are joined
 * and written once at the end of the tick: Node's response makes four socket writes of each
 * `write()` (chunk size, CRLF, data, CRLF), which cost more than the frame. The first frame of a
 * tick is written at once, so a lone frame and the flow gate behave as before; joined frames go
 * at once too when they reach {@link JOIN_LIMIT}.
 */
const JOIN_LIMIT = 16 * 1024;
/** The tick count: a writer that last wrote in this tick joins its next frame. */
let tick = 1;
let tickEndQueued = false;
const joining: SseResponseWriter[] = [];

function endOfTick(): void {
  tickEndQueued = false;
  tick++;
  for (let i = 0; i < joining.length; i++) joining[i].flushJoined();
  joining.length = 0;
}

/** Headers of an opened response that nothing was written to in the same tick go out alone. */
function flushPendingHead(writer: SseResponseWriter): void {
  writer.flushPendingHead();
}

/**
 * Writes an OpenAI-style `text/event-stream` answer (docs/api.md §7) onto a raw Node response: Fastify's
 * `reply.raw` after `reply.hijack()`. The first frame of a tick is one `write()`, the others of
 * that tick (those of one upstream read) are joined into one more at its end; a `write()`'s
 * return value closes the {@link gate} until `drain`. They leave in one socket write: Node corks
 * the socket until the next tick, and {@link open} leaves the headers to go out with the first
 * frame. A heartbeat comment keeps proxies from closing a silent stream,
 * timed by a {@link HeartbeatWheel} that every stream shares. Once the client is gone or
 * {@link end} was called, every write is ignored.
 *
 * @example
 * reply.hijack();
 * const writer = new SseResponseWriter(reply.raw, { heartbeatMs: 15_000 });
 * writer.open(reply.getHeaders() as Record<string, string>);
 * writer.writeData(JSON.stringify(chunk));
 * writer.writeDone();
 * writer.end();
 */
export class SseResponseWriter implements HeartbeatMember {
  readonly gate = new FlowGate();
  /** @internal The heartbeat wheel's links. */
  heartbeatPrev: HeartbeatMember | undefined = undefined;
  /** @internal */
  heartbeatNext: HeartbeatMember | undefined = undefined;
  /** @internal */
  heartbeatAt = 0;
  private state = 0;
  /** The tick of the last frame written, and the frames of that tick since, joined. */
  private writtenTick = 0;
  private joined = '';
  private readonly wheel: HeartbeatWheel | undefined;
  private owner: SseWriterOwner | undefined;
  private closeListeners:
    ((clientAborted: boolean) => void) | ((clientAborted: boolean) => void)[] | undefined;

  constructor(
    private readonly res: ServerResponse,
    options: SseWriterOptions,
  ) {
    this.wheel =
      options.heartbeatMs > 0
        ? (options.heartbeatWheel ?? HeartbeatWheel.shared(options.heartbeatMs))
        : undefined;
    (res as WatchedResponse)[WRITER] = this;
    res.on('close', onResponseClose);
    res.on('error', onResponseError);
    if (res.closed) this.finalize();
    else if (res.destroyed || res.writableEnded) this.stop();
  }

  get opened(): boolean {
    return (this.state & State.Opened) !== 0;
  }

  /** The client went away or {@link end} was called: writes are ignored from now on. */
  get closed(): boolean {
    return (this.state & State.Closed) !== 0;
  }

  /** The response closed before it finished: the client disconnected. */
  get clientAborted(): boolean {
    return (this.state & State.Aborted) !== 0;
  }

  /**
   * Hands the writer to `owner`, which is told when the response closes (at once if it has). Until
   * the response is opened, the heartbeat runs already, so a slow first payload does not let
   * proxies close the connection: when it falls due, the owner opens the response and the ping
   * follows.
   */
  attach(owner: SseWriterOwner): void {
    if ((this.state & State.Finalized) !== 0) {
      owner.responseClosed(this.clientAborted);
      return;
    }
    this.owner = owner;
    if (this.wheel !== undefined && (this.state & (State.Opened | State.Closed)) === 0) {
      this.wheel.add(this);
    }
  }

  /**
   * The owner lets go: no more calls to it, and no heartbeat before the response is opened (the
   * owner failed before the first payload, and the response is answered otherwise).
   */
  detach(): void {
    this.owner = undefined;
    if ((this.state & State.Opened) === 0) this.wheel?.remove(this);
  }

  /**
   * Sends status 200 with `headers` (names lower-cased; `content-length`, `transfer-encoding` and
   * `content-encoding` dropped) and the SSE headers. They leave with the first frame when one is
   * written in the same tick, else on their own at the end of it. Idempotent; a no-op once
   * closed.
   */
  open(headers: Record<string, string | number | string[]> = {}): void {
    if ((this.state & (State.Opened | State.Closed)) !== 0) return;
    this.state |= State.Opened;
    const res = this.res;
    if (!res.headersSent) {
      const head: Record<string, string | number | string[]> = {};
      for (const name of Object.keys(headers)) {
        const lower = name.toLowerCase();
        const value = headers[name];
        if (value !== undefined && !DROPPED_HEADERS.has(lower)) head[lower] = value;
      }
      Object.assign(head, SSE_HEADERS);
      res.writeHead(200, head);
      flattenHead(res);
      this.state |= State.HeadPending;
      process.nextTick(flushPendingHead, this);
    }
    this.wheel?.add(this);
  }

  /**
   * Writes `data: <json>\n\n`, opening the response first if needed. `json` is expected on one line
   * (as `JSON.stringify` writes it); a line break in it is framed as a further `data:` line, so a
   * client still reads the same text.
   */
  writeData(json: string): void {
    if ((this.state & State.Closed) !== 0) return;
    if ((this.state & State.Opened) === 0) this.open();
    const data =
      json.indexOf('\n') === -1 && json.indexOf('\r') === -1
        ? json
        : json.replace(LINE_BREAKS, '\ndata: ');
    this.write('data: ' + data + '\n\n');
  }

  /**
   * Writes `event: <name>\ndata: <json>\n\n`: the named events of the Responses and Messages APIs
   * (Anthropic's client reads the event name). `name` is the front's own constant.
   */
  writeEvent(name: string, json: string): void {
    if ((this.state & State.Closed) !== 0) return;
    if ((this.state & State.Opened) === 0) this.open();
    const data =
      json.indexOf('\n') === -1 && json.indexOf('\r') === -1
        ? json
        : json.replace(LINE_BREAKS, '\ndata: ');
    this.write('event: ' + name + '\ndata: ' + data + '\n\n');
  }

  /** Writes the comment `: <text>\n\n` (ignored by SSE clients). */
  writeComment(text: string): void {
    if ((this.state & State.Closed) !== 0) return;
    if ((this.state & State.Opened) === 0) this.open();
    this.write(': ' + text.replace(LINE_BREAKS, '\n: ') + '\n\n');
  }

  /** Writes the OpenAI end-of-stream sentinel `data: [DONE]`. */
  writeDone(): void {
    if ((this.state & State.Closed) !== 0) return;
    if ((this.state & State.Opened) === 0) this.open();
    this.write(DONE_FRAME);
  }

  /** Writes an error envelope in-band (`data: {"error":{…}}`); docs/api.md §7 sends no `[DONE]` after it. */
  writeError(body: unknown): void {
    // `JSON.stringify(undefined)` is undefined: still a frame, never a throw mid-stream.
    this.writeData(JSON.stringify(body) ?? 'null');
  }

  /** Stops the heartbeat and ends the response (opening it first if nothing was written). */
  end(): void {
    if ((this.state & State.Closed) !== 0) return;
    if ((this.state & State.Opened) === 0) this.open();
    const joined = this.joined;
    this.joined = '';
    this.stop();
    if (joined !== '' && !this.res.destroyed) this.res.end(joined);
    else this.res.end();
  }

  /**
   * Calls `listener` once, when the response has closed: after {@link end} has flushed
   * (`clientAborted` false) or when the client went away first (`clientAborted` true). Called at
   * once if that has already happened.
   */
  onClose(listener: (clientAborted: boolean) => void): void {
    if ((this.state & State.Finalized) !== 0) listener(this.clientAborted);
    else if (this.closeListeners === undefined) this.closeListeners = listener;
    else if (typeof this.closeListeners === 'function')
      this.closeListeners = [this.closeListeners, listener];
    else this.closeListeners.push(listener);
  }

  /** @internal The heartbeat wheel's: `heartbeatMs` passed without a write. */
  onHeartbeat(): void {
    if ((this.state & State.Closed) !== 0) return;
    if ((this.state & State.Opened) === 0) {
      this.owner?.openForHeartbeat();
      if ((this.state & State.Opened) === 0) return;
    }
    // A stalled reader gains nothing from more bytes; the wheel looks again later.
    if (this.gate.open) this.write(this.heartbeatFrame());
  }

  /**
   * The frame a heartbeat writes: the `: ping` comment; a front whose API has its own heartbeat
   * event (Anthropic's `ping`) overrides it in a subclass (a method, not a field on every stream).
   */
  protected heartbeatFrame(): string {
    return PING_FRAME;
  }

  /** @internal The response's `close`. */
  responseClosed(): void {
    this.finalize();
  }

  /** @internal The response's `error`. */
  responseFailed(): void {
    this.stop();
  }

  /** @internal The end of the tick in which the response was opened. */
  flushPendingHead(): void {
    if ((this.state & State.HeadPending) === 0) return;
    this.state &= ~State.HeadPending;
    const res = this.res;
    if (!res.destroyed && !res.writableEnded) res.flushHeaders();
  }

  /** @internal The end of a tick in which frames were joined. */
  flushJoined(): void {
    const joined = this.joined;
    if (joined === '') return;
    this.joined = '';
    if ((this.state & State.Closed) !== 0) return;
    const res = this.res;
    if (res.destroyed) {
      this.stop();
      return;
    }
    if (!res.write(joined)) this.backpressured();
  }

  private write(frame: string): void {
    const res = this.res;
    if (res.destroyed) {
      this.stop();
      return;
    }
    if (this.writtenTick === tick) {
      if (this.joined === '') joining.push(this);
      this.joined += frame;
      if (this.joined.length >= JOIN_LIMIT) this.flushJoined();
      return;
    }
    this.writtenTick = tick;
    // Once a tick, not per frame: the frames joined after this one leave within the tick, and
    // reading the clock for each of an upstream read's events was a cost per chunk.
    if (this.wheel !== undefined) this.wheel.touch(this);
    if (!tickEndQueued) {
      tickEndQueued = true;
      process.nextTick(endOfTick);
    }
    // The status line and headers leave with this frame.
    this.state &= ~State.HeadPending;
    if (!res.write(frame)) this.backpressured();
  }

  private backpressured(): void {
    this.gate.close();
    if ((this.state & State.DrainListened) === 0) {
      this.state |= State.DrainListened;
      this.res.on('drain', onResponseDrain);
    }
  }

  /** No more writes: heartbeat off, gate open for good. */
  private stop(): void {
    this.state = (this.state | State.Closed) & ~State.HeadPending;
    this.wheel?.remove(this);
    this.gate.reopen();
  }

  private finalize(): void {
    if ((this.state & State.Finalized) !== 0) return;
    this.state |= State.Finalized;
    const aborted = !this.res.writableFinished;
    if (aborted) this.state |= State.Aborted;
    this.stop();
    const res = this.res as WatchedResponse;
    if ((this.state & State.DrainListened) !== 0) res.off('drain', onResponseDrain);
    res[WRITER] = undefined;
    const owner = this.owner;
    const listeners = this.closeListeners;
    this.owner = this.closeListeners = undefined;
    owner?.responseClosed(aborted);
    if (typeof listeners === 'function') listeners(aborted);
    else if (listeners !== undefined) for (const listener of listeners) listener(aborted);
  }
}
