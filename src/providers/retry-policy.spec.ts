import { ErrorCode, ErrorMessages, GatewayException } from '../common/errors';
import { upstreamStatusError } from './openai-wire.mapper';
import { backoffDelay, classifyFailure, judgeSuspect, parseRetryAfter } from './retry-policy';

describe('retry policy', () => {
  const now = Date.parse('2026-11-20T10:00:00Z');

  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
    code: 'ECONNREFUSED',
  });
  const llamaInvalid = (message: string) =>
    upstreamStatusError(
      500,
      JSON.stringify({ error: { code: 500, message, type: 'server_error' } }),
      'o',
    );

  it.each<[string, unknown, ReturnType<typeof classifyFailure>]>([
    [
      'a refused connection (nothing listens: elsewhere only, out at once)',
      new GatewayException(ErrorCode.UpstreamError, ErrorMessages.upstreamUnreachable(), {
        cause: refused,
      }),
      { kind: 'refused', retry: 'elsewhere', replica: 'down' },
    ],
    [
      'another connection failure (a reset)',
      new GatewayException(ErrorCode.UpstreamError, ErrorMessages.upstreamUnreachable(), {
        cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
      }),
      { kind: 'connection', retry: 'any', replica: 'failed' },
    ],
    [
      'a stream cut or malformed answer',
      new GatewayException(ErrorCode.UpstreamError, ErrorMessages.upstreamStreamBroken('cut')),
      { kind: 'broken', retry: 'any', replica: 'failed' },
    ],
    [
      'a timeout',
      new GatewayException(ErrorCode.UpstreamTimeout, ErrorMessages.upstreamTimeout(5)),
      { kind: 'timeout', retry: 'any', replica: 'failed' },
    ],
    [
      '503 with Retry-After',
      upstreamStatusError(503, '', 'o', '2'),
      { kind: 'unavailable', retry: 'any', replica: 'failed', retryAfterMs: 2000 },
    ],
    [
      '504',
      upstreamStatusError(504, '', 'o'),
      { kind: 'unavailable', retry: 'any', replica: 'failed' },
    ],
    [
      '429 (busy, not broken)',
      upstreamStatusError(429, '{}', 'o', '1'),
      { kind: 'rate_limited', retry: 'any', replica: 'neutral', retryAfterMs: 1000 },
    ],
    [
      'a plain 500 (once elsewhere; counts only if it does not follow the request)',
      upstreamStatusError(500, '', 'o'),
      { kind: 'server_error', retry: 'elsewhere', replica: 'suspect' },
    ],
    [
      '401 from the upstream',
      upstreamStatusError(401, '', 'o'),
      { kind: 'rejected', retry: 'none', replica: 'neutral' },
    ],
    [
      "the caller's 400 (says nothing of the replica)",
      upstreamStatusError(400, '{"error":{"message":"bad"}}', 'o'),
      { kind: 'client_error', retry: 'none', replica: 'neutral' },
    ],
    [
      'a context overflow',
      upstreamStatusError(
        400,
        '{"error":{"code":400,"message":"request (3000 tokens) exceeds the available context size (2048 tokens)","type":"exceed_context_size_error"}}',
        'o',
      ),
      { kind: 'client_error', retry: 'none', replica: 'neutral' },
    ],
    [
      "llama.cpp's 500 for tool-call arguments that are not JSON",
      llamaInvalid('Failed to parse tool call arguments as JSON: parse error'),
      { kind: 'client_error', retry: 'none', replica: 'neutral' },
    ],
    [
      "llama.cpp's 500 for an image part on a text-only model",
      llamaInvalid('image input is not supported - hint: you may need to provide the mmproj'),
      { kind: 'client_error', retry: 'none', replica: 'neutral' },
    ],
    [
      "llama.cpp's 500 for an over-long embeddings input",
      llamaInvalid('input (4000 tokens) is too large to process. increase the physical batch size'),
      // Over that replica's batch size: another replica may be configured with a larger one.
      { kind: 'client_error', retry: 'elsewhere', replica: 'neutral' },
    ],
    ["the gateway's own 503", new GatewayException(ErrorCode.Overloaded, 'x'), undefined],
    ['a caller abort', new Error('The client closed the connection'), undefined],
  ])('%s', (_what, error, verdict) => {
    expect(classifyFailure(error, now)).toEqual(verdict);
  });

  it.each<[Parameters<typeof judgeSuspect>[0], ReturnType<typeof judgeSuspect>]>([
    ['succeeded', 'count'],
    ['server_error', 'forgive'],
    ['client_error', 'forgive'],
    ['none', 'probe'],
    ['timeout', 'probe'],
    ['refused', 'probe'],
    ['unavailable', 'probe'],
    ['rate_limited', 'probe'],
  ])('a 500 followed by %s on another replica: %s', (next, judgement) => {
    expect(judgeSuspect(next)).toBe(judgement);
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
