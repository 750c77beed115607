import fc from 'fast-check';
import type { RequestAccounting } from '../../src/common/usage';
import type { RequestTelemetry, TokensByKind } from '../../src/telemetry/request-telemetry';

/** What a request's telemetry holds when it ends, as the request log line reads it. */
export type EndedRequest = Pick<
  RequestTelemetry,
  | 'requestId'
  | 'traceId'
  | 'spanId'
  | 'sampled'
  | 'method'
  | 'route'
  | 'status'
  | 'durationMs'
  | 'keyName'
  | 'operation'
  | 'api'
  | 'tier'
  | 'model'
  | 'upstreamModel'
  | 'reason'
  | 'stream'
  | 'inputTokens'
  | 'outputTokens'
  | 'firstTokenS'
  | 'errorType'
  | 'aborted'
  | 'accounting'
  | 'cost'
  | 'costUnpriced'
  | 'tokensByKind'
>;

export const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

/**
 * Strings a log line must carry unchanged: quotes, backslashes, control characters, lone
 * surrogates, strings either side of the 100 characters below which pino quotes a string itself,
 * and names the redaction paths match (which the request line's fields must not trip).
 */
export const logText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 140 }),
  fc.string({ minLength: 95, maxLength: 110 }),
  fc.constantFrom('"', '\\', '\\"', '\u0000', '\n', '\ud800', 'a\udc00b', '\u2028', 'é"ü\\'),
  fc.constantFrom('apiKey', 'api_key', 'sk-secret', '*.apiKey', '[redacted]', 'req.headers'),
);

/** Numbers as JSON cannot hold them too (NaN, infinities, -0), and ones printed in exponent form. */
export const logNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, Number.NaN, Infinity, -Infinity, 1e21, 5e-7),
);

const accounting: fc.Arbitrary<RequestAccounting | undefined> = maybe(
  fc.record({
    outcome: fc.constantFrom('ok', 'error', 'aborted'),
    errorCode: maybe(logText),
    reasoningTokens: maybe(logNumber),
    totalTokens: maybe(logNumber),
    usageReported: maybe(fc.boolean()),
    reservedTokens: maybe(logNumber),
    toolRounds: maybe(logNumber),
  }) as fc.Arbitrary<RequestAccounting>,
);

/** Any ended request, every field of the log line's in play. */
export const endedRequest: fc.Arbitrary<EndedRequest> = fc.record({
  requestId: logText,
  traceId: maybe(logText),
  spanId: maybe(logText),
  sampled: fc.boolean(),
  method: logText,
  route: logText,
  status: maybe(fc.integer({ min: 100, max: 599 })),
  durationMs: maybe(logNumber),
  keyName: maybe(logText),
  operation: maybe(fc.constantFrom('chat', 'text_completion', 'embeddings')),
  api: maybe(logText),
  tier: logText,
  model: logText,
  upstreamModel: maybe(logText),
  reason: maybe(logText),
  stream: fc.boolean(),
  inputTokens: logNumber,
  outputTokens: logNumber,
  firstTokenS: maybe(logNumber),
  errorType: maybe(logText),
  aborted: fc.boolean(),
  accounting,
  cost: maybe(logNumber),
  costUnpriced: maybe(fc.boolean()),
  tokensByKind: maybe(
    fc.record({ cached_input: logNumber }) as unknown as fc.Arbitrary<TokensByKind>,
  ),
}) as unknown as fc.Arbitrary<EndedRequest>;
