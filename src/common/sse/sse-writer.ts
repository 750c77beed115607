import type { ServerResponse } from 'node:http';

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
const RESOLVED = Promise.resolve();

export interface SseWriterOptions {
  /** Milliseconds of silence after which a `: ping` comment is written; 0 disables it. */
  heartbeatMs: number;
}

/**
 * Whether the response's socket can take more. A producer that can pause (one that pulls from the
 * upstream body) checks it before each write: `if (!gate.open) await gate.wait()`. It opens again on
 * the response's `drain`, and for good once the response is closed, so nobody waits on a dead socket.
 */
export class DemandGate {
  private isOpen = true;
  private waiting: Promise<void> | undefined;
  private release: (() => void) | undefined;

  get open(): boolean {
    return this.isOpen;
  }

  /** Resolves when the gate is open (at once if it is). Every waiter shares one promise. */
  wait(): Promise<void> {
    if (this.isOpen) return RESOLVED;
    return (this.waiting ??= new Promise<void>((resolve) => (this.release = resolve)));
  }

  /** @internal The writer's: `res.write()` returned false. */
  close(): void {
    this.isOpen = false;
  }

  /** @internal The writer's: the response drained or closed. */
  reopen(): void {
    this.isOpen = true;
    const release = this.release;
    this.waiting = this.release = undefined;
    release?.();
  }
}

/**
 * Writes an OpenAI-style `text/event-stream` answer (SPEC §7) onto a raw Node response: Fastify's
 * `reply.raw` after `reply.hijack()`. Each frame is one `write()`; its return value closes the
 * {@link gate} until `drain`. A heartbeat comment keeps proxies from closing a silent stream (one
 * timer per stream, refreshed on every write). Once the client is gone or {@link end} was called,
 * every write is ignored.
 *
 * @example
 * reply.hijack();
 * const writer = new SseResponseWriter(reply.raw, { heartbeatMs: 15_000 });
 * writer.open(reply.getHeaders() as Record<string, string>);
 * writer.writeData(JSON.stringify(chunk));
 * writer.writeDone();
 * writer.end();
 */
export class SseResponseWriter {
  readonly gate = new DemandGate();
  private isOpened = false;
  private isClosed = false;
  /** The response emitted `close` (it finished, or its connection went away). */
  private isFinalized = false;
  private aborted = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private closeListeners: ((clientAborted: boolean) => void)[] = [];

  constructor(
    private readonly res: ServerResponse,
    private readonly options: SseWriterOptions,
  ) {
    res.on('drain', this.onDrain);
    res.once('close', this.onResponseClose);
    // Socket errors (EPIPE, ECONNRESET) mean the client is gone; `close` follows.
    res.on('error', this.onResponseError);
    if (res.closed) this.finalize();
    else if (res.destroyed || res.writableEnded) this.stop();
  }

  get opened(): boolean {
    return this.isOpened;
  }

  /** The client went away or {@link end} was called: writes are ignored from now on. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** The response closed before it finished: the client disconnected. */
  get clientAborted(): boolean {
    return this.aborted;
  }

  /**
   * Sends status 200 with `headers` (names lower-cased; `content-length`, `transfer-encoding` and
   * `content-encoding` dropped) and the SSE headers, and flushes them. Idempotent; a no-op once
   * closed.
   */
  open(headers: Record<string, string | number | string[]> = {}): void {
    if (this.isOpened || this.isClosed) return;
    this.isOpened = true;
    if (!this.res.headersSent) {
      const head: Record<string, string | number | string[]> = {};
      for (const name of Object.keys(headers)) {
        const lower = name.toLowerCase();
        const value = headers[name];
        if (value !== undefined && !DROPPED_HEADERS.has(lower)) head[lower] = value;
      }
      Object.assign(head, SSE_HEADERS);
      this.res.writeHead(200, head);
      this.res.flushHeaders();
    }
    if (this.options.heartbeatMs > 0) {
      this.heartbeat = setTimeout(this.onHeartbeat, this.options.heartbeatMs);
      this.heartbeat.unref();
    }
  }

  /**
   * Writes `data: <json>\n\n`, opening the response first if needed. `json` is expected on one line
   * (as `JSON.stringify` writes it); a line break in it is framed as a further `data:` line, so a
   * client still reads the same text.
   */
  writeData(json: string): void {
    if (this.isClosed) return;
    if (!this.isOpened) this.open();
    const data =
      json.indexOf('\n') === -1 && json.indexOf('\r') === -1
        ? json
        : json.replace(LINE_BREAKS, '\ndata: ');
    this.write('data: ' + data + '\n\n');
  }

  /** Writes the comment `: <text>\n\n` (ignored by SSE clients). */
  writeComment(text: string): void {
    if (this.isClosed) return;
    if (!this.isOpened) this.open();
    this.write(': ' + text.replace(LINE_BREAKS, '\n: ') + '\n\n');
  }

  /** Writes the OpenAI end-of-stream sentinel `data: [DONE]`. */
  writeDone(): void {
    if (this.isClosed) return;
    if (!this.isOpened) this.open();
    this.write(DONE_FRAME);
  }

  /** Writes an error envelope in-band (`data: {"error":{…}}`); SPEC §7 sends no `[DONE]` after it. */
  writeError(body: unknown): void {
    // `JSON.stringify(undefined)` is undefined: still a frame, never a throw mid-stream.
    this.writeData(JSON.stringify(body) ?? 'null');
  }

  /** Stops the heartbeat and ends the response (opening it first if nothing was written). */
  end(): void {
    if (this.isClosed) return;
    if (!this.isOpened) this.open();
    this.stop();
    this.res.end();
  }

  /**
   * Calls `listener` once, when the response has closed: after {@link end} has flushed
   * (`clientAborted` false) or when the client went away first (`clientAborted` true). Called at
   * once if that has already happened.
   */
  onClose(listener: (clientAborted: boolean) => void): void {
    if (this.isFinalized) listener(this.aborted);
    else this.closeListeners.push(listener);
  }

  private write(frame: string): void {
    if (this.res.destroyed) {
      this.stop();
      return;
    }
    if (!this.res.write(frame)) this.gate.close();
    this.heartbeat?.refresh();
  }

  /** No more writes: heartbeat off, gate open for good. */
  private stop(): void {
    this.isClosed = true;
    if (this.heartbeat !== undefined) {
      clearTimeout(this.heartbeat);
      this.heartbeat = undefined;
    }
    this.gate.reopen();
  }

  private finalize(): void {
    if (this.isFinalized) return;
    this.isFinalized = true;
    this.aborted = !this.res.writableFinished;
    this.stop();
    this.res.off('drain', this.onDrain);
    const listeners = this.closeListeners;
    this.closeListeners = [];
    for (const listener of listeners) listener(this.aborted);
  }

  private readonly onDrain = (): void => this.gate.reopen();

  private readonly onResponseClose = (): void => this.finalize();

  private readonly onResponseError = (): void => this.stop();

  private readonly onHeartbeat = (): void => {
    if (this.isClosed) return;
    // A stalled reader gains nothing from more bytes; just look again later.
    if (this.gate.open) this.write(PING_FRAME);
    else this.heartbeat?.refresh();
  };
}
