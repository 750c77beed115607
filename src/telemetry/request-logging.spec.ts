import fc from 'fast-check';
import type { DestinationStream } from 'pino';
import {
  RequestLog,
  createGatewayLogger,
  requestLogLine,
  type RequestLogLine,
} from './request-logging';
import type { RequestAccounting } from '../common/usage';
import type { RequestTelemetry } from './request-telemetry';
import { endedRequest, type EndedRequest } from '../../test/support/request-record.arbitrary';
import { TelemetryMessages } from './telemetry.messages';

const CHAT: EndedRequest = {
  requestId: 'req-7',
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  sampled: true,
  method: 'POST',
  route: '/v1/chat/completions',
  status: 200,
  durationMs: 412,
  keyName: 'team-a',
  operation: 'chat',
  api: 'responses',
  tier: 'thinking',
  model: 'auto',
  upstreamModel: 'qwen3-32b',
  reason: 'classifier:learned:0.91',
  stream: true,
  inputTokens: 120,
  outputTokens: 48,
  firstTokenS: 0.12345,
  errorType: undefined,
  aborted: false,
  accounting: undefined,
};

const ACCOUNTED: RequestAccounting = {
  outcome: 'ok',
  reasoningTokens: 30,
  totalTokens: 168,
  usageReported: true,
  reservedTokens: 4096,
  toolRounds: 2,
};

const record = (fields: Partial<EndedRequest> = {}): RequestTelemetry =>
  ({ ...CHAT, ...fields }) as unknown as RequestTelemetry;

/** A logger writing JSON lines into an array, as the gateway's logger writes them to stdout. */
function capture(level: 'info' | 'warn' = 'info') {
  const lines: Record<string, unknown>[] = [];
  const destination: DestinationStream = {
    write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>),
  };
  return { lines, logger: createGatewayLogger(level, destination) };
}

describe('requestLogLine', () => {
  it('writes exactly the request, route, tokens and accounting fields of an inference request', () => {
    expect(requestLogLine(record({ accounting: ACCOUNTED }))).toEqual<RequestLogLine>({
      request_id: 'req-7',
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      span_id: 'b7ad6b7169203331',
      trace_sampled: true,
      method: 'POST',
      route: '/v1/chat/completions',
      status: 200,
      duration_ms: 412,
      key: 'team-a',
      operation: 'chat',
      api: 'responses',
      tier: 'thinking',
      model: 'auto',
      upstream_model: 'qwen3-32b',
      route_reason: 'classifier:learned:0.91',
      stream: true,
      tokens_in: 120,
      tokens_out: 48,
      ttft_ms: 123.5,
      error: undefined,
      aborted: undefined,
      outcome: 'ok',
      error_code: undefined,
      reasoning_tokens: 30,
      total_tokens: 168,
      usage_reported: true,
      reserved_tokens: 4096,
      tool_rounds: 2,
    });
  });

  it.each<[string, Partial<EndedRequest>, Partial<RequestLogLine>]>([
    [
      'a request that is not inference has no stream or token fields',
      { operation: undefined, stream: false, inputTokens: 0, outputTokens: 0 },
      { operation: undefined, stream: undefined, tokens_in: undefined, tokens_out: undefined },
    ],
    [
      'an untraced request says nothing of sampling',
      { traceId: undefined, spanId: undefined, sampled: false },
      { trace_id: undefined, span_id: undefined, trace_sampled: undefined },
    ],
    ['an unsampled trace says so', { sampled: false }, { trace_sampled: false }],
    [
      'an unrouted request has no tier or model',
      { tier: '', model: '' },
      { tier: undefined, model: undefined },
    ],
    ['no first token, no ttft', { firstTokenS: undefined }, { ttft_ms: undefined }],
    ['ttft in milliseconds, one decimal', { firstTokenS: 2 / 3 }, { ttft_ms: 666.7 }],
    [
      'a failed, aborted request',
      { status: 499, errorType: 'upstream_timeout', aborted: true },
      { status: 499, error: 'upstream_timeout', aborted: true },
    ],
    [
      'an error outcome names its code',
      {
        accounting: {
          ...ACCOUNTED,
          outcome: 'error',
          errorCode: 'http_502',
          reservedTokens: undefined,
        },
      },
      { outcome: 'error', error_code: 'http_502', reserved_tokens: undefined },
    ],
    [
      'a priced request has its cost and cached tokens',
      {
        cost: 0.00042,
        costUnpriced: false,
        tokensByKind: { input: 80, cached_input: 40, output: 18, reasoning: 30 },
      },
      { cost: 0.00042, pricing: undefined, cached_tokens: 40 },
    ],
    ['an unpriced one says so', { cost: 0, costUnpriced: true }, { cost: 0, pricing: 'unpriced' }],
    ['no prices configured: no cost', {}, { cost: undefined, pricing: undefined }],
  ])('%s', (_, fields, expected) => {
    expect(requestLogLine(record(fields))).toEqual(expect.objectContaining(expected));
  });
});

