import { healthVerdict, type HealthFacts } from './health-verdict';

const POOL = { up: true, degraded: false, credentialsRejected: false };
const ALL_WELL: HealthFacts = { server: true, tiers: ['direct', 'direct'], pools: [POOL, POOL] };

describe('health verdict (docs/api.md §5)', () => {
  const cases: { name: string; facts: Partial<HealthFacts>; expected: string }[] = [
    { name: 'every tier served by its own healthy pool', facts: {}, expected: 'ok' },
    {
      name: 'one tier served only by fallback: still ready',
      facts: {
        tiers: ['fallback', 'direct'],
        pools: [{ ...POOL, up: false, degraded: true }, POOL],
      },
      expected: 'degraded',
    },
    {
      name: 'one tier not served at all, the other is: still ready',
      facts: { tiers: ['none', 'direct'], pools: [{ ...POOL, up: false, degraded: true }, POOL] },
      expected: 'degraded',
    },
    {
      name: 'a tier served by ejected replicas only',
      facts: { tiers: ['ejected', 'direct'] },
      expected: 'degraded',
    },
    {
      name: 'one replica of a pool down',
      facts: { pools: [{ ...POOL, degraded: true }, POOL] },
      expected: 'degraded',
    },
    {
      name: 'an upstream rejects the credentials',
      facts: { pools: [POOL, { ...POOL, degraded: true, credentialsRejected: true }] },
      expected: 'degraded',
    },
    {
      name: 'the embeddings pool is down',
      facts: { pools: [POOL, POOL, { ...POOL, up: false, degraded: true }] },
      expected: 'degraded',
    },
    { name: 'no chat tier served', facts: { tiers: ['none', 'none'] }, expected: 'error' },
    { name: 'shutdown has begun', facts: { server: false }, expected: 'error' },
    {
      name: 'fail-open Redis down',
      facts: { redis: { up: false, critical: false } },
      expected: 'degraded',
    },
    {
      name: 'fail-closed Redis down',
      facts: { redis: { up: false, critical: true } },
      expected: 'error',
    },
  ];

  it.each(cases)('$name: $expected', ({ facts, expected }) => {
    expect(healthVerdict({ ...ALL_WELL, ...facts })).toBe(expected);
  });
});
