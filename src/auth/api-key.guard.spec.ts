import { ErrorCode, GatewayException } from '../common/errors';
import { acceptsApiKeyHeader } from './api-key-header.decorator';
import type { ApiKeyService, CallerIdentity } from './api-key.service';
import { authorizeRequest, callerOf, KEYED_ROUTE, presentedKey } from './api-key.guard';

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

/*
 * The one decision ApiKeyGuard makes inside Nest's router and the chat hot route makes beside it
 * (ADR 0015): both call authorizeRequest, so this table is the guard's behaviour for both.
 */
describe('authorizeRequest', () => {
  const alice: CallerIdentity = { keyName: 'alice', policy: { limits: {} as never } };
  const root: CallerIdentity = { ...alice, keyName: 'root', role: 'admin' };
  const known: Record<string, CallerIdentity> = { good: alice, admin: root };
  const keysThat = (required: boolean): ApiKeyService =>
    ({ required, identify: (secret: string) => known[secret] }) as unknown as ApiKeyService;
  const PUBLIC = { isPublic: true, adminOnly: false };
  const ADMIN = { isPublic: false, adminOnly: true };
  const chat = { config: {} };

  it.each<[string, boolean, object, Record<string, string>, CallerIdentity | undefined | RegExp]>([
    ['keys not required: anyone, no caller looked up', false, KEYED_ROUTE, {}, undefined],
    ['keys not required, an admin route: anyone', false, ADMIN, {}, undefined],
    ['a public route: no key needed, none looked up', true, PUBLIC, {}, undefined],
    [
      'a keyed route with a good key: its caller',
      true,
      KEYED_ROUTE,
      { authorization: 'Bearer good' },
      alice,
    ],
    ['a keyed route without a key: 401', true, KEYED_ROUTE, {}, /^401 invalid_api_key/],
    [
      'a keyed route with an unknown key: 401',
      true,
      KEYED_ROUTE,
      { authorization: 'Bearer nope' },
      /^401 invalid_api_key/,
    ],
    [
      'an admin route with a user key: 403',
      true,
      ADMIN,
      { authorization: 'Bearer good' },
      /^403 admin_required/,
    ],
    [
      'an admin route with an admin key: its caller',
      true,
      ADMIN,
      { authorization: 'Bearer admin' },
      root,
    ],
  ])('%s', (_name, required, access, headers, expected) => {
    const request = { headers, routeOptions: chat } as { caller?: CallerIdentity };
    let outcome: unknown;
    try {
      authorizeRequest(keysThat(required), request as never, access as never);
      outcome = request.caller;
    } catch (error) {
      const refused = error as GatewayException;
      outcome = `${refused.status} ${refused.code}`;
    }
    if (expected instanceof RegExp) expect(outcome).toMatch(expected);
    else expect(outcome).toBe(expected);
  });

  it('keeps the caller the early key check found, without looking the key up again', () => {
    const identify = jest.fn();
    const keys = { required: true, identify } as unknown as ApiKeyService;
    const request = { headers: {}, routeOptions: chat, caller: root };
    authorizeRequest(keys, request as never, ADMIN);
    expect(request.caller).toBe(root);
    expect(identify).not.toHaveBeenCalled();
  });
});
