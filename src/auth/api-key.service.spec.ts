import { createHash } from 'node:crypto';
import type { ClientKeyConfig, RateLimitsConfig } from '../config';
import { ApiKeyService } from './api-key.service';

// Counted, to see which presented keys are hashed.
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, createHash: jest.fn(actual.createHash) };
});

function service(
  keys: ClientKeyConfig[],
  mode: 'required' | 'disabled' = 'required',
  defaults: RateLimitsConfig = {},
): ApiKeyService {
  return new ApiKeyService({ auth: { mode, keys }, defaults } as never);
}

describe('ApiKeyService', () => {
  const digest = createHash('sha256').update('hashed-secret').digest('hex');
  const keys = service(
    [
      { name: 'team-a', key: 'plain-secret' },
      { name: 'team-b', key: `sha256:${digest}` },
      {
        name: 'team-c',
        key: 'narrow-secret',
        allowedTiers: ['instant'],
        allowedModels: ['auto'],
        allowedTools: [],
        limits: { rpm: 5 },
      },
    ],
    'required',
    { rpm: 100, concurrency: 2 },
  );

  it.each([
    ['plain-secret', 'team-a'],
    ['hashed-secret', 'team-b'],
    ['narrow-secret', 'team-c'],
  ])('identifies %s as %s', (secret, name) => {
    expect(keys.identify(secret)?.keyName).toBe(name);
  });

  it.each(['', 'plain-secre', 'plain-secret ', `sha256:${digest}`, 'PLAIN-SECRET'])(
    'rejects %j',
    (secret) => {
      expect(keys.identify(secret)).toBeUndefined();
    },
  );

  it('gives a key without limits of its own the defaults, and no restrictions', () => {
    expect(keys.identify('plain-secret')?.policy).toEqual({ limits: { rpm: 100, concurrency: 2 } });
  });

  it('gives a key its own limits and access lists, as sets', () => {
    expect(keys.identify('narrow-secret')?.policy).toEqual({
      allowedTiers: new Set(['instant']),
      allowedModels: new Set(['auto']),
      allowedTools: new Set(),
      limits: { rpm: 5 },
    });
  });

  it('hashes a valid key once, and a wrong key every time', () => {
    const fresh = service([{ name: 'team-a', key: 'plain-secret' }]);
    const hashes = jest.mocked(createHash);
    hashes.mockClear();
    expect(fresh.identify('plain-secret')?.keyName).toBe('team-a');
    expect(fresh.identify('plain-secret')?.keyName).toBe('team-a');
    expect(hashes).toHaveBeenCalledTimes(1);
    expect(fresh.identify('wrong-secret')).toBeUndefined();
    expect(fresh.identify('wrong-secret')).toBeUndefined();
    expect(hashes).toHaveBeenCalledTimes(3);
  });

  it('keeps remembering valid keys past its bound, by starting over', () => {
    const many = Array.from({ length: 1100 }, (_, i) => ({ name: `k${i}`, key: `secret-${i}` }));
    const fresh = service(many);
    for (const key of many) expect(fresh.identify(key.key)?.keyName).toBe(key.name);
    expect(fresh.identify('secret-0')?.keyName).toBe('k0');
    expect(fresh.identify('secret-1099')?.keyName).toBe('k1099');
  });

  it('never keeps the secret on the identity', () => {
    expect(JSON.stringify(keys.identify('plain-secret'))).not.toContain('plain-secret');
  });

  it('knows whether keys are required, and who callers are when they are not', () => {
    expect(keys.required).toBe(true);
    const open = service([], 'disabled', { tpm: 10 });
    expect(open.required).toBe(false);
    expect(open.anonymous).toEqual({
      keyName: 'anonymous',
      role: 'admin',
      policy: { limits: { tpm: 10 } },
    });
  });
});
