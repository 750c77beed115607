import type { PoolConfig } from '../config';
import { UpstreamPool } from './upstream-pool';

function pool(weights: number[]): UpstreamPool {
  const config: PoolConfig = {
    name: 'p',
    maxConnections: 4,
    connectTimeoutMs: 1000,
    upstreams: weights.map((weight, i) => ({
      url: `http://127.0.0.1:${9100 + i}/v1`,
      weight,
      tls: { rejectUnauthorized: true },
    })),
  };
  return new UpstreamPool(config);
}

describe('UpstreamPool (smooth weighted round-robin)', () => {
  afterEach(() => jest.restoreAllMocks());

  it.each([
    [[1, 1], 100, [50, 50]],
    [[3, 1], 100, [75, 25]],
    [[5, 1, 1], 70, [50, 10, 10]],
    [[1], 10, [10]],
  ])('weights %j over %d picks → %j', async (weights, picks, expected) => {
    const p = pool(weights);
    const counts = weights.map(() => 0);
    for (let i = 0; i < picks; i++) counts[p.replicas.indexOf(p.pick())]++;
    expect(counts).toEqual(expected);
    await p.close();
  });

  it('spreads picks evenly instead of in bursts', async () => {
    const p = pool([2, 1]);
    const sequence = Array.from({ length: 6 }, () => p.replicas.indexOf(p.pick()));
    expect(sequence).toEqual([0, 1, 0, 0, 1, 0]);
    await p.close();
  });
});
