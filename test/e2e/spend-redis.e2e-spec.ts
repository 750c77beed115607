import Redis from 'ioredis';
import { ensureBuilt, startBuiltGateway, type GatewayProcess } from '../support/built-gateway';
import { startSimulator, type RunningSimulator } from '../simulator';
import { chat, expectErrorEnvelope, postJson } from './harness';

// Needs a Redis server: CI sets REDIS_URL (redis://127.0.0.1:6379). Without it the suite is
// reported as skipped.
const REDIS_URL = process.env.REDIS_URL;

const SECRET = 'tg-secret-spend-shared-5b1e';
const headers = { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' };

/** `node dist/main.js`, as the container runs it, sharing spend through Redis with its sibling. */
function startGateway(sim: RunningSimulator, prefix: string): Promise<GatewayProcess> {
  return startBuiltGateway(
    {
      auth: { keys: [{ name: 'shared', key: SECRET }] },
      pools: { instant: { upstreams: [{ url: sim.url }] } },
      tiers: { instant: { pool: 'instant', model: sim.model } },
      // Output only: a request with max_tokens 10 costs exactly 0.01 (the simulator writes 10).
      pricing: { tiers: { instant: { input: 0, output: 1000 } } },
      budgets: {
        keys: { shared: { amount: 0.05, period: 'day', mode: 'hard' } },
        key_prefix: `${prefix}spend:`,
      },
      limits: { redis: { key_prefix: `${prefix}limits:`, on_error: 'closed' } },
    },
    { REDIS_URL: REDIS_URL as string },
    20_000,
  );
}

const ask = (gateway: GatewayProcess) =>
  postJson(`${gateway.url}/v1/chat/completions`, chat('budget', { max_tokens: 10 }), headers);

(REDIS_URL ? describe : describe.skip)(
  'budgets shared by two gateway processes through Redis (needs REDIS_URL; skipped without it)',
  () => {
    const prefix = `tiergate-e2e-spend:${process.pid}:${Date.now()}:`;
    let sim: RunningSimulator;
    let a: GatewayProcess;
    let b: GatewayProcess;

    beforeAll(async () => {
      // `npm test` must pass on a fresh clone, and after a change to src/ without a rebuild.
      ensureBuilt();
      sim = await startSimulator({ model: 'sim-instant', behavior: { tokens: 64 } });
      [a, b] = await Promise.all([startGateway(sim, prefix), startGateway(sim, prefix)]);
    }, 180_000);

    afterAll(async () => {
      for (const gateway of [a, b]) gateway?.child.kill('SIGKILL');
      const admin = new Redis(REDIS_URL as string);
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length > 0) await admin.del(...keys);
      await admin.quit();
      await sim?.close();
    });

    it('N requests of cost C against a budget B get exactly floor(B / C) answers across both', async () => {
      const results = await Promise.all(
        Array.from({ length: 14 }, (_, i) => ask(i % 2 === 0 ? a : b)),
      );
      const statuses = results.map((r) => r.status);
      // floor(0.05 / 0.01) = 5
      expect(statuses.filter((s) => s === 200)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(9);
      for (const refused of results.filter((r) => r.status === 429)) {
        expectErrorEnvelope(refused.body, 'insufficient_quota', 'insufficient_quota');
      }
      for (const answered of results.filter((r) => r.status === 200)) {
        expect(answered.headers.get('x-gateway-cost')).toBe('0.01 USD');
      }
      // Only the admitted ones reached the upstream.
      expect(sim.requests().filter((r) => r.path.includes('chat'))).toHaveLength(5);
      for (const gateway of [a, b]) {
        const usage = await (await fetch(`${gateway.url}/v1/usage`, { headers })).json();
        expect((usage as { spend: unknown }).spend).toMatchObject({
          spent: 0.05,
          budget: 0.05,
          remaining: 0,
          mode: 'hard',
        });
      }
    });

    it('the spend survives a restart of the gateway', async () => {
      a.child.kill('SIGKILL');
      await a.exited;
      a = await startGateway(sim, prefix);
      const usage = (await (await fetch(`${a.url}/v1/usage`, { headers })).json()) as {
        spend: { spent: number };
      };
      expect(usage.spend.spent).toBe(0.05);
      expect((await ask(a)).status).toBe(429);
    }, 60_000);
  },
);
