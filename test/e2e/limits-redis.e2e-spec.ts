import Redis from 'ioredis';
import { ensureBuilt, startBuiltGateway, type GatewayProcess } from '../support/built-gateway';
import { startSimulator, type RunningSimulator } from '../simulator';
import { chat, postJson, readSse, withSim } from './harness';

// Needs a Redis server: CI sets REDIS_URL (redis://127.0.0.1:6379). Without it the suite is
// reported as skipped.
const REDIS_URL = process.env.REDIS_URL;

const SECRETS = {
  rpm: 'tg-secret-shared-rpm-41d2',
  cc: 'tg-secret-shared-cc-7a0e',
  tpm: 'tg-secret-shared-tpm-c35b',
};

/** `node dist/main.js`, as the container runs it, sharing Redis with its sibling. */
function startGateway(sim: RunningSimulator, prefix: string): Promise<GatewayProcess> {
  // Fail-closed: ready means Redis is reachable too.
  return startBuiltGateway(
    {
      auth: {
        keys: [
          { name: 'shared-rpm', key: SECRETS.rpm, limits: { rpm: 10 } },
          { name: 'shared-cc', key: SECRETS.cc, limits: { concurrency: 2 } },
          { name: 'shared-tpm', key: SECRETS.tpm, limits: { tpm: 5000 } },
        ],
      },
      pools: { instant: { upstreams: [{ url: sim.url }] } },
      tiers: { instant: { pool: 'instant', model: sim.model } },
      limits: { redis: { key_prefix: prefix, on_error: 'closed' } },
    },
    { REDIS_URL: REDIS_URL as string },
    20_000,
  );
}

const headersOf = (key: string): Record<string, string> => ({
  authorization: `Bearer ${key}`,
  'content-type': 'application/json',
});

(REDIS_URL ? describe : describe.skip)(
  'limits shared by two gateway processes through Redis (needs REDIS_URL; skipped without it)',
  () => {
    const prefix = `tiergate-e2e:${process.pid}:${Date.now()}:`;
    let sim: RunningSimulator;
    let a: GatewayProcess;
    let b: GatewayProcess;

    beforeAll(async () => {
      // `npm test` must pass on a fresh clone, and after a change to src/ without a rebuild.
      ensureBuilt();
      sim = await startSimulator({ model: 'sim-instant' });
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

    it('admits exactly the limit in total, however the requests are spread over both', async () => {
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          postJson(
            `${(i % 2 === 0 ? a : b).url}/v1/chat/completions`,
            chat('hi'),
            headersOf(SECRETS.rpm),
          ),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(20);
      // Both processes admitted some: the limit is one, not one each.
      const admittedBy = (gw: GatewayProcess) =>
        results.filter((r, i) => r.status === 200 && (i % 2 === 0 ? a : b) === gw).length;
      expect(admittedBy(a) + admittedBy(b)).toBe(10);
      for (const gateway of [a, b]) {
        const usage = (await (
          await fetch(`${gateway.url}/v1/usage`, { headers: headersOf(SECRETS.rpm) })
        ).json()) as any;
        expect(usage).toMatchObject({
          key: 'shared-rpm',
          shared: true,
          requests: { limit: 10, used: 10, remaining: 0 },
        });
      }
    });

    it('holds one concurrency limit across both, freed as streams end', async () => {
      const slow = (gateway: GatewayProcess) =>
        fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: headersOf(SECRETS.cc),
          body: JSON.stringify(
            withSim(chat('slow', { stream: true }), { tokens: 10, token_interval_ms: 80 }),
          ),
        });
      const [first, second] = await Promise.all([slow(a), slow(b)]);
      expect([first.status, second.status]).toEqual([200, 200]);
      for (const gateway of [a, b]) {
        const refused = await postJson(
          `${gateway.url}/v1/chat/completions`,
          chat('hi'),
          headersOf(SECRETS.cc),
        );
        expect(refused.status).toBe(429);
      }
      await Promise.all([readSse(first), readSse(second)]);
      const until = Date.now() + 3000;
      let status = 0;
      while (status !== 200 && Date.now() < until) {
        status = (await postJson(`${b.url}/v1/chat/completions`, chat('hi'), headersOf(SECRETS.cc)))
          .status;
      }
      expect(status).toBe(200);
    });

    it('charges tokens used through one process in the window the other one sees', async () => {
      const answer = await postJson(
        `${a.url}/v1/chat/completions`,
        chat('count my tokens'),
        headersOf(SECRETS.tpm),
      );
      expect(answer.status).toBe(200);
      const total = answer.body.usage.total_tokens as number;
      const until = Date.now() + 3000;
      let used = -1;
      while (used !== total && Date.now() < until) {
        const usage = (await (
          await fetch(`${b.url}/v1/usage`, { headers: headersOf(SECRETS.tpm) })
        ).json()) as any;
        used = usage.tokens.used;
      }
      expect(used).toBe(total);
      for (const gateway of [a, b]) expect(gateway.output()).not.toContain('tg-secret');
    });
  },
);
