import { LineSplitter, LineTooLongError } from './line-splitter';

const COLON = 0x3a;
const SPACE = 0x20;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** First letters of the field names, for the switch. */
const D = 0x64;
const E = 0x65;
const I = 0x69;
const R = 0x72;

/** Receives one dispatched event: its data (lines joined with `\n`) and its `event:` type, if any. */
export type SseEventHandler = (data: string, event: string | undefined) => void;

/**
 * An `EventSource`-grade parser of `text/event-stream` bytes, after the WHATWG HTML "event stream
 * interpretation" (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
 *
 * Chunks may be split at any byte: inside a multi-byte UTF-8 character, between `\r` and `\n`, in
 * the BOM. Lines arrive as text (see {@link LineSplitter}); field values are slices of it.
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

  protected onLine(text: string, start: number, end: number): void {
    if (start === end) {
      this.dispatch();
      return;
    }
    let valueStart: number;
    switch (text.charCodeAt(start)) {
      case COLON:
        return;
      case D: {
        valueStart = fieldValueStart(text, start, end, 'data');
        if (valueStart < 0) return;
        const value = text.slice(valueStart, end);
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
      case E:
        valueStart = fieldValueStart(text, start, end, 'event');
        if (valueStart >= 0) this.eventType = text.slice(valueStart, end);
        return;
      case I: {
        valueStart = fieldValueStart(text, start, end, 'id');
        if (valueStart < 0) return;
        const value = text.slice(valueStart, end);
        if (!value.includes('\0')) this.eventId = value;
        return;
      }
      case R:
        valueStart = fieldValueStart(text, start, end, 'retry');
        if (valueStart >= 0 && valueStart < end && isAsciiDigits(text, valueStart, end)) {
          this.reconnectionTime = Number(text.slice(valueStart, end));
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
 * Where the value of field `name` starts in the line `text[start, end)`, or -1 if the line holds
 * another field. A line that is just the name is that field with an empty value; one space after
 * the colon is not part of the value.
 */
function fieldValueStart(text: string, start: number, end: number, name: string): number {
  const afterName = start + name.length;
  if (afterName > end) return -1;
  // The first character was matched by the caller's switch; `startsWith` costs more on Node 20.
  for (let i = 1; i < name.length; i++) {
    if (text.charCodeAt(start + i) !== name.charCodeAt(i)) return -1;
  }
  if (afterName === end) return end;
  if (text.charCodeAt(afterName) !== COLON) return -1;
  return afterName + 1 < end && text.charCodeAt(afterName + 1) === SPACE
    ? afterName + 2
    : afterName + 1;
}

function isAsciiDigits(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code < DIGIT_0 || code > DIGIT_9) return false;
  }
  return true;
}
