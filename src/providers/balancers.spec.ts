import type { HealthCheckConfig, OutlierConfig } from '../config';
import {
  effectiveBalancing,
  LeastOutstandingBalancer,
  LoadAwareBalancer,
  RoundRobinBalancer,
  loadScore,
} from './balancers';
import { fnv1a, PrefixAffinityRing, prefixKeyOf } from './prefix-affinity';
import { Replica, type ReplicaTransport } from './replica';

const policy = {
  outlier: { consecutiveFailures: 5, ejectionMs: 1, maxEjectionMs: 1 } as OutlierConfig,
  healthCheck: { healthyThreshold: 1, unhealthyThreshold: 1 } as HealthCheckConfig,
};
const replicas = (weights: number[]): Replica[] =>
  weights.map(
    (w, i) => new Replica(i, `http://r${i}/v1`, w, {} as ReplicaTransport, policy, () => undefined),
  );

/** A seeded generator, so the statistical checks are exact and stable. */
function seeded(seed = 42): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('balancers', () => {
  it('least-outstanding never picks the busier of two replicas', () => {
    const [a, b] = replicas([1, 1]);
    a.inFlight = 5;
    const balancer = new LeastOutstandingBalancer(seeded());
    for (let i = 0; i < 20; i++) expect(balancer.pick([a, b])).toBe(b);
  });

  it('least-outstanding compares load per unit of weight, and draws by weight', () => {
    const [a, b, c] = replicas([4, 1, 1]);
    const balancer = new LeastOutstandingBalancer(seeded());
    const counts = new Map<Replica, number>([
      [a, 0],
      [b, 0],
      [c, 0],
    ]);
    for (let i = 0; i < 6000; i++) {
      const r = balancer.pick([a, b, c]);
      counts.set(r, counts.get(r)! + 1);
    }
    // Idle replicas: the draw decides, and the heavier one wins most draws.
    expect(counts.get(a)! / 6000).toBeGreaterThan(0.6);
    a.inFlight = 8; // 2 per unit of weight
    b.inFlight = 3;
    expect(balancer.pick([a, b])).toBe(a);
  });

  it('round-robin only rotates over the candidates it is given', () => {
    const [a, b, c] = replicas([1, 1, 1]);
    const balancer = new RoundRobinBalancer();
    const picks = Array.from({ length: 4 }, () => balancer.pick([a, c]).index);
    expect(picks).toEqual([0, 2, 0, 2]);
    expect(b.rrCurrent).toBe(0);
  });

  it.each([
    [{ running: 4, waiting: 0, kvUsage: 0 }, 0, 4],
    [{ running: 4, waiting: 3, kvUsage: 0 }, 0, 10],
    [{ running: 4, waiting: 0, kvUsage: 1 }, 0, 8],
    // Two sent since the scrape count as well; finished ones no longer do.
    [{ running: 4, waiting: 0, kvUsage: 0 }, 2, 6],
    [{ running: 1, waiting: 0, kvUsage: 0 }, -3, 0],
  ])('load score of %j with %d more in flight since the scrape: %d', (load, delta, score) => {
    const [r] = replicas([1]);
    r.inFlight = 3 + delta;
    r.load = { ...load, at: 0, localInFlight: 3 };
    expect(loadScore(r)).toBe(score);
  });

  it('load-aware picks the lowest score; any stale sample hands the pick to the fallback', () => {
    const [a, b] = replicas([1, 1]);
    a.load = { running: 10, waiting: 5, kvUsage: 0.9, at: 1000, localInFlight: 0 };
    b.load = { running: 2, waiting: 0, kvUsage: 0.1, at: 1000, localInFlight: 0 };
    const fallback = { pick: jest.fn(() => a) };
    const balancer = new LoadAwareBalancer(
      { metricsPath: '/metrics', scrapeIntervalMs: 100, staleAfterMs: 300 },
      fallback,
    );
    expect(balancer.pick([a, b], 1200)).toBe(b);
    expect(balancer.pick([a, b], 1301)).toBe(a);
    expect(fallback.pick).toHaveBeenCalledTimes(1);
  });
});