describe('RequestLog', () => {
  it('writes one info line per request with only the line fields, the level name and ISO time', () => {
    const { lines, logger } = capture();
    new RequestLog(logger).write(record({ accounting: ACCOUNTED }));
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line).toMatchObject({ level: 'info', msg: TelemetryMessages.requestCompleted() });
    expect(line.time).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/));
    const { level, time, msg, pid, hostname, ...fields } = line;
    expect([level, msg, typeof time, typeof pid, typeof hostname]).toEqual([
      'info',
      'request completed',
      'string',
      'number',
      'string',
    ]);
    // Undefined fields are left out of the JSON; nothing else (no header, body or prompt) is written.
    expect(fields).toEqual(
      JSON.parse(JSON.stringify(requestLogLine(record({ accounting: ACCOUNTED })))),
    );
    expect(Object.keys(fields).sort()).toEqual(
      [
        'request_id',
        'trace_id',
        'span_id',
        'trace_sampled',
        'method',
        'route',
        'status',
        'duration_ms',
        'key',
        'operation',
        'api',
        'tier',
        'model',
        'upstream_model',
        'route_reason',
        'stream',
        'tokens_in',
        'tokens_out',
        'ttft_ms',
        'outcome',
        'reasoning_tokens',
        'total_tokens',
        'usage_reported',
        'reserved_tokens',
        'tool_rounds',
      ].sort(),
    );
  });

  it.each<[string, 'info' | 'warn', number, string | undefined]>([
    ['a 2xx at info', 'info', 200, 'info'],
    ['a 4xx at info', 'info', 429, 'info'],
    ['a 5xx at error', 'info', 502, 'error'],
    ['no 2xx when info is off', 'warn', 200, undefined],
    ['a 5xx even when info is off', 'warn', 500, 'error'],
  ])('writes %s', (_, loggerLevel, status, written) => {
    const { lines, logger } = capture(loggerLevel);
    new RequestLog(logger).write(record({ status }));
    expect(lines.map((l) => l.level)).toEqual(written ? [written] : []);
    if (written === 'error') expect(lines[0].msg).toBe(TelemetryMessages.requestFailed());
  });
});

describe('createGatewayLogger redaction', () => {
  it('censors credentials wherever a log object carries them', () => {
    const { lines, logger } = capture();
    logger.info({
      req: {
        headers: {
          authorization: 'Bearer sk-1',
          'x-api-key': 'sk-2',
          cookie: 'c=1',
          accept: '*/*',
        },
      },
      res: { headers: { 'set-cookie': 's=1' } },
      headers: { authorization: 'Bearer sk-3' },
      apiKey: 'sk-4',
      upstream: { apiKey: 'sk-5', api_key: 'sk-6', url: 'http://pool' },
      api_key: 'sk-7',
    });
    expect(lines[0]).toMatchObject({
      req: {
        headers: {
          authorization: '[redacted]',
          'x-api-key': '[redacted]',
          cookie: '[redacted]',
          accept: '*/*',
        },
      },
      res: { headers: { 'set-cookie': '[redacted]' } },
      headers: { authorization: '[redacted]' },
      apiKey: '[redacted]',
      upstream: { apiKey: '[redacted]', api_key: '[redacted]', url: 'http://pool' },
      api_key: '[redacted]',
    });
    expect(JSON.stringify(lines[0])).not.toMatch(/sk-\d/);
  });
});

describe('the request line without redaction (its own logger)', () => {
  it('writes exactly what the redacting application logger writes for the same record', () => {
    fc.assert(
      fc.property(endedRequest, (fields) => {
        const fast = capture();
        const slow = capture();
        new RequestLog(fast.logger).write(record(fields));
        const line = requestLogLine(record(fields));
        const failed = (fields.status ?? 0) >= 500;
        if (failed) slow.logger.error(line, TelemetryMessages.requestFailed());
        else slow.logger.info(line, TelemetryMessages.requestCompleted());
        const strip = (l: Record<string, unknown>[]) => l.map(({ time: _time, ...rest }) => rest);
        expect(strip(fast.lines)).toEqual(strip(slow.lines));
        expect(fast.lines).toHaveLength(1);
      }),
      { numRuns: 300 },
    );
  });

  it("goes to the application logger's destination, at its level", () => {
    const { lines, logger } = capture('warn');
    const log = new RequestLog(logger);
    log.write(record({ status: 200 }));
    log.write(record({ status: 503 }));
    logger.warn('from Nest');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['error', TelemetryMessages.requestFailed()],
      ['warn', 'from Nest'],
    ]);
  });
});
