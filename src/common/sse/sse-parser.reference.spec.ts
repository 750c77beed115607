import fc from 'fast-check';
import { SseParser as ReferenceSseParser } from '../../../test/support/sse-reference/sse-parser.reference';
import { UpstreamStreamDecoder as ReferenceDecoder } from '../../../test/support/sse-reference/stream-decoder.reference';
import { LineSplitter } from './line-splitter';
import { SseParser } from './sse-parser';
import { UpstreamStreamDecoder } from './stream-decoder';

/**
 * The parser decodes a chunk's complete lines once; the reference (the byte-range parser it
 * replaced, kept in test/support) decoded each field value apart. On any bytes, split anywhere,
 * with any limit, both must dispatch the same events, keep the same state and throw at the same
 * point.
 */

/** Everything observable about one run: dispatched items, then the state or the error. */
type Trace = unknown[];

interface ParserLike {
  feed(chunk: Uint8Array): void;
  end(): void;
  readonly hasPendingData: boolean;
  readonly lastEventId: string;
  readonly retry: number | undefined;
}

function traceParser(
  make: (onEvent: (data: string, event: string | undefined) => void) => ParserLike,
  chunks: Uint8Array[],
): Trace {
  const trace: Trace = [];
  const parser = make((data, event) => trace.push(['event', data, event]));
  try {
    for (const chunk of chunks) {
      // A plain copy, as fetch bodies deliver them; the caller may reuse it after feed.
      const copy = new Uint8Array(chunk);
      parser.feed(copy);
      copy.fill(0x41);
      trace.push(['state', parser.hasPendingData, parser.lastEventId, parser.retry]);
    }
    parser.end();
    trace.push(['end', parser.hasPendingData]);
  } catch (error) {
    trace.push(['threw', (error as Error).name, (error as Error).message]);
  }
  return trace;
}

function traceDecoder(
  Decoder: typeof UpstreamStreamDecoder | typeof ReferenceDecoder,
  contentType: string | undefined,
  chunks: Uint8Array[],
  limit: number | undefined,
): Trace {
  const trace: Trace = [];
  const decoder = new Decoder(
    contentType,
    {
      onPayload: (json) => trace.push(['payload', json]),
      onDone: () => trace.push(['done']),
    },
    limit,
  );
  try {
    for (const chunk of chunks) decoder.feed(new Uint8Array(chunk));
    decoder.end();
    trace.push(['end', decoder.framing, decoder.done, decoder.truncated]);
  } catch (error) {
    trace.push(['threw', (error as Error).name, (error as Error).message]);
  }
  return trace;
}

/** Bytes that SSE cares about, UTF-8 pieces (valid, cut and invalid) and anything else. */
const TOKENS = [
  'data:',
  'data: ',
  'data',
  'event:',
  'event: x',
  'id: 1',
  'id:\0',
  'retry: 15',
  'retry:x',
  ': c',
  ':',
  'datum:',
  '[DONE]',
  '{"a":1}',
  '{',
  '}',
  ' ',
  '\t',
  '\n',
  '\r',
  '\r\n',
  '\n\n',
  'é',
  '🌍',
  '中',
  'x',
].map((token) => Buffer.from(token));
const RAW = [
  [0xef, 0xbb, 0xbf],
  [0xef, 0xbb],
  [0xef],
  [0xc3],
  [0xe4, 0xb8],
  [0xf0, 0x9f, 0x8c],
  [0x80],
  [0xbf],
  [0xc0, 0xaf],
  [0xe0, 0x80],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf5],
  [0xff],
].map((bytes) => Buffer.from(bytes));

const piece = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...TOKENS) },
  { weight: 2, arbitrary: fc.constantFrom(...RAW) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 6 }).map((bytes) => Buffer.from(bytes)) },
);

/** A byte stream and the points it is cut at. */
const splitStream = fc
  .array(piece, { maxLength: 40 })
  .map((pieces) => Buffer.concat(pieces))
  .chain((bytes) =>
    fc
      .uniqueArray(fc.integer({ min: 0, max: bytes.length }), { maxLength: 12 })
      .map((cuts) => split(bytes, cuts)),
  );

function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    chunks.push(bytes.subarray(from, cut));
    from = cut;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

const limit = fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined });

const STRATEGIES = [
  ['decoding each field apart', false],
  ['decoding non-ASCII chunks whole', true],
] as const;

describe.each(STRATEGIES)('with the parser %s', (_name, wholeChunkUtf8) => {
  const runtimeDefault = LineSplitter.wholeChunkUtf8;
  beforeAll(() => {
    LineSplitter.wholeChunkUtf8 = wholeChunkUtf8;
  });
  afterAll(() => {
    LineSplitter.wholeChunkUtf8 = runtimeDefault;
  });

  describe('SseParser against the per-value reference', () => {
    it('dispatches the same events, keeps the same state and throws at the same point', () => {
      fc.assert(
        fc.property(splitStream, limit, (chunks, max) => {
          const actual = traceParser((onEvent) => new SseParser(onEvent, max), chunks);
          const expected = traceParser((onEvent) => new ReferenceSseParser(onEvent, max), chunks);
          expect(actual).toEqual(expected);
        }),
        { numRuns: 3000 },
      );
    });

    it('agrees on long lines split into many reads', () => {
      const long = fc
        .tuple(fc.constantFrom(...TOKENS), fc.integer({ min: 1, max: 300 }))
        .map(([token, times]) => Buffer.concat(Array.from({ length: times }, () => token)));
      fc.assert(
        fc.property(
          fc.array(fc.oneof(long, piece), { maxLength: 8 }),
          fc.integer({ min: 1, max: 64 }),
          fc.option(fc.integer({ min: 0, max: 2000 }), { nil: undefined }),
          (pieces, size, max) => {
            const bytes = Buffer.concat(pieces);
            const chunks: Buffer[] = [];
            for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
            const actual = traceParser((onEvent) => new SseParser(onEvent, max), chunks);
            const expected = traceParser((onEvent) => new ReferenceSseParser(onEvent, max), chunks);
            expect(actual).toEqual(expected);
          },
        ),
        { numRuns: 500 },
      );
    });
  });

  describe('UpstreamStreamDecoder against the reference', () => {
    it('gives the same payloads and ending for SSE and NDJSON bodies', () => {
      fc.assert(
        fc.property(
          splitStream,
          limit,
          fc.constantFrom(undefined, 'text/event-stream', 'application/x-ndjson'),
          (chunks, max, contentType) => {
            expect(traceDecoder(UpstreamStreamDecoder, contentType, chunks, max)).toEqual(
              traceDecoder(ReferenceDecoder, contentType, chunks, max),
            );
          },
        ),
        { numRuns: 3000 },
      );
    });
  });
});
