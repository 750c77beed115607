import type { ClientKeyConfig } from '../../config';
import { optInAvailability } from './opt-in-tool';

describe('optInAvailability (tools that run code or keep state)', () => {
  const key = (name: string, allowedTools?: string[]): ClientKeyConfig => ({
    name,
    key: `secret-${name}`,
    ...(allowedTools ? { allowedTools } : {}),
  });

  it.each<[string, boolean, ClientKeyConfig[], boolean | 'listed-keys']>([
    ['off globally, no key lists it', false, [key('a'), key('b', ['calculator'])], false],
    ['off globally, a key lists it', false, [key('a'), key('b', ['memory'])], 'listed-keys'],
    ['on globally', true, [key('a')], true],
    ['on globally, a key lists it too', true, [key('b', ['memory'])], true],
    ['off, and no keys at all (auth disabled)', false, [], false],
  ])('%s', (_case, enabled, keys, expected) => {
    expect(optInAvailability(enabled, 'memory', keys)).toBe(expected);
  });
});
