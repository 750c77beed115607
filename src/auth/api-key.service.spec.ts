import { ConfigService } from '@nestjs/config';
import { createHash } from 'node:crypto';
import type { ClientKeyConfig } from '../config';
import { ApiKeyService } from './api-key.service';

function service(
  keys: ClientKeyConfig[],
  mode: 'required' | 'disabled' = 'required',
): ApiKeyService {
  return new ApiKeyService(new ConfigService({ auth: { mode, keys } }) as never);
}

describe('ApiKeyService', () => {
  const digest = createHash('sha256').update('hashed-secret').digest('hex');
  const keys = service([
    { name: 'team-a', key: 'plain-secret' },
    { name: 'team-b', key: `sha256:${digest}` },
  ]);

  it.each([
    ['plain-secret', 'team-a'],
    ['hashed-secret', 'team-b'],
  ])('identifies %s as %s', (secret, name) => {
    expect(keys.identify(secret)).toEqual({ keyName: name });
  });

  it.each(['', 'plain-secre', 'plain-secret ', `sha256:${digest}`, 'PLAIN-SECRET'])(
    'rejects %j',
    (secret) => {
      expect(keys.identify(secret)).toBeUndefined();
    },
  );

  it('knows whether keys are required', () => {
    expect(keys.required).toBe(true);
    expect(service([], 'disabled').required).toBe(false);
  });
});
