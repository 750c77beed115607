import { UpstreamStreamDecoder } from './stream-decoder';

interface Decoded {
  payloads: string[];
  doneCalls: number;
  decoder: UpstreamStreamDecoder;
}

function decode(contentType: string | undefined, chunks: Uint8Array[]): Decoded {
  const payloads: string[] = [];
  let doneCalls = 0;
  const decoder = new UpstreamStreamDecoder(contentType, {
    onPayload: (json) => payloads.push(json),
    onDone: () => doneCalls++,
  });
  for (const chunk of chunks) decoder.feed(new Uint8Array(chunk));
  decoder.end();
  return { payloads, doneCalls, decoder };
}

function splitAt(bytes: Buffer, offset: number): Buffer[] {
  return [bytes.subarray(0, offset), bytes.subarray(offset)];
}

function pieces(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

const SSE_BODY = Buffer.from(
  'data: {"id":1,"text":"héllo 🌍"}\n\n' +
    ': keep-alive\r\n\r\n' +
    'data: {"id":2}\r\n\r\n' +
    'data:\n\n' +
    'data: {"id":\ndata: 3}\n\n' +
    'data: [DONE]\n\n',
);
const SSE_PAYLOADS = ['{"id":1,"text":"héllo 🌍"}', '{"id":2}', '{"id":\n3}'];

const NDJSON_BODY = Buffer.from('{"id":1,"text":"héllo 🌍"}\r\n\n   \n{"id":2}\n\r\n{"id":3}\n');
const NDJSON_PAYLOADS = ['{"id":1,"text":"héllo 🌍"}', '{"id":2}', '{"id":3}'];

describe('UpstreamStreamDecoder', () => {
  describe('SSE', () => {
    it('yields each data payload and reports [DONE], for a split at every byte offset', () => {
      for (let i = 0; i <= SSE_BODY.length; i++) {
        const { payloads, doneCalls, decoder } = decode(
          'text/event-stream; charset=utf-8',
          splitAt(SSE_BODY, i),
        );
        expect({ i, payloads, doneCalls }).toEqual({ i, payloads: SSE_PAYLOADS, doneCalls: 1 });
        expect(decoder.framing).toBe('sse');
        expect(decoder.done).toBe(true);
        expect(decoder.truncated).toBe(false);
      }
    });

    it('ignores whatever follows [DONE]', () => {
      const body = Buffer.from(
        'data: {"a":1}\n\ndata: [DONE]\n\ndata: {"late":true}\n\ndata: {"cut"',
      );
      const { payloads, doneCalls, decoder } = decode('text/event-stream', [body]);
      expect(payloads).toEqual(['{"a":1}']);
      expect(doneCalls).toBe(1);
      expect(decoder.truncated).toBe(false);
    });

    it('is truncated when the body stops inside an event', () => {
      const body = Buffer.from('data: {"a":1}\n\ndata: {"b"');
      const { payloads, doneCalls, decoder } = decode('text/event-stream', [body]);
      expect(payloads).toEqual(['{"a":1}']);
      expect(doneCalls).toBe(0);
      expect(decoder.done).toBe(false);
      expect(decoder.truncated).toBe(true);
    });

    it('is neither done nor truncated when the body stops between events without [DONE]', () => {
      const { payloads, decoder } = decode('text/event-stream', [Buffer.from('data: {"a":1}\n\n')]);
      expect(payloads).toEqual(['{"a":1}']);
      expect(decoder.done).toBe(false);
      expect(decoder.truncated).toBe(false);
    });

    it('is chosen for a body without content type that does not open with {', () => {
      const { payloads, decoder } = decode(undefined, [Buffer.from('\n\ndata: {"a":1}\n\n')]);
      expect(decoder.framing).toBe('sse');
      expect(payloads).toEqual(['{"a":1}']);
    });

    it('carries a 200 KiB event fed in 7-byte pieces', () => {
      const big = JSON.stringify({ arguments: 'héllo 🌍 '.repeat(20_000) });
      const body = Buffer.from(`data: ${big}\n\ndata: [DONE]\n\n`);
      const { payloads, doneCalls } = decode('text/event-stream', pieces(body, 7));
      expect(payloads).toEqual([big]);
      expect(doneCalls).toBe(1);
    });
  });

  describe('NDJSON', () => {
    it.each([
      ['application/x-ndjson'],
      ['application/x-ndjson; charset=utf-8'],
      ['Application/NDJSON'],
      ['application/jsonl'],
    ])('is chosen by the content type %j before any byte arrives', (contentType) => {
      const decoder = new UpstreamStreamDecoder(contentType, { onPayload() {}, onDone() {} });
      expect(decoder.framing).toBe('ndjson');
    });

    it.each([
      ['no content type', undefined],
      ['application/json', 'application/json'],
      ['a text/event-stream label', 'text/event-stream'],
    ])('is detected from a body opening with { under %s', (_name, contentType) => {
      const { payloads, doneCalls, decoder } = decode(contentType, [NDJSON_BODY]);
      expect(decoder.framing).toBe('ndjson');
      expect(payloads).toEqual(NDJSON_PAYLOADS);
      expect(doneCalls).toBe(1);
    });

    it('yields each line, skipping blank ones, for a split at every byte offset', () => {
      for (let i = 0; i <= NDJSON_BODY.length; i++) {
        const { payloads, doneCalls, decoder } = decode(undefined, splitAt(NDJSON_BODY, i));
        expect({ i, payloads, doneCalls }).toEqual({ i, payloads: NDJSON_PAYLOADS, doneCalls: 1 });
        expect(decoder.truncated).toBe(false);
      }
    });

    it('detects the framing after leading whitespace and BOM chunks, replaying them', () => {
      const chunks = [Buffer.from('\uFEFF'), Buffer.from(' \r\n'), Buffer.from('\t{"a":1}\n')];
      const { payloads, decoder } = decode(undefined, chunks);
      expect(decoder.framing).toBe('ndjson');
      expect(payloads).toEqual(['\t{"a":1}']);
    });

    it('leaves the framing undecided while only whitespace has arrived', () => {
      const decoder = new UpstreamStreamDecoder(undefined, { onPayload() {}, onDone() {} });
      decoder.feed(Buffer.from('  \n'));
      expect(decoder.framing).toBeUndefined();
      decoder.feed(Buffer.from('{}\n'));
      expect(decoder.framing).toBe('ndjson');
    });

    it('takes a last line without its newline when it ends with }', () => {
      const { payloads, doneCalls, decoder } = decode('application/x-ndjson', [
        Buffer.from('{"a":1}\n{"b":2}  '),
      ]);
      expect(payloads).toEqual(['{"a":1}', '{"b":2}  ']);
      expect(doneCalls).toBe(1);
      expect(decoder.truncated).toBe(false);
    });

    it('is truncated, without onDone, when the body stops inside a line', () => {
      const { payloads, doneCalls, decoder } = decode('application/x-ndjson', [
        Buffer.from('{"a":1}\n{"b":'),
      ]);
      expect(payloads).toEqual(['{"a":1}']);
      expect(doneCalls).toBe(0);
      expect(decoder.done).toBe(false);
      expect(decoder.truncated).toBe(true);
    });

    it.each([1, 64 * 1024])('carries a 200 KiB line fed in %i-byte pieces', (size) => {
      const big = JSON.stringify({ arguments: 'héllo 🌍 '.repeat(20_000) });
      const body = Buffer.from(`${big}\n{"n":2}\n`);
      expect(decode(undefined, pieces(body, size)).payloads).toEqual([big, '{"n":2}']);
    });
  });

  describe('an empty body', () => {
    it('has no framing and is neither done nor truncated', () => {
      const { payloads, doneCalls, decoder } = decode('text/event-stream', [Buffer.from(' \n')]);
      expect(payloads).toEqual([]);
      expect(doneCalls).toBe(0);
      expect(decoder.framing).toBeUndefined();
      expect(decoder.truncated).toBe(false);
    });

    it('is a complete NDJSON stream when the content type says NDJSON', () => {
      const { doneCalls, decoder } = decode('application/x-ndjson', []);
      expect(doneCalls).toBe(1);
      expect(decoder.done).toBe(true);
    });
  });

  it('does not keep references to the caller’s chunks while the framing is undecided', () => {
    const payloads: string[] = [];
    const decoder = new UpstreamStreamDecoder(undefined, {
      onPayload: (json) => payloads.push(json),
      onDone() {},
    });
    const reused = Buffer.from('   ');
    decoder.feed(reused);
    reused.write('xyz');
    decoder.feed(Buffer.from('{"a":1}\n'));
    decoder.end();
    expect(payloads).toEqual(['   {"a":1}']);
  });
});