describe('prefix affinity', () => {
  const conversation = (system: string, user: string, later = 'x') => ({
    model: 'm',
    messages: [
      { role: 'system' as const, content: system },
      { role: 'user' as const, content: user },
      { role: 'assistant' as const, content: later },
      { role: 'user' as const, content: later },
    ],
  });

  it('keys on the system prompt and the first user turn only', () => {
    expect(prefixKeyOf(conversation('s', 'u', 'a'))).toBe(prefixKeyOf(conversation('s', 'u', 'b')));
    expect(prefixKeyOf(conversation('s', 'u'))).not.toBe(prefixKeyOf(conversation('s', 'v')));
    expect(prefixKeyOf(conversation('ab', 'c'))).not.toBe(prefixKeyOf(conversation('a', 'bc')));
    expect(
      prefixKeyOf({ model: 'm', messages: [{ role: 'system', content: 's' }] }),
    ).toBeUndefined();
  });

  it('spreads keys over the ring and moves few of them when a replica leaves', () => {
    const all = replicas([1, 1, 1, 1]);
    const ring = new PrefixAffinityRing(all, 100);
    for (const r of all) r.candidateEpoch = 1;
    const owner = (key: number, epoch: number) => ring.pick(key, all, epoch)!.index;
    const keys = Array.from({ length: 400 }, (_, i) => fnv1a(`conversation-${i}`));
    const before = keys.map((k) => owner(k, 1));
    for (let i = 0; i < 4; i++) {
      expect(before.filter((o) => o === i).length).toBeGreaterThan(50);
    }
    all[3].candidateEpoch = 0; // replica 3 is not a candidate any more
    const after = keys.map((k) => owner(k, 1));
    const moved = keys.filter((_, i) => before[i] !== after[i]).length;
    expect(moved).toBe(before.filter((o) => o === 3).length);
  });

  it('skips a replica above the load bound', () => {
    const all = replicas([1, 1]);
    for (const r of all) r.candidateEpoch = 7;
    const ring = new PrefixAffinityRing(all, 1.25);
    const key = fnv1a('k');
    const home = ring.pick(key, all, 7)!;
    home.inFlight = 4;
    expect(ring.pick(key, all, 7)).not.toBe(home);
  });
});

describe('effective balancing, as /health reports it', () => {
  const NOW = 10_000;
  const sample = (at: number) => ({ running: 1, waiting: 0, kvUsage: 0, at, localInFlight: 0 });
  type Setup = (a: Replica, b: Replica) => void;
  const cases: {
    name: string;
    configured: 'load-aware' | 'least-outstanding' | 'round-robin';
    setup: Setup;
    expected: Record<string, unknown>;
  }[] = [
    {
      name: 'another policy is what it says',
      configured: 'round-robin',
      setup: () => undefined,
      expected: { configured: 'round-robin', effective: 'round-robin' },
    },
    {
      name: 'load-aware with fresh llama.cpp figures from every replica',
      configured: 'load-aware',
      setup: (a, b) => {
        a.load = sample(NOW - 500);
        b.load = sample(NOW - 100);
        a.loadMetricsServer = 'llamacpp';
      },
      expected: { configured: 'load-aware', effective: 'load-aware', metrics: 'llamacpp' },
    },
    {
      name: 'a replica whose /metrics has none of the gauges says why',
      configured: 'load-aware',
      setup: (a, b) => {
        a.loadMetricsProblem = 'answers GET /metrics with HTTP 501';
        b.load = sample(NOW);
      },
      expected: {
        configured: 'load-aware',
        effective: 'least-outstanding',
        reason: 'answers GET /metrics with HTTP 501',
      },
    },
    {
      name: 'before the first scrape',
      configured: 'load-aware',
      setup: () => undefined,
      expected: { effective: 'least-outstanding', reason: 'no load metrics scraped yet' },
    },
    {
      name: 'a stale sample',
      configured: 'load-aware',
      setup: (a, b) => {
        a.load = sample(NOW - 5_000);
        b.load = sample(NOW);
      },
      expected: {
        effective: 'least-outstanding',
        reason: 'load metrics stale (last scraped 5000 ms ago)',
      },
    },
    {
      name: 'fresh itself, but a peer has none: the whole pick falls back',
      configured: 'load-aware',
      setup: (a) => {
        a.load = sample(NOW);
        a.loadMetricsServer = 'sglang';
      },
      expected: {
        effective: 'least-outstanding',
        reason: 'no fresh load metrics from http://r1/v1',
        metrics: 'sglang',
      },
    },
  ];

  it.each(cases)('$name', ({ configured, setup, expected }) => {
    const [a, b] = replicas([1, 1]);
    setup(a, b);
    expect(effectiveBalancing(configured, a, [a, b], 3_000, NOW)).toMatchObject(expected);
  });
});
