import fc from 'fast-check';
import type { DestinationStream } from 'pino';
import type { RequestAccounting } from '../common/usage';
import { isoTimeField, quote, requestLogLine, RequestLineWriter } from './request-line';
import { createGatewayLogger } from './request-logging';
import type { RequestTelemetry, TokensByKind } from './request-telemetry';
import { TelemetryMessages } from './telemetry.messages';

/** A logger writing its raw lines into an array. */
function capture(level: 'info' | 'warn' = 'info') {
  const lines: string[] = [];
  const destination: DestinationStream = { write: (line: string) => lines.push(line) };
  return { lines, logger: createGatewayLogger(level, destination) };
}

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
// Quotes, backslashes, control characters, lone surrogates, and strings either side of the
// 100 characters below which pino quotes a string itself.
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 140 }),
  fc.string({ minLength: 95, maxLength: 110 }),
  fc.constantFrom('"', '\\', '\\"', '\u0000', '\n', '\ud800', 'a\udc00b', '\u2028', 'é"ü\\'),
);
const number = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, Number.NaN, Infinity, -Infinity, 1e21, 5e-7),
);
const accounting: fc.Arbitrary<RequestAccounting | undefined> = maybe(
  fc.record({
    outcome: fc.constantFrom('ok', 'error', 'aborted'),
    errorCode: maybe(text),
    reasoningTokens: maybe(number),
    totalTokens: maybe(number),
    usageReported: maybe(fc.boolean()),
    reservedTokens: maybe(number),
    toolRounds: maybe(number),
  }) as fc.Arbitrary<RequestAccounting>,
);
const ended = fc.record({
  requestId: text,
  traceId: maybe(text),
  spanId: maybe(text),
  sampled: fc.boolean(),
  method: text,
  route: text,
  status: maybe(fc.integer({ min: 100, max: 599 })),
  durationMs: maybe(number),
  keyName: maybe(text),
  operation: maybe(fc.constantFrom('chat', 'text_completion', 'embeddings')),
  api: maybe(text),
  tier: text,
  model: text,
  upstreamModel: maybe(text),
  reason: maybe(text),
  stream: fc.boolean(),
  inputTokens: number,
  outputTokens: number,
  firstTokenS: maybe(number),
  errorType: maybe(text),
  aborted: fc.boolean(),
  accounting,
  cost: maybe(number),
  costUnpriced: maybe(fc.boolean()),
  tokensByKind: maybe(fc.record({ cached_input: number }) as unknown as fc.Arbitrary<TokensByKind>),
});
// From 1970 to beyond year 9999 (six-digit years), to the millisecond.
const instant = fc.integer({ min: 0, max: 300_000_000_000_000 });

describe('RequestLineWriter', () => {
  afterEach(() => jest.restoreAllMocks());

  it("writes, byte for byte, the application logger's line for the same record, level and time", () => {
    fc.assert(
      fc.property(ended, fc.constantFrom('info', 'error'), instant, (fields, level, now) => {
        jest.spyOn(Date, 'now').mockReturnValue(now);
        const record = fields as unknown as RequestTelemetry;
        const message =
          level === 'info'
            ? TelemetryMessages.requestCompleted()
            : TelemetryMessages.requestFailed();
        const fast = capture();
        const slow = capture();
        new RequestLineWriter(fast.logger).write(record, level, message);
        slow.logger[level](requestLogLine(record), message);
        expect(fast.lines).toEqual(slow.lines);
      }),
      { numRuns: 500 },
    );
  });
});

describe('isoTimeField', () => {
  it("is pino's isoTime for any sequence of instants (the second's text reused)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(instant, fc.integer({ min: 1_796_700_000_000, max: 1_796_700_003_000 })),
          {
            minLength: 1,
          },
        ),
        (instants) => {
          for (const now of instants) {
            expect(isoTimeField(now)).toBe(`,"time":"${new Date(now).toISOString()}"`);
          }
        },
      ),
    );
  });
});

describe('quote', () => {
  it('is JSON.stringify of any string', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), text),
        (value) => expect(quote(value)).toBe(JSON.stringify(value)),
      ),
      { numRuns: 1000 },
    );
  });
});
