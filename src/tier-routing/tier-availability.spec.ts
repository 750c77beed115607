import {
  placeRequest,
  tierService,
  type PoolLoad,
  type TierPlacement,
  type TierPlacementConfig,
} from './tier-availability';

const UP: PoolLoad = { available: true, serving: true, saturated: false };
const FULL: PoolLoad = { available: true, serving: true, saturated: true };
const EJECTED: PoolLoad = { available: false, serving: true, saturated: false };
const DOWN: PoolLoad = { available: false, serving: false, saturated: false };

/**
 * One table for both uses of the rule: readiness (`tierService`, what `/health/ready` reports)
 * and the router (`placeRequest`, where a request goes). A row without `auto` is also how
 * readiness sees the tier: the two agree on everything but spill.
 */
describe('where a tier is served (the fallback and spill rule, for the router and readiness)', () => {
  const cases: {
    name: string;
    instant: PoolLoad;
    thinking: PoolLoad;
    fallback?: boolean;
    spill?: boolean;
    onlyInstant?: boolean;
    /** The request is `auto` traffic (only `auto` spills). */
    auto?: boolean;
    expected: TierPlacement;
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
    {
      name: 'auto, its pool saturated, the other free: spill',
      instant: FULL,
      thinking: UP,
      auto: true,
      expected: 'spill',
    },
    {
      name: 'its pool saturated but the request named its tier: no spill',
      instant: FULL,
      thinking: UP,
      expected: 'direct',
    },
    {
      name: 'auto, its pool saturated, but spill is off',
      instant: FULL,
      thinking: UP,
      spill: false,
      auto: true,
      expected: 'direct',
    },
    {
      name: 'auto, both pools saturated: stays',
      instant: FULL,
      thinking: FULL,
      auto: true,
      expected: 'direct',
    },
    {
      name: 'auto, its pool saturated, the other ejected: stays',
      instant: FULL,
      thinking: EJECTED,
      auto: true,
      expected: 'direct',
    },
    {
      name: 'auto, its pool saturated, the other tier not configured: stays',
      instant: FULL,
      thinking: UP,
      onlyInstant: true,
      auto: true,
      expected: 'direct',
    },
    {
      name: 'auto, its pool free: no spill',
      instant: UP,
      thinking: UP,
      auto: true,
      expected: 'direct',
    },
    {
      name: 'auto, its pool down: fallback, not spill',
      instant: DOWN,
      thinking: UP,
      auto: true,
      expected: 'fallback',
    },
    {
      name: 'auto, its pool down and fallback off: none',
      instant: DOWN,
      thinking: UP,
      fallback: false,
      auto: true,
      expected: 'none',
    },
  ];

  it.each(cases)(
    '$name: $expected',
    ({ instant, thinking, fallback, spill, onlyInstant, auto, expected }) => {
      const tiers: Partial<Record<'instant' | 'thinking', TierPlacementConfig>> = {
        instant: { pool: 'a', fallback: fallback ?? true, spill: spill ?? true },
        ...(onlyInstant ? {} : { thinking: { pool: 'b', fallback: true, spill: true } }),
      };
      const pools: Record<string, PoolLoad> = { a: instant, b: thinking };
      expect(placeRequest('instant', tiers, (name) => pools[name], auto ?? false)).toBe(expected);
      if (!auto) expect(tierService('instant', tiers, (name) => pools[name])).toBe(expected);
    },
  );

  it('an unconfigured tier is not served', () => {
    const tiers = { instant: { pool: 'a', fallback: true } };
    expect(tierService('thinking', tiers, () => UP)).toBe('none');
    expect(placeRequest('thinking', tiers, () => UP, true)).toBe('none');
  });
});
