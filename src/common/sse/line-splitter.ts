import { isAscii } from 'node:buffer';

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
 * Whether V8 decodes a long non-ASCII UTF-8 buffer about as fast as an ASCII one: yes on V8 13
 * (Node 24, simdutf), no on V8 11 (Node 20: several times slower than decoding each field apart).
 * V8 12 was not measured and is treated as slow.
 */
const V8_DECODES_UTF8_FAST = Number(process.versions.v8.split('.')[0]) >= 13;

/**
 * Splits a byte stream into lines ended by `\n`, `\r\n` or `\r`, for the SSE parser and the NDJSON
 * reader, and hands them over as text. A chunk's complete lines become one string, split with
 * string searches, when that is cheap: an ASCII chunk read as Latin-1, or any chunk read as UTF-8
 * where the runtime decodes that fast ({@link LineSplitter.wholeChunkUtf8}). Otherwise each line
 * is found with `Buffer.indexOf` and decoded apart. A line end is ASCII, which a UTF-8 decoder
 * never absorbs into a character, so decoding lines together or apart gives the same text. Bytes
 * after the chunk's last line end are held in a growable buffer, and the line they start is
 * decoded on its own once its end arrives; bytes are scanned once (the scan never restarts at the
 * beginning of a pending line), so a multi-MB line fed a byte at a time stays linear. A UTF-8 BOM
 * at the very start is dropped, as the WHATWG decoder does.
 */
export abstract class LineSplitter {
  /** Decode a non-ASCII chunk whole (a static so that specs can run both ways on any Node). */
  static wholeChunkUtf8 = V8_DECODES_UTF8_FAST;

  private pending: Buffer = NO_BYTES;
  private pendingLength = 0;
  /** The last chunk ended with `\r`: a `\n` opening the next one belongs to that line end. */
  private skipLineFeed = false;
  /** BOM bytes matched (and held back) at the start of the stream; -1 once past the start. */
  private bomMatched = 0;
  /** @param maxLineBytes the longest line accepted; a longer one throws {@link LineTooLongError}. */
  constructor(protected readonly maxLineBytes = Number.POSITIVE_INFINITY) {}

  /** Handles the line `text[start, end)` (terminator excluded). */
  protected abstract onLine(text: string, start: number, end: number): void;

  /** Whether bytes of an unterminated line are held. */
  protected get hasPartialLine(): boolean {
    return this.pendingLength > 0 || this.bomMatched > 0;
  }

  /** The unterminated line held at the end of the stream, decoded (a cut character becomes U+FFFD). */
  protected partialLine(): string {
    return this.pending.toString('utf8', 0, this.pendingLength);
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

  private scan(buf: Buffer, start: number): void {
    const length = buf.length;
    const last = lastLineEnd(buf, start);
    if (last === -1) {
      if (start < length) this.append(buf, start, length);
      return;
    }
    let from = start;
    if (this.pendingLength > 0) from = this.completePendingLine(buf, from);
    if (from <= last) this.scanText(buf, from, last);
    // A `\r` ending the chunk may be the first half of a `\r\n`; one inside it is not (a `\n`
    // after it would be the last line end).
    if (last + 1 === length) {
      if (buf[last] === CR) this.skipLineFeed = true;
    } else {
      this.append(buf, last + 1, length);
    }
  }

  /** Ends the held line at the chunk's first line end; returns the offset after that end. */
  private completePendingLine(buf: Buffer, from: number): number {
    let eol = from;
    while (buf[eol] !== LF && buf[eol] !== CR) eol++;
    this.append(buf, from, eol);
    const line = this.pending.toString('utf8', 0, this.pendingLength);
    this.pendingLength = 0;
    if (this.pending.length > RETAINED_CAPACITY) this.pending = NO_BYTES;
    this.onLine(line, 0, line.length);
    return buf[eol] === CR && buf[eol + 1] === LF ? eol + 2 : eol + 1;
  }

  /** Handles the complete lines of `buf[from, last]`, which starts a line and ends with a line end. */
  private scanText(buf: Buffer, from: number, last: number): void {
    let text: string;
    if (isAscii(buf)) {
      text = buf.toString('latin1', from, last + 1);
    } else if (LineSplitter.wholeChunkUtf8 && last - from <= this.maxLineBytes) {
      // Not a byte per character, but no line here can pass the limit.
      text = buf.toString('utf8', from, last + 1);
    } else {
      this.scanBytes(buf, from, last);
      return;
    }
    const end = text.length;
    let at = 0;
    // Positions of the next `\n` and `\r` at or after `at`; -1 once none is left in the text.
    // Each is searched again only when the scan has passed it, so the text is read once.
    let nextLf = -2;
    let nextCr = -2;
    while (at < end) {
      if (nextLf !== -1 && nextLf < at) nextLf = text.indexOf('\n', at);
      if (nextCr !== -1 && nextCr < at) nextCr = text.indexOf('\r', at);
      const eol = nextLf === -1 ? nextCr : nextCr === -1 ? nextLf : Math.min(nextLf, nextCr);
      if (eol - at > this.maxLineBytes) throw new LineTooLongError(this.maxLineBytes);
      this.onLine(text, at, eol);
      at = eol + 1;
      if (text.charCodeAt(eol) === CR && at < end && text.charCodeAt(at) === LF) at++;
    }
  }

  /** {@link scanText} a line at a time: each found in the bytes and decoded apart. */
  private scanBytes(buf: Buffer, from: number, last: number): void {
    let pos = from;
    let nextLf = -2;
    let nextCr = -2;
    while (pos <= last) {
      if (nextLf !== -1 && nextLf < pos) nextLf = buf.indexOf(LF, pos);
      if (nextCr !== -1 && nextCr < pos) nextCr = buf.indexOf(CR, pos);
      const eol = nextLf === -1 ? nextCr : nextCr === -1 ? nextLf : Math.min(nextLf, nextCr);
      if (eol - pos > this.maxLineBytes) throw new LineTooLongError(this.maxLineBytes);
      const line = pos === eol ? '' : buf.toString('utf8', pos, eol);
      this.onLine(line, 0, line.length);
      pos = eol + 1;
      if (buf[eol] === CR && pos <= last && buf[pos] === LF) pos++;
    }
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

/**
 * The offset of the last `\n` or `\r` in `buf[from, …)`, or -1. Read backwards, so it costs the
 * bytes after it: the part of a line the chunk leaves unfinished.
 */
function lastLineEnd(buf: Buffer, from: number): number {
  for (let i = buf.length - 1; i >= from; i--) {
    const byte = buf[i];
    if (byte === LF || byte === CR) return i;
  }
  return -1;
}
