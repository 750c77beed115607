/**
 * A stream's content chunks differ in their content alone: servers stream one
 * `{"id":…,"model":…,"choices":[{"index":0,"delta":{"content":"…"},"logprobs":null,"finish_reason":null}]…}`
 * per token, with the same fields around it. `JSON.parse` of every one was the largest cost of the
 * gateway's own in the streamed-chunks bench (docs/performance.md, (e)). This parses the fields
 * around the content once per stream (again when they change: `created` ticks) and builds each
 * content chunk from them and its content: the same value as `JSON.parse` (a property test holds
 * it to that), a new object each time (consumers rewrite chunks in place). Any other payload is
 * left to `JSON.parse` (`undefined`).
 */

const MARKER = '"choices":[{"index":0,"delta":{"content":"';
const AFTER_CONTENT = '},"logprobs":null,"finish_reason":null}]';
const BACKSLASH = 0x5c;

export type Fields = Record<string, unknown>;

export class ChunkTemplate {
  /**
   * The text of the last chunk learnt up to its content (the fields before the choices, then
   * {@link MARKER}) and from its closing quote on; the fields around its choices, parsed.
   */
  private opening: string | undefined;
  private closing: string | undefined;
  private known: Fields | undefined;

  /** `JSON.parse(raw)` when `raw` is a single content delta; else `undefined`. */
  match(raw: string): Fields | undefined {
    const content = this.content(raw);
    return content === undefined ? undefined : contentChunk(this.fields as Fields, content);
  }

  /**
   * The text of `raw`'s content when `raw` is a single content delta; its other fields are then
   * {@link fields} (`contentChunk(fields, content)` is `JSON.parse(raw)`). Else `undefined`.
   */
  content(raw: string): string | undefined {
    const opening = this.opening;
    if (opening !== undefined && textAt(raw, 0, opening)) {
      // The marker's first occurrence: one before it would have been in the chunk `opening`
      // came from, whose text up to the end of its marker was the same.
      const start = opening.length;
      const end = closingQuote(raw, start);
      if (end === -1) return undefined;
      const closing = this.closing as string;
      if (raw.length - (end + 1) === closing.length && textAt(raw, end + 1, closing)) {
        return stringValue(raw, start, end);
      }
      return this.learn(raw, start - MARKER.length, end);
    }
    const at = raw.indexOf(MARKER);
    if (at === -1) return undefined;
    const end = closingQuote(raw, at + MARKER.length);
    return end === -1 ? undefined : this.learn(raw, at, end);
  }

  /** The fields around the choices of the chunk {@link content} matched last. */
  get fields(): Readonly<Fields> | undefined {
    return this.known;
  }

  /**
   * The content of `raw`, whose marker is at `at` and content's closing quote at `end`, when
   * the choice closes there and the fields around it are not objects; they become {@link fields}.
   */
  private learn(raw: string, at: number, end: number): string | undefined {
    if (!textAt(raw, end + 1, AFTER_CONTENT)) return undefined;
    const content = stringValue(raw, at + MARKER.length, end);
    if (content === undefined) return undefined;
    const head = raw.slice(0, at);
    const tail = raw.slice(end + 1 + AFTER_CONTENT.length);
    // A later `choices` would be the one JSON.parse keeps.
    if (tail.includes('"choices"')) return undefined;
    const fields = flatFields(head + '"choices":null' + tail);
    if (fields === undefined) return undefined;
    this.opening = head + MARKER;
    this.closing = AFTER_CONTENT + tail;
    this.known = fields;
    return content;
  }
}

/**
 * A content chunk: a copy of the fields around its choices (the same keys in the same order
 * each time), then its one choice. A new object each time: consumers rewrite chunks in place.
 */
export function contentChunk(fields: Readonly<Fields>, content: string): Fields {
  const chunk: Fields = { ...fields };
  chunk.choices = [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }];
  return chunk;
}

/**
 * `JSON.parse(text)` when it is an object whose values are all scalars (chunks built from it
 * share nothing mutable) and that a spread copies whole (no own `__proto__`).
 */
function flatFields(text: string): Fields | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const fields = value as Fields;
  if (Object.prototype.hasOwnProperty.call(fields, '__proto__')) return undefined;
  for (const key of Object.keys(fields)) {
    const field = fields[key];
    if (field !== null && typeof field === 'object') return undefined;
  }
  return fields;
}

/**
 * Whether `text` is in `raw` at `at`. A slice and `===` rather than `startsWith`, which on
 * Node 20 took about three times as long for the marker, and was half this class's cost per
 * chunk (Node 24's is closer).
 */
function textAt(raw: string, at: number, text: string): boolean {
  return raw.length >= at + text.length && raw.slice(at, at + text.length) === text;
}

/** The quote that closes the string literal whose text starts at `start`, or -1. */
function closingQuote(raw: string, start: number): number {
  let at = start;
  for (;;) {
    const quote = raw.indexOf('"', at);
    if (quote === -1) return -1;
    // Escaped unless the backslashes before it pair up.
    let slashes = 0;
    while (raw.charCodeAt(quote - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return quote;
    at = quote + 1;
  }
}

/** The value of the literal `raw[start - 1 … end]`, or `undefined` if it is not valid JSON. */
function stringValue(raw: string, start: number, end: number): string | undefined {
  for (let at = start; at < end; at++) {
    const code = raw.charCodeAt(at);
    if (code === BACKSLASH) {
      try {
        return JSON.parse(raw.slice(start - 1, end + 1)) as string;
      } catch {
        return undefined;
      }
    }
    // A raw control character is not allowed in a JSON string.
    if (code < 0x20) return undefined;
  }
  return raw.slice(start, end);
}
