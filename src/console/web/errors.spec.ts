import { errorText, failureOf, isKeyRefused, type ApiFailure } from './errors';

const failure = (status: number, code: string | null = null, message = ''): ApiFailure => ({
  status,
  code,
  message,
  call: 'GET /v1/providers',
});

describe('the console error texts', () => {
  it('reads the OpenAI envelope of a failed answer', () => {
    const body = {
      error: {
        message: 'Admin only.',
        type: 'permission_error',
        param: null,
        code: 'admin_required',
      },
    };
    expect(failureOf('GET /v1/providers', 403, body)).toEqual(
      failure(403, 'admin_required', 'Admin only.'),
    );
  });

  it('keeps the start of an answer that is not the envelope', () => {
    expect(failureOf('GET /health', 502, 'Bad Gateway')).toEqual({
      status: 502,
      code: null,
      message: 'Bad Gateway',
      call: 'GET /health',
    });
  });

  it.each<[string, ApiFailure, RegExp]>([
    [
      'an unknown key',
      failure(401, 'invalid_api_key'),
      /^401: the gateway does not accept this key\. Sign out and sign in with an admin key/,
    ],
    [
      'a client key',
      failure(403, 'admin_required'),
      /^403: the key is not an admin key\. .*role is admin/,
    ],
    [
      'a missing endpoint',
      failure(404, 'not_found', 'Unknown request URL'),
      /^404: this gateway does not serve GET \/v1\/providers .*Upgrade the gateway/,
    ],
    [
      'a rate limit',
      failure(429, 'rate_limit_exceeded', 'slow down'),
      /^429: .*\(slow down\).*raise the key's limits/,
    ],
    [
      'a gateway failure',
      failure(500, 'internal_error', 'boom'),
      /^500: the gateway failed to answer GET \/v1\/providers \(boom\)\. .*x-request-id/,
    ],
    [
      'no answer',
      failure(0, null, 'Failed to fetch'),
      /^No answer from the gateway for GET \/v1\/providers \(Failed to fetch\): check that it is running/,
    ],
    [
      'another refusal',
      failure(400, 'invalid_value', 'bad window'),
      /^400: GET \/v1\/providers was refused \(bad window\)\.$/,
    ],
  ])('tells what to do about %s', (_name, f, text) => {
    expect(errorText(f)).toMatch(text);
  });

  it('ends the session only when the key itself is refused', () => {
    expect(isKeyRefused(failure(401))).toBe(true);
    expect(isKeyRefused(failure(403, 'admin_required'))).toBe(true);
    expect(isKeyRefused(failure(403, 'model_not_allowed'))).toBe(false);
    expect(isKeyRefused(failure(500))).toBe(false);
    expect(isKeyRefused(failure(0))).toBe(false);
  });
});
