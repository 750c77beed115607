import { createHash } from 'node:crypto';
import type { ClientKeyConfig } from '../../config';
import { ANONYMOUS_SCOPE, memoryScopes } from './memory-scope';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('memoryScopes', () => {
  const alpha = 'sk-alpha-0123456789';
  const beta = 'sk-beta-0123456789';
  const keys = (...entries: [string, string][]): ClientKeyConfig[] =>
    entries.map(([name, key]) => ({ name, key }));

  it.each([
    [
      're-ordered GATEWAY_API_KEYS: the secret keeps its scope under another name',
      keys(['env-1', alpha], ['env-2', beta]),
      'env-1',
      keys(['env-1', beta], ['env-2', alpha]),
      'env-2',
    ],
    [
      'a key configured as sha256:<digest> has the scope of its plain secret',
      keys(['team', alpha]),
      'team',
      keys(['team', `sha256:${sha(alpha)}`]),
      'team',
    ],
  ])('%s', (_case, first, firstName, second, secondName) => {
    expect(memoryScopes(first)(firstName)).toBe(memoryScopes(second)(secondName));
  });

  it('gives the same name with another secret (another deployment’s env-1) another scope', () => {
    const here = memoryScopes(keys(['env-1', alpha]));
    const there = memoryScopes(keys(['env-1', beta]));
    expect(here('env-1')).not.toBe(there('env-1'));
  });

  it('never writes the name or the secret’s plain digest into the scope', () => {
    const scope = memoryScopes(keys(['env-1', alpha]))('env-1');
    expect(scope).toMatch(/^k_[0-9a-f]{32}$/);
    expect(sha(alpha)).not.toContain(scope.slice(2));
  });

  it('shares one scope between callers without a key', () => {
    expect(memoryScopes([])(undefined)).toBe(ANONYMOUS_SCOPE);
  });
});
