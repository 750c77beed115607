const LF = 0x0a;
const CR = 0x0d;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const NO_BYTES = Buffer.alloc(0);

/** First allocation for a line that spans chunks; typical SSE lines of chat chunks fit. */
const INITIAL_CAPACITY = 1024;
/**
 * A line buffer grown past this (a multi-MB tool-call argument) is dropped once its line is
 * handled, so thousands of idle streams do not each pin the largest line they ever carried.
 */
const RETAINED_CAPACITY = 64 * 1024;

/**
 * A line (or an SSE event) longer than the splitter's limit: thrown from `feed`, so an upstream
 * cannot grow one line without bound.
 */
export class LineTooLongError extends Error {
  constructor(readonly limit: number) {
    super(`A line exceeds ${limit} bytes`);
    this.name = 'LineTooLongError';
  }
}

/** Views any `Uint8Array` as a `Buffer` without copying (for `indexOf` and `toString` ranges). */
export function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk)
    ? chunk
    : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Splits a byte stream into lines ended by `\n`, `\r\n` or `\r`, for the SSE parser and the NDJSON
 * reader. Lines are handed over as byte ranges and decoded by the subclass: a line end is ASCII,
 * so a complete line never ends inside a multi-byte UTF-8 character and no streaming decoder is
 * needed. A line that spans chunks is copied once into a growable buffer; bytes are scanned once
 * (the scan never restarts at the beginning of a pending line), so a multi-MB line fed a byte at
 * a time stays linear. A UTF-8 BOM at the very start is dropped, as the WHATWG decoder does.
 */
export abstract class LineSplitter {
  private pending: Buffer = NO_BYTES;
  private pendingLength = 0;
  /** The last chunk ended with `\r`: a `\n` opening the next one belongs to that line end. */
  private skipLineFeed = false;
  /** BOM bytes matched (and held back) at the start of the stream; -1 once past the start. */
  private bomMatched = 0;

  /** @param maxLineBytes the longest line accepted; a longer one throws {@link LineTooLongError}. */
  constructor(protected readonly maxLineBytes = Number.POSITIVE_INFINITY) {}

  /** Handles the line `buf[start, end)` (terminator excluded). The range is only valid during the call. */
  protected abstract onLine(buf: Buffer, start: number, end: number): void;

  /** Whether bytes of an unterminated line are held. */
  protected get hasPartialLine(): boolean {
    return this.pendingLength > 0 || this.bomMatched > 0;
  }

  /** The unterminated line held at the end of the stream, as a byte range of `buf`. */
  protected partialLine(): { buf: Buffer; end: number } {
    return { buf: this.pending, end: this.pendingLength };
  }

  protected pushBytes(chunk: Uint8Array): void {
    const buf = asBuffer(chunk);
    let pos = 0;
    if (this.bomMatched >= 0) {
      pos = this.skipBom(buf);
      if (pos === buf.length) return;
    }
    if (this.skipLineFeed && pos < buf.length) {
      this.skipLineFeed = false;
      if (buf[pos] === LF) pos++;
    }
    this.scan(buf, pos);
  }

  /** Forgets the held line (read it first with {@link partialLine}) and frees its buffer. */
  protected releaseBuffers(): void {
    this.pending = NO_BYTES;
    this.pendingLength = 0;
    this.skipLineFeed = false;
    this.bomMatched = -1;
  }

  private scan(buf: Buffer, from: number): void {
    const length = buf.length;
    let pos = from;
    // Positions of the next `\n` and `\r` at or after `pos`; -1 once none is left in the chunk.
    // Each is searched again only when the scan has passed it, so the chunk is read once.
    let nextLf = -2;
    let nextCr = -2;
    while (pos < length) {
      if (nextLf !== -1 && nextLf < pos) nextLf = buf.indexOf(LF, pos);
      if (nextCr !== -1 && nextCr < pos) nextCr = buf.indexOf(CR, pos);
      const eol = nextLf === -1 ? nextCr : nextCr === -1 ? nextLf : Math.min(nextLf, nextCr);
      if (eol === -1) break;

      if (this.pendingLength > 0) {
        this.append(buf, pos, eol);
        const lineLength = this.pendingLength;
        this.pendingLength = 0;
        this.onLine(this.pending, 0, lineLength);
        if (this.pending.length > RETAINED_CAPACITY) this.pending = NO_BYTES;
      } else {
        if (eol - pos > this.maxLineBytes) throw new LineTooLongError(this.maxLineBytes);
        this.onLine(buf, pos, eol);
      }

      pos = eol + 1;
      if (buf[eol] === CR) {
        if (pos === length) this.skipLineFeed = true;
        else if (buf[pos] === LF) pos++;
      }
    }
    if (pos < length) this.append(buf, pos, length);
  }

  /** Returns the offset in `buf` where the content starts, holding back a BOM prefix. */
  private skipBom(buf: Buffer): number {
    let pos = 0;
    while (pos < buf.length) {
      if (buf[pos] !== UTF8_BOM[this.bomMatched]) {
        // Not a BOM after all: the bytes held back are content (no line end among them).
        const held = this.bomMatched;
        this.bomMatched = -1;
        if (held > 0) this.append(UTF8_BOM, 0, held);
        return pos;
      }
      pos++;
      if (++this.bomMatched === UTF8_BOM.length) {
        this.bomMatched = -1;
        return pos;
      }
    }
    return pos;
  }

  private append(src: Buffer, start: number, end: number): void {
    const needed = this.pendingLength + (end - start);
    if (needed > this.maxLineBytes) throw new LineTooLongError(this.maxLineBytes);
    if (needed > this.pending.length) {
      let capacity = Math.max(this.pending.length * 2, INITIAL_CAPACITY);
      while (capacity < needed) capacity *= 2;
      const grown = Buffer.allocUnsafe(capacity);
      this.pending.copy(grown, 0, 0, this.pendingLength);
      this.pending = grown;
    }
    src.copy(this.pending, this.pendingLength, start, end);
    this.pendingLength = needed;
  }
}
