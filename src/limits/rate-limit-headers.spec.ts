import type { WindowState } from './limit-store.interface';
import { formatDuration, rateLimitHeaders, retryAfterSeconds } from './rate-limit-headers';

const state: WindowState = {
  window: 1,
  elapsedMs: 15_000,
  requests: { previous: 0, current: 4 },
  tokens: { previous: 1000, current: 250 },
  inFlight: 1,
};

describe('rate-limit headers', () => {
  it('sends OpenAI’s six headers for a key limited by requests and tokens', () => {
    expect(rateLimitHeaders({ rpm: 10, tpm: 2000, concurrency: 4 }, state)).toEqual({
      'x-ratelimit-limit-requests': '10',
      'x-ratelimit-remaining-requests': '6',
      'x-ratelimit-reset-requests': '1m45s',
      'x-ratelimit-limit-tokens': '2000',
      'x-ratelimit-remaining-tokens': '1000', // 750 of the previous minute + 250
      'x-ratelimit-reset-tokens': '1m45s',
    });
  });

  it('sends nothing for a dimension without a limit', () => {
    expect(Object.keys(rateLimitHeaders({ tpm: 5 }, state))).toEqual([
      'x-ratelimit-limit-tokens',
      'x-ratelimit-remaining-tokens',
      'x-ratelimit-reset-tokens',
    ]);
    expect(rateLimitHeaders({}, state)).toEqual({});
  });

  it.each([
    [0, '0ms'],
    [17, '17ms'],
    [1000, '1s'],
    [8640, '8.64s'],
    [360_000, '6m0s'],
    [90_500, '1m30.5s'],
    [3_723_000, '1h2m3s'],
  ])('writes %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('rounds retry-after up to whole seconds, at least one', () => {
    expect([retryAfterSeconds(0), retryAfterSeconds(1001), retryAfterSeconds(5000)]).toEqual([
      1, 2, 5,
    ]);
  });
});
