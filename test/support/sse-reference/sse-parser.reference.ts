import { LineSplitter, LineTooLongError } from './line-splitter.reference';

const COLON = 0x3a;
const SPACE = 0x20;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

const DATA = Buffer.from('data');
const EVENT = Buffer.from('event');
const ID = Buffer.from('id');
const RETRY = Buffer.from('retry');

/** Receives one dispatched event: its data (lines joined with `\n`) and its `event:` type, if any. */
export type SseEventHandler = (data: string, event: string | undefined) => void;

/**
 * An `EventSource`-grade parser of `text/event-stream` bytes, after the WHATWG HTML "event stream
 * interpretation" (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
 *
 * Chunks may be split at any byte: inside a multi-byte UTF-8 character, between `\r` and `\n`, in
 * the BOM. Comment lines (`: ping`) and unknown fields cost no decoding; only field values are
 * turned into strings, once per line.
 *
 * @example
 * const parser = new SseParser((data, event) => handle(data, event));
 * for await (const chunk of body) parser.feed(chunk);
 * parser.end();
 * if (parser.hasPendingData) { ... } // the stream stopped inside an event
 */
export class SseParser extends LineSplitter {
  private data = '';
  /** A `data` field arrived since the last dispatch (the spec's data buffer may hold just "\n"). */
  private hasData = false;
  private eventType = '';
  private eventId = '';
  private reconnectionTime: number | undefined;
  private ended = false;
  private pendingAtEnd = false;

  /** @param maxEventBytes the longest line, and the most data one event may gather. */
  constructor(
    private readonly onEvent: SseEventHandler,
    maxEventBytes?: number,
  ) {
    super(maxEventBytes);
  }

  /** Parses `chunk`, dispatching every event its blank lines complete. Ignored after {@link end}. */
  feed(chunk: Uint8Array): void {
    if (!this.ended) this.pushBytes(chunk);
  }

  /**
   * Marks the end of the stream. An event not closed by a blank line is discarded, as the spec
   * requires; {@link hasPendingData} tells whether there was one.
   */
  end(): void {
    if (this.ended) return;
    this.pendingAtEnd = this.hasPendingData;
    this.ended = true;
    this.data = '';
    this.releaseBuffers();
  }

  /** Whether an unterminated line or an undispatched event is held (frozen by {@link end}). */
  get hasPendingData(): boolean {
    if (this.ended) return this.pendingAtEnd;
    return this.hasPartialLine || this.hasData || this.eventType !== '';
  }

  /** The last `id:` received (it survives dispatch, as the spec's "last event ID" does). */
  get lastEventId(): string {
    return this.eventId;
  }

  /** The last valid `retry:` value, in milliseconds. */
  get retry(): number | undefined {
    return this.reconnectionTime;
  }

  protected onLine(buf: Buffer, start: number, end: number): void {
    if (start === end) {
      this.dispatch();
      return;
    }
    let valueStart: number;
    switch (buf[start]) {
      case COLON:
        return;
      case DATA[0]: {
        valueStart = fieldValueStart(buf, start, end, DATA);
        if (valueStart < 0) return;
        const value = decode(buf, valueStart, end);
        if (this.hasData) {
          if (this.data.length + value.length >= this.maxLineBytes) {
            throw new LineTooLongError(this.maxLineBytes);
          }
          this.data += '\n' + value;
        } else {
          this.data = value;
          this.hasData = true;
        }
        return;
      }
      case EVENT[0]:
        valueStart = fieldValueStart(buf, start, end, EVENT);
        if (valueStart >= 0) this.eventType = decode(buf, valueStart, end);
        return;
      case ID[0]: {
        valueStart = fieldValueStart(buf, start, end, ID);
        if (valueStart < 0) return;
        const value = decode(buf, valueStart, end);
        if (!value.includes('\0')) this.eventId = value;
        return;
      }
      case RETRY[0]:
        valueStart = fieldValueStart(buf, start, end, RETRY);
        if (valueStart >= 0 && valueStart < end && isAsciiDigits(buf, valueStart, end)) {
          this.reconnectionTime = Number(buf.toString('latin1', valueStart, end));
        }
        return;
      default:
        return;
    }
  }

  private dispatch(): void {
    const type = this.eventType;
    this.eventType = '';
    if (!this.hasData) return;
    const data = this.data;
    this.data = '';
    this.hasData = false;
    this.onEvent(data, type === '' ? undefined : type);
  }
}

/**
 * Where the value of field `name` starts in the line `buf[start, end)`, or -1 if the line holds
 * another field. A line that is just the name is that field with an empty value; one space after
 * the colon is not part of the value.
 */
function fieldValueStart(buf: Buffer, start: number, end: number, name: Buffer): number {
  const afterName = start + name.length;
  if (afterName > end) return -1;
  // The first byte was matched by the caller's switch.
  for (let i = 1; i < name.length; i++) {
    if (buf[start + i] !== name[i]) return -1;
  }
  if (afterName === end) return end;
  if (buf[afterName] !== COLON) return -1;
  return afterName + 1 < end && buf[afterName + 1] === SPACE ? afterName + 2 : afterName + 1;
}

function decode(buf: Buffer, start: number, end: number): string {
  return start === end ? '' : buf.toString('utf8', start, end);
}

function isAsciiDigits(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    if (buf[i] < DIGIT_0 || buf[i] > DIGIT_9) return false;
  }
  return true;
}
