import { LineSplitter } from './line-splitter.reference';
import { SseParser } from './sse-parser.reference';

/** How an upstream frames its streamed JSON objects. */
export type UpstreamFraming = 'sse' | 'ndjson';

export interface UpstreamStreamHandlers {
  /** One JSON document, as text (the caller parses it, once). */
  onPayload(json: string): void;
  /** The upstream said it is finished: `data: [DONE]` (SSE), or a clean end of body (NDJSON). */
  onDone(): void;
}

const SSE_DONE = '[DONE]';
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

const NDJSON_MEDIA_TYPES = new Set([
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonlines',
  'application/jsonlines',
]);

/**
 * Turns an upstream's streamed body into JSON payload strings, whatever its framing: SSE
 * (`data: {…}` events ended by `data: [DONE]`, as OpenAI and vLLM send them) or NDJSON (one
 * object per line, ended by the end of the body).
 *
 * The framing comes from an NDJSON content type; otherwise from the first byte of the body that
 * is not whitespace (or a BOM): `{` means NDJSON, anything else SSE. A body that opens with `{`
 * is NDJSON even when labelled `text/event-stream`, because as SSE every one of its lines would be
 * an unknown field and the stream would silently produce nothing.
 *
 * After {@link end}, a complete stream has {@link done} set (and `onDone` was called); otherwise
 * {@link truncated} tells a body cut inside an event or line from one that stopped between events
 * without a `[DONE]`.
 *
 * @example
 * const decoder = new UpstreamStreamDecoder(res.headers['content-type'], {
 *   onPayload: (json) => subscriber.next(JSON.parse(json)),
 *   onDone: () => subscriber.complete(),
 * });
 * for await (const chunk of res.body) decoder.feed(chunk);
 * decoder.end();
 * if (!decoder.done) subscriber.error(truncatedStreamError(decoder.truncated));
 */
export class UpstreamStreamDecoder {
  private sse: SseParser | undefined;
  private ndjson: NdjsonLineReader | undefined;
  private selected: UpstreamFraming | undefined;
  /** Whitespace-only chunks received before the framing could be told. */
  private held: Buffer[] | undefined;
  private isDone = false;
  private isTruncated = false;
  private ended = false;

  /**
   * @param maxLineBytes the longest NDJSON line or SSE event accepted: a longer one makes
   *   {@link feed} throw `LineTooLongError`.
   */
  constructor(
    contentType: string | undefined,
    private readonly handlers: UpstreamStreamHandlers,
    private readonly maxLineBytes?: number,
  ) {
    if (contentType !== undefined && NDJSON_MEDIA_TYPES.has(mediaType(contentType))) {
      this.select('ndjson');
    }
  }

  /** The framing in use; `undefined` until the body's first significant byte (or an NDJSON type). */
  get framing(): UpstreamFraming | undefined {
    return this.selected;
  }

  /** `onDone` was called: the upstream finished its stream. */
  get done(): boolean {
    return this.isDone;
  }

  /** {@link end} was reached inside an SSE event or an NDJSON line. */
  get truncated(): boolean {
    return this.isTruncated;
  }

  /** Decodes `chunk`; ignored after the upstream is done or after {@link end}. */
  feed(chunk: Uint8Array): void {
    if (this.isDone || this.ended) return;
    if (this.selected === undefined) {
      const at = firstSignificantByte(chunk);
      if (at === -1) {
        // Copied: the caller may reuse its chunk once feed returns.
        (this.held ??= []).push(Buffer.from(chunk));
        return;
      }
      this.select(chunk[at] === OPEN_BRACE ? 'ndjson' : 'sse');
      const held = this.held;
      this.held = undefined;
      if (held !== undefined) for (const piece of held) this.route(piece);
    }
    this.route(chunk);
  }

  /**
   * Ends the body. NDJSON: a last line without its `\n` is still a payload when it ends with `}`
   * (the caller's parse is the real check); otherwise it counts as truncated. `onDone` is called
   * for an NDJSON body only when it was not truncated.
   */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.held = undefined;
    if (this.sse !== undefined) {
      this.sse.end();
      // Whatever follows `[DONE]` does not matter.
      if (!this.isDone) this.isTruncated = this.sse.hasPendingData;
    } else if (this.ndjson !== undefined) {
      this.isTruncated = this.ndjson.end();
      if (!this.isTruncated) this.finish();
    }
  }

  private select(framing: UpstreamFraming): void {
    this.selected = framing;
    if (framing === 'sse') {
      this.sse = new SseParser((data) => this.onSseData(data), this.maxLineBytes);
    } else {
      this.ndjson = new NdjsonLineReader((json) => this.onPayload(json), this.maxLineBytes);
    }
  }

  private route(chunk: Uint8Array): void {
    if (this.sse !== undefined) this.sse.feed(chunk);
    else this.ndjson?.feed(chunk);
  }

  private onSseData(data: string): void {
    if (this.isDone) return;
    if (data === SSE_DONE) {
      this.finish();
      return;
    }
    // Keep-alive events with an empty data field carry no document.
    if (data.length === 0 || (data.charCodeAt(0) <= 0x20 && data.trim().length === 0)) return;
    this.handlers.onPayload(data);
  }

  private onPayload(json: string): void {
    if (!this.isDone) this.handlers.onPayload(json);
  }

  private finish(): void {
    this.isDone = true;
    this.handlers.onDone();
  }
}

/** One JSON document per line; blank lines skipped. */
class NdjsonLineReader extends LineSplitter {
  constructor(
    private readonly onPayload: (json: string) => void,
    maxLineBytes?: number,
  ) {
    super(maxLineBytes);
  }

  feed(chunk: Uint8Array): void {
    this.pushBytes(chunk);
  }

  /** Handles a last line left without `\n` and frees the buffer; returns whether it was cut. */
  end(): boolean {
    let truncated = false;
    if (this.hasPartialLine) {
      const { buf, end } = this.partialLine();
      const last = lastSignificantByte(buf, end);
      if (last !== -1) {
        if (buf[last] === CLOSE_BRACE) this.onLine(buf, 0, end);
        else truncated = true;
      }
    }
    this.releaseBuffers();
    return truncated;
  }

  protected onLine(buf: Buffer, start: number, end: number): void {
    let i = start;
    while (i < end && isBlank(buf[i])) i++;
    if (i < end) this.onPayload(buf.toString('utf8', start, end));
  }
}

function mediaType(contentType: string): string {
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

/** Space, tab, CR, LF: JSON whitespace, and what may precede either framing. */
function isBlank(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/** The index of the first byte that is neither whitespace nor part of a UTF-8 BOM, or -1. */
function firstSignificantByte(chunk: Uint8Array): number {
  for (let i = 0; i < chunk.length; i++) {
    const byte = chunk[i];
    if (!isBlank(byte) && byte !== 0xef && byte !== 0xbb && byte !== 0xbf) return i;
  }
  return -1;
}

function lastSignificantByte(buf: Buffer, end: number): number {
  let i = end - 1;
  while (i >= 0 && isBlank(buf[i])) i--;
  return i;
}
