import { LineTooLongError } from './line-splitter';
import { SseParser } from './sse-parser';

type Dispatched = [data: string, event: string | undefined];

/** Feeds `chunks` (each copied into a plain Uint8Array, as fetch bodies deliver them) and ends. */
function parse(chunks: Uint8Array[]): { events: Dispatched[]; parser: SseParser } {
  const events: Dispatched[] = [];
  const parser = new SseParser((data, event) => events.push([data, event]));
  for (const chunk of chunks) parser.feed(new Uint8Array(chunk));
  parser.end();
  return { events, parser };
}

function splitAt(bytes: Buffer, ...offsets: number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let from = 0;
  for (const offset of offsets) {
    pieces.push(bytes.subarray(from, offset));
    from = offset;
  }
  pieces.push(bytes.subarray(from));
  return pieces;
}

function sameEvents(actual: Dispatched[], expected: Dispatched[]): boolean {
  return JSON.stringify(actual) === JSON.stringify(expected);
}

function pieces(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** One stream exercising every rule: BOM, CRLF, CR, comments, multi-line data, fields, UTF-8. */
const STREAM = Buffer.from(
  '\uFEFF' +
    ': ping\r\n' +
    'data: {"text":"héllo 🌍"}\r\n' +
    '\r\n' +
    'data: crlf 1\r\n' +
    'data: crlf 2\r\n' +
    '\r\n' +
    'event: update\n' +
    'id: 7\n' +
    'data:first\n' +
    'data: second\n' +
    '\n' +
    ': comment\r' +
    'data: cr only 🌍\r' +
    '\r' +
    'data\n' +
    '\n' +
    'retry: 1500\n' +
    'data: x\n' +
    '\n' +
    'unknown: q\n' +
    'datum: not data\n' +
    'data:  two spaces\n' +
    '\n' +
    'event: orphan\n' +
    '\n' +
    'data: [DONE]\n' +
    '\n',
);

const EXPECTED: Dispatched[] = [
  ['{"text":"héllo 🌍"}', undefined],
  ['crlf 1\ncrlf 2', undefined],
  ['first\nsecond', 'update'],
  ['cr only 🌍', undefined],
  ['', undefined],
  ['x', undefined],
  [' two spaces', undefined],
  ['[DONE]', undefined],
];

describe('SseParser', () => {
  it('parses the whole stream in one chunk', () => {
    const { events, parser } = parse([STREAM]);
    expect(events).toEqual(EXPECTED);
    expect(parser.lastEventId).toBe('7');
    expect(parser.retry).toBe(1500);
    expect(parser.hasPendingData).toBe(false);
  });

  it('gives the same events for a split at every byte offset', () => {
    const wrong: number[] = [];
    for (let i = 0; i <= STREAM.length; i++) {
      if (!sameEvents(parse(splitAt(STREAM, i)).events, EXPECTED)) wrong.push(i);
    }
    expect(wrong).toEqual([]);
  });

  it('gives the same events for every pair of split points', () => {
    const wrong: [number, number][] = [];
    for (let i = 0; i <= STREAM.length; i++) {
      for (let j = i; j <= STREAM.length; j++) {
        if (!sameEvents(parse(splitAt(STREAM, i, j)).events, EXPECTED)) wrong.push([i, j]);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('gives the same events fed one byte at a time, with empty chunks between', () => {
    const chunks = pieces(STREAM, 1).flatMap((byte) => [byte, Buffer.alloc(0)]);
    expect(parse(chunks).events).toEqual(EXPECTED);
  });

  it.each([
    ['\\n', '\n'],
    ['\\r\\n', '\r\n'],
    ['\\r', '\r'],
  ])('treats %s as a line end', (_name, eol) => {
    const stream = Buffer.from(`data: a${eol}data: b${eol}${eol}: c${eol}data: d${eol}${eol}`);
    expect(parse([stream]).events).toEqual([
      ['a\nb', undefined],
      ['d', undefined],
    ]);
  });

  it('reads a CR followed by LF in the next chunk as one line end', () => {
    // Two line ends would be a blank line: "a" would be dispatched before "b" joined it.
    const { events } = parse([Buffer.from('data: a\r'), Buffer.from('\ndata: b\r\n\r\n')]);
    expect(events).toEqual([['a\nb', undefined]]);
  });

  describe('the byte order mark', () => {
    it.each([1, 2, 3])('is stripped at the start even when split after %i byte(s)', (at) => {
      const stream = Buffer.from('\uFEFFdata: a\n\n');
      expect(parse(splitAt(stream, at)).events).toEqual([['a', undefined]]);
    });

    it('is stripped only once', () => {
      const { events } = parse([Buffer.from('\uFEFF\uFEFFdata: a\n\ndata: b\n\n')]);
      // The second BOM makes the first field name "\uFEFFdata", which is unknown.
      expect(events).toEqual([['b', undefined]]);
    });

    it('held back bytes count as content when they turn out not to be a BOM', () => {
      const { events, parser } = parse([Buffer.from([0xef]), Buffer.from([0xbb])]);
      expect(events).toEqual([]);
      expect(parser.hasPendingData).toBe(true);
    });
  });

  describe('fields', () => {
    it.each<[string, string, Dispatched[]]>([
      ['no space after the colon', 'data:a\n\n', [['a', undefined]]],
      ['only the first space is stripped', 'data:   a\n\n', [['  a', undefined]]],
      ['a colon in the value', 'data: {"a":"b:c"}\n\n', [['{"a":"b:c"}', undefined]]],
      ['a field name alone', 'data\ndata\n\n', [['\n', undefined]]],
      ['an empty value', 'data:\n\n', [['', undefined]]],
      ['an event type', 'event: e\ndata: a\n\n', [['a', 'e']]],
      [
        'an event type reset after dispatch',
        'event: e\ndata: a\n\ndata: b\n\n',
        [
          ['a', 'e'],
          ['b', undefined],
        ],
      ],
      ['an event without data', 'event: e\n\ndata: a\n\n', [['a', undefined]]],
      ['blank lines with nothing to dispatch', '\n\n\r\n\rdata: a\n\n\n\n', [['a', undefined]]],
      ['a name that only starts like a field', 'dataa: x\ndat: y\nevents: z\n\n', []],
      ['a leading space before the name', ' data: x\n\n', []],
      ['a comment with a colon', ':data: x\n\n', []],
    ])('%s', (_name, stream, expected) => {
      expect(parse([Buffer.from(stream)]).events).toEqual(expected);
    });

    it.each<[string, string, string]>([
      ['the last id', 'id: 1\ndata: a\n\nid: 2\ndata: b\n\n', '2'],
      ['an id that survives dispatch', 'id: 1\ndata: a\n\ndata: b\n\n', '1'],
      ['an id with NUL ignored', 'id: 1\nid: 2\u00003\ndata: a\n\n', '1'],
      ['an empty id resets it', 'id: 1\nid\ndata: a\n\n', ''],
    ])('keeps %s', (_name, stream, lastEventId) => {
      expect(parse([Buffer.from(stream)]).parser.lastEventId).toBe(lastEventId);
    });

    it.each<[string, number | undefined]>([
      ['retry: 3000\n', 3000],
      ['retry: 3000\nretry: 30x\n', 3000],
      ['retry: -1\n', undefined],
      ['retry:\n', undefined],
    ])('reads %j as a retry of %p', (stream, retry) => {
      expect(parse([Buffer.from(stream)]).parser.retry).toBe(retry);
    });
  });

  describe('large events', () => {
    // A tool call whose arguments arrive as one >64 KiB chunk, with multi-byte characters.
    const unit = 'héllo 🌍 ';
    const payload = JSON.stringify({ arguments: unit.repeat(Math.ceil(200_000 / unit.length)) });
    const stream = Buffer.from(`data: ${payload}\n\ndata: next\n\n`);

    it.each([1, 7, 64 * 1024])('are dispatched intact when fed in %i-byte pieces', (size) => {
      expect(stream.length).toBeGreaterThan(200 * 1024);
      const { events, parser } = parse(pieces(stream, size));
      expect(events).toEqual([
        [payload, undefined],
        ['next', undefined],
      ]);
      expect(parser.hasPendingData).toBe(false);
    });

    // Re-scanning the held line on every feed would make this ~4·10^10 byte reads: hours, far
    // past the test's timeout, whereas a linear parser needs a fraction of a second. The timeout
    // is the bound (not a wall-clock assertion, which a loaded machine would break).
    it('are parsed in linear time (a several-MB line fed in small pieces)', () => {
      const big = Buffer.from(`data: ${'x'.repeat(8 * 1024 * 1024)}\n\n`);
      const { events } = parse(pieces(big, 1000));
      expect(events[0][0].length).toBe(8 * 1024 * 1024);
    }, 30_000);

    it('are split across many data lines and joined', () => {
      const lines = Array.from({ length: 1000 }, (_, i) => `line ${i} 🌍`);
      const stream = Buffer.from(lines.map((line) => `data: ${line}\r\n`).join('') + '\r\n');
      expect(parse(pieces(stream, 7)).events).toEqual([[lines.join('\n'), undefined]]);
    });
  });

  describe('the end of the stream', () => {
    it.each<[string, string, boolean]>([
      ['after a complete event', 'data: a\n\n', false],
      ['after a comment line', 'data: a\n\n: bye\n', false],
      ['with nothing', '', false],
      ['inside a data line', 'data: a\n\ndata: {"b"', true],
      ['after a data line without its blank line', 'data: a\n\ndata: b\n', true],
      ['inside a comment line', 'data: a\n\n: pi', true],
      ['after an event type', 'event: e\n', true],
    ])('%s (%j): hasPendingData is %p', (_name, stream, pending) => {
      const { events, parser } = parse([Buffer.from(stream)]);
      expect(parser.hasPendingData).toBe(pending);
      // The spec discards an event not closed by a blank line.
      expect(events.map(([data]) => data)).not.toContain('b');
    });

    it('ignores bytes fed after end()', () => {
      const events: string[] = [];
      const parser = new SseParser((data) => events.push(data));
      parser.feed(Buffer.from('data: a\n\n'));
      parser.end();
      parser.feed(Buffer.from('data: b\n\n'));
      expect(events).toEqual(['a']);
      expect(parser.hasPendingData).toBe(false);
    });
  });
});

describe('SseParser: the event size limit', () => {
  it.each<[string, string[]]>([
    ['one line in one chunk', ['data: ' + 'x'.repeat(200) + '\n']],
    ['one line across chunks', ['data: ' + 'x'.repeat(60), 'x'.repeat(60), 'x'.repeat(90)]],
    [
      'many data lines in one event',
      Array.from({ length: 20 }, () => 'data: ' + 'x'.repeat(20) + '\n'),
    ],
  ])('throws LineTooLongError past it: %s', (_what, chunks) => {
    const parser = new SseParser(() => undefined, 128);
    expect(() => chunks.forEach((chunk) => parser.feed(Buffer.from(chunk)))).toThrow(
      LineTooLongError,
    );
  });

  it('passes events within it, however many', () => {
    const events: string[] = [];
    const parser = new SseParser((data) => events.push(data), 128);
    for (let i = 0; i < 100; i++) parser.feed(Buffer.from(`data: ${'x'.repeat(100)}\n\n`));
    expect(events).toHaveLength(100);
  });
});
