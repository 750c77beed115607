import fc from 'fast-check';
import type { DestinationStream } from 'pino';
import { isoTimeField, quote, requestLogLine, RequestLineWriter } from './request-line';
import { createGatewayLogger } from './request-logging';
import type { RequestTelemetry } from './request-telemetry';
import { endedRequest, logText } from '../../test/support/request-record.arbitrary';
import { TelemetryMessages } from './telemetry.messages';

/** A logger writing its raw lines into an array. */
function capture(level: 'info' | 'warn' = 'info') {
  const lines: string[] = [];
  const destination: DestinationStream = { write: (line: string) => lines.push(line) };
  return { lines, logger: createGatewayLogger(level, destination) };
}

// From 1970 to beyond year 9999 (six-digit years), to the millisecond.
const instant = fc.integer({ min: 0, max: 300_000_000_000_000 });

describe('RequestLineWriter', () => {
  afterEach(() => jest.restoreAllMocks());

  it("writes, byte for byte, the application logger's line for the same record, level and time", () => {
    fc.assert(
      fc.property(endedRequest, fc.constantFrom('info', 'error'), instant, (fields, level, now) => {
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
        fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), logText),
        (value) => expect(quote(value)).toBe(JSON.stringify(value)),
      ),
      { numRuns: 1000 },
    );
  });
});
