import { ErrorCode, GatewayException } from '../common/errors';
import type { ApiKeyService, CallerIdentity } from './api-key.service';
import { callerOf, presentedKey } from './api-key.guard';

describe('presentedKey', () => {
  it.each<[string, Record<string, string>, string]>([
    ['a bearer token', { authorization: 'Bearer k1' }, 'k1'],
    ['a bearer token in any case', { authorization: 'bearer  k1 ' }, 'k1'],
    ['x-api-key, as Anthropic clients send it', { 'x-api-key': 'k2' }, 'k2'],
    [
      'Authorization first when both are sent',
      { authorization: 'Bearer k1', 'x-api-key': 'k2' },
      'k1',
    ],
    [
      'an Authorization that is not a bearer token, never falling back',
      { authorization: 'Basic abc', 'x-api-key': 'k2' },
      '',
    ],
    ['nothing', {}, ''],
  ])('reads %s', (_name, headers, key) => {
    expect(presentedKey(headers)).toBe(key);
  });
});

describe('callerOf', () => {
  const alice: CallerIdentity = { keyName: 'alice', policy: { limits: {} as never } };
  const keys = {
    identify: (secret: string) => (secret === 'good' ? alice : undefined),
  } as ApiKeyService;

  it.each<[Record<string, string>, CallerIdentity | ErrorCode]>([
    [{ 'x-api-key': 'good' }, alice],
    [{ authorization: 'Bearer good' }, alice],
    [{ 'x-api-key': 'bad' }, ErrorCode.InvalidApiKey],
    [{}, ErrorCode.InvalidApiKey],
  ])('%j → %j', (headers, expected) => {
    if (typeof expected === 'string') {
      expect(() => callerOf(keys, headers)).toThrow(GatewayException);
      try {
        callerOf(keys, headers);
      } catch (error) {
        expect((error as GatewayException).code).toBe(expected);
        expect((error as GatewayException).status).toBe(401);
      }
    } else {
      expect(callerOf(keys, headers)).toBe(expected);
    }
  });
});
