import { ErrorCode, GatewayException } from '../common/errors';
import { acceptsApiKeyHeader } from './api-key-header.decorator';
import type { ApiKeyService, CallerIdentity } from './api-key.service';
import { callerOf, presentedKey } from './api-key.guard';

describe('presentedKey', () => {
  it.each<[string, Record<string, string>, boolean, string]>([
    ['a bearer token', { authorization: 'Bearer k1' }, false, 'k1'],
    ['a bearer token in any case', { authorization: 'bearer  k1 ' }, false, 'k1'],
    ['no x-api-key where the route does not take it', { 'x-api-key': 'k2' }, false, ''],
    ['x-api-key where the route takes it', { 'x-api-key': 'k2' }, true, 'k2'],
    [
      'Authorization first when both are sent',
      { authorization: 'Bearer k1', 'x-api-key': 'k2' },
      true,
      'k1',
    ],
    [
      'an Authorization that is not a bearer token, never falling back',
      { authorization: 'Basic abc', 'x-api-key': 'k2' },
      true,
      '',
    ],
    ['nothing', {}, true, ''],
  ])('reads %s', (_name, headers, apiKeyHeader, key) => {
    expect(presentedKey(headers, apiKeyHeader)).toBe(key);
  });
});

describe('acceptsApiKeyHeader', () => {
  it.each<[string, unknown, boolean]>([
    ['a route marked @AcceptsApiKeyHeader()', { config: { acceptsApiKeyHeader: true } }, true],
    ['another route', { config: { url: '/v1/models' } }, false],
    ['no route (404)', undefined, false],
  ])('%s → %s', (_name, routeOptions, expected) => {
    expect(acceptsApiKeyHeader({ routeOptions } as never)).toBe(expected);
  });
});

describe('callerOf', () => {
  const alice: CallerIdentity = { keyName: 'alice', policy: { limits: {} as never } };
  const keys = {
    identify: (secret: string) => (secret === 'good' ? alice : undefined),
  } as ApiKeyService;
  const messages = { config: { acceptsApiKeyHeader: true } };
  const chat = { config: {} };

  it.each<[string, Record<string, string>, object, CallerIdentity | RegExp]>([
    ['x-api-key on a route that takes it', { 'x-api-key': 'good' }, messages, alice],
    ['a bearer token anywhere', { authorization: 'Bearer good' }, chat, alice],
    [
      'x-api-key on a route that does not take it',
      { 'x-api-key': 'good' },
      chat,
      /'Authorization: Bearer <key>'\.$/,
    ],
    ['a wrong x-api-key', { 'x-api-key': 'bad' }, messages, /Incorrect API key/],
    ['no key, naming both headers where both work', {}, messages, /'x-api-key: <key>' or/],
  ])('%s', (_name, headers, routeOptions, expected) => {
    const request = { headers, routeOptions } as never;
    if (expected instanceof RegExp) {
      let caught: unknown;
      try {
        callerOf(keys, request);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(GatewayException);
      expect((caught as GatewayException).code).toBe(ErrorCode.InvalidApiKey);
      expect((caught as GatewayException).status).toBe(401);
      expect((caught as GatewayException).message).toMatch(expected);
    } else {
      expect(callerOf(keys, request)).toBe(expected);
    }
  });
});
