import { ErrorCode, ErrorMessages, GatewayException } from '../common/errors';
import { upstreamStatusError } from './openai-wire.mapper';
import { backoffDelay, classifyFailure, parseRetryAfter } from './retry-policy';

describe('retry policy', () => {
  const now = Date.parse('2026-11-20T10:00:00Z');

  it.each<[string, unknown, ReturnType<typeof classifyFailure>]>([
    [
      'connection refused',
      new GatewayException(ErrorCode.UpstreamError, ErrorMessages.upstreamUnreachable()),
      { kind: 'connection', retryable: true, replica: 'failed' },
    ],
    [
      'a stream cut or malformed answer',
      new GatewayException(ErrorCode.UpstreamError, ErrorMessages.upstreamStreamBroken('cut')),
      { kind: 'broken', retryable: true, replica: 'failed' },
    ],
    [
      'a timeout',
      new GatewayException(ErrorCode.UpstreamTimeout, ErrorMessages.upstreamTimeout(5)),
      { kind: 'timeout', retryable: true, replica: 'failed' },
    ],
    [
      '503 with Retry-After',
      upstreamStatusError(503, '', 'o', '2'),
      { kind: 'unavailable', retryable: true, replica: 'failed', retryAfterMs: 2000 },
    ],
    [
      '504',
      upstreamStatusError(504, '', 'o'),
      { kind: 'unavailable', retryable: true, replica: 'failed' },
    ],
    [
      '429 (busy, not broken)',
      upstreamStatusError(429, '{}', 'o', '1'),
      { kind: 'rate_limited', retryable: true, replica: 'neutral', retryAfterMs: 1000 },
    ],
    [
      '500',
      upstreamStatusError(500, '', 'o'),
      { kind: 'server_error', retryable: false, replica: 'failed' },
    ],
    [
      '401 from the upstream',
      upstreamStatusError(401, '', 'o'),
      { kind: 'rejected', retryable: false, replica: 'neutral' },
    ],
    [
      "the caller's 400",
      upstreamStatusError(400, '{"error":{"message":"bad"}}', 'o'),
      { kind: 'client_error', retryable: false, replica: 'ok' },
    ],
    ["the gateway's own 503", new GatewayException(ErrorCode.Overloaded, 'x'), undefined],
    ['a caller abort', new Error('The client closed the connection'), undefined],
  ])('%s', (_what, error, verdict) => {
    expect(classifyFailure(error, now)).toEqual(verdict);
  });

  it.each([
    [1, 0, 0],
    [1, 0.999, 24],
    [2, 0.999, 49],
    [3, 0.5, 50],
    [10, 0.999, 999],
  ])('full jitter: retry %d with random %d waits %d ms (base 25, max 1000)', (retry, r, ms) => {
    expect(backoffDelay(retry, 25, 1000, () => r)).toBe(ms);
  });

  it.each<[string | undefined, number | undefined]>([
    ['3', 3000],
    [' 0 ', 0],
    ['Fri, 20 Nov 2026 10:00:05 GMT', 5000],
    ['Fri, 20 Nov 2026 09:00:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
  ])('Retry-After %j is %j ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });
});
