import { tierService, type PoolAvailability } from './tier-availability';

const UP: PoolAvailability = { available: true, serving: true };
const EJECTED: PoolAvailability = { available: false, serving: true };
const DOWN: PoolAvailability = { available: false, serving: false };

describe('how a tier is served (the router fallback rule, for readiness)', () => {
  const cases: {
    name: string;
    instant: PoolAvailability;
    thinking: PoolAvailability;
    fallback?: boolean;
    onlyInstant?: boolean;
    expected: ReturnType<typeof tierService>;
  }[] = [
    { name: 'its pool is available', instant: UP, thinking: DOWN, expected: 'direct' },
    {
      name: 'its pool is down, the other is up',
      instant: DOWN,
      thinking: UP,
      expected: 'fallback',
    },
    {
      name: 'its pool is down, the other up, but fallback is off',
      instant: DOWN,
      thinking: UP,
      fallback: false,
      expected: 'none',
    },
    { name: 'both pools down', instant: DOWN, thinking: DOWN, expected: 'none' },
    {
      name: 'all its replicas ejected and the other down: still routed to its own',
      instant: EJECTED,
      thinking: DOWN,
      expected: 'ejected',
    },
    {
      name: 'all its replicas ejected and the other up: fallback first',
      instant: EJECTED,
      thinking: UP,
      expected: 'fallback',
    },
    {
      name: 'the other tier is not configured',
      instant: DOWN,
      thinking: UP,
      onlyInstant: true,
      expected: 'none',
    },
  ];

  it.each(cases)('$name: $expected', ({ instant, thinking, fallback, onlyInstant, expected }) => {
    const tiers = {
      instant: { pool: 'a', fallback: fallback ?? true },
      ...(onlyInstant ? {} : { thinking: { pool: 'b', fallback: true } }),
    };
    const pools: Record<string, PoolAvailability> = { a: instant, b: thinking };
    expect(tierService('instant', tiers, (name) => pools[name])).toBe(expected);
  });

  it('an unconfigured tier is not served', () => {
    expect(tierService('thinking', { instant: { pool: 'a', fallback: true } }, () => UP)).toBe(
      'none',
    );
  });
});
