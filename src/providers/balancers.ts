import type { BalancingPolicy, LoadAwareConfig } from '../config';
import type { Replica } from './replica';

/**
 * Picks one of the candidates (non-empty; already healthy, below their concurrency limit and
 * preferred for this attempt). Synchronous and O(candidates), without allocating.
 */
export interface Balancer {
  pick(candidates: readonly Replica[], now: number): Replica;
}

/**
 * Power of two random choices, weighted: two distinct replicas drawn with probability
 * proportional to their weight, and the one with fewer requests in flight per unit of weight
 * (Mitzenmacher 2001; Envoy's LEAST_REQUEST). Close to the best choice, without the herd that
 * "always the least loaded" causes when counts are equal.
 */
export class LeastOutstandingBalancer implements Balancer {
  constructor(private readonly random: () => number = Math.random) {}

  pick(candidates: readonly Replica[]): Replica {
    if (candidates.length === 1) return candidates[0];
    let total = 0;
    for (const replica of candidates) total += replica.weight;
    const first = this.draw(candidates, total, undefined);
    const second = this.draw(candidates, total - first.weight, first);
    const a = first.inFlight / first.weight;
    const b = second.inFlight / second.weight;
    return b < a ? second : first;
  }

  private draw(candidates: readonly Replica[], total: number, skip: Replica | undefined): Replica {
    let target = this.random() * total;
    let last = candidates[0] === skip ? candidates[1] : candidates[0];
    for (const replica of candidates) {
      if (replica === skip) continue;
      last = replica;
      target -= replica.weight;
      if (target < 0) return replica;
    }
    return last;
  }
}

/**
 * Smooth weighted round-robin (nginx): every pick adds each candidate's weight to its running
 * weight, takes the largest and subtracts the total from it. Even spread, no bursts; replicas
 * that are not candidates sit the round out.
 */
export class RoundRobinBalancer implements Balancer {
  pick(candidates: readonly Replica[]): Replica {
    if (candidates.length === 1) return candidates[0];
    let total = 0;
    let best = candidates[0];
    for (const replica of candidates) {
      replica.rrCurrent += replica.weight;
      total += replica.weight;
      if (replica.rrCurrent > best.rrCurrent) best = replica;
    }
    best.rrCurrent -= total;
    return best;
  }
}

/**
 * Scores each replica on what it reports about itself: requests running plus twice those
 * waiting in its own queue (a waiting request has not even started its prefill), corrected by
 * what this gateway sent or finished there since the scrape, and scaled up by KV-cache use
 * (a full cache means preemption and recomputation). Lowest score per unit of weight wins.
 * When any candidate's metrics are missing or stale, it falls back to least-outstanding for
 * the whole pick: scores are only comparable when every replica has one.
 */
export class LoadAwareBalancer implements Balancer {
  private rotation = 0;

  constructor(
    private readonly config: LoadAwareConfig,
    private readonly fallback: Balancer,
  ) {}

  pick(candidates: readonly Replica[], now: number): Replica {
    if (candidates.length === 1) return candidates[0];
    for (const replica of candidates) {
      const load = replica.load;
      if (load === undefined || now - load.at > this.config.staleAfterMs) {
        return this.fallback.pick(candidates, now);
      }
    }
    // Rotating the starting point spreads ties instead of sending them all to the first.
    const start = this.rotation++ % candidates.length;
    let best = candidates[start];
    let bestScore = loadScore(best);
    for (let i = 1; i < candidates.length; i++) {
      const replica = candidates[(start + i) % candidates.length];
      const score = loadScore(replica);
      if (score < bestScore || (score === bestScore && replica.inFlight < best.inFlight)) {
        best = replica;
        bestScore = score;
      }
    }
    return best;
  }
}

/** See {@link LoadAwareBalancer}; exported for its spec. */
export function loadScore(replica: Replica): number {
  const load = replica.load;
  if (load === undefined) return Number.POSITIVE_INFINITY;
  const queued = Math.max(
    0,
    load.running + 2 * load.waiting + (replica.inFlight - load.localInFlight),
  );
  return (queued * (1 + load.kvUsage)) / replica.weight;
}

/** How a replica is really balanced, for `/health`: `load-aware` needs figures from every one. */
export interface EffectiveBalancing {
  configured: BalancingPolicy;
  effective: BalancingPolicy;
  /** Why effective differs from configured. */
  reason?: string;
  /** Whose load gauges are read (`load-aware` only). */
  metrics?: string;
}

/**
 * What {@link LoadAwareBalancer} does with `replica` now: it scores replicas only when every
 * candidate has a fresh sample, and otherwise picks as least-outstanding. `peers` are the
 * pool's replicas that may be candidates (serving ones).
 */
export function effectiveBalancing(
  configured: BalancingPolicy,
  replica: Replica,
  peers: readonly Replica[],
  staleAfterMs: number,
  now: number,
): EffectiveBalancing {
  if (configured !== 'load-aware') return { configured, effective: configured };
  const fallback = (reason: string): EffectiveBalancing => ({
    configured,
    effective: 'least-outstanding',
    reason,
  });
  const fresh = (r: Replica) => r.load !== undefined && now - r.load.at <= staleAfterMs;
  if (!fresh(replica)) {
    if (replica.loadMetricsProblem !== undefined) return fallback(replica.loadMetricsProblem);
    return fallback(
      replica.load === undefined
        ? 'no load metrics scraped yet'
        : `load metrics stale (last scraped ${now - replica.load.at} ms ago)`,
    );
  }
  const metrics = replica.loadMetricsServer;
  const lacking = peers.filter((peer) => peer !== replica && !fresh(peer));
  if (lacking.length > 0) {
    return {
      ...fallback(`no fresh load metrics from ${lacking.map((peer) => peer.label).join(', ')}`),
      ...(metrics === undefined ? {} : { metrics }),
    };
  }
  return { configured, effective: 'load-aware', ...(metrics === undefined ? {} : { metrics }) };
}

export function createBalancer(
  policy: BalancingPolicy,
  loadAware: LoadAwareConfig,
  random: () => number = Math.random,
): Balancer {
  switch (policy) {
    case 'round-robin':
      return new RoundRobinBalancer();
    case 'load-aware':
      return new LoadAwareBalancer(loadAware, new LeastOutstandingBalancer(random));
    case 'least-outstanding':
      return new LeastOutstandingBalancer(random);
  }
}
