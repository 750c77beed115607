import Redis from 'ioredis';
import OpenAI, { APIError } from 'openai';
import { ensureBuilt, startBuiltGateway, type GatewayProcess } from '../support/built-gateway';
import { startSimulator, type RunningSimulator } from '../simulator';

// Needs a Redis server: CI sets REDIS_URL (redis://127.0.0.1:6379). Without it the suite is
// reported as skipped.
const REDIS_URL = process.env.REDIS_URL;

const SECRETS = { a: 'tg-secret-resp-redis-a-19f2', b: 'tg-secret-resp-redis-b-6c3d' };

function startGateway(sim: RunningSimulator, prefix: string): Promise<GatewayProcess> {
  return startBuiltGateway(
    {
      auth: {
        keys: [
          { name: 'resp-a', key: SECRETS.a },
          { name: 'resp-b', key: SECRETS.b },
        ],
      },
      pools: { instant: { upstreams: [{ url: sim.url }] } },
      tiers: { instant: { pool: 'instant', model: sim.model } },
      responses: { store: { key_prefix: prefix, ttl_seconds: 600 } },
    },
    { REDIS_URL: REDIS_URL as string },
    // Generous: two processes start at once on a shared, loaded machine.
    90_000,
  );
}

const clientOf = (gateway: GatewayProcess, key: string): OpenAI =>
  new OpenAI({ apiKey: key, baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 20_000 });

(REDIS_URL ? describe : describe.skip)(
  'stored responses shared by two gateway processes through Redis (needs REDIS_URL)',
  () => {
    let sim: RunningSimulator;
    let one: GatewayProcess;
    let two: GatewayProcess;
    const prefix = `tiergate-e2e:responses:${process.pid}:${Date.now()}:`;

    beforeAll(async () => {
      ensureBuilt();
      sim = await startSimulator({ model: 'sim-instant' });
      [one, two] = await Promise.all([startGateway(sim, prefix), startGateway(sim, prefix)]);
    }, 180_000);

    afterAll(async () => {
      for (const gateway of [one, two]) gateway?.child.kill('SIGKILL');
      await sim?.close();
    });

    it('a response stored by one process is read, continued and deleted through the other', async () => {
      const created = await clientOf(one, SECRETS.a).responses.create({
        model: 'instant',
        input: 'remember this',
      });
      const admin = new Redis(REDIS_URL as string);
      const keys = await admin.keys(`${prefix}*`);
      const ttl = await admin.pttl(`${prefix}resp-a:${created.id}`);
      admin.disconnect();
      expect(keys).toEqual([`${prefix}resp-a:${created.id}`]);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(600_000);
      const onTwo = clientOf(two, SECRETS.a);
      expect((await onTwo.responses.retrieve(created.id)).output_text).toBe(created.output_text);
      const next = await onTwo.responses.create({
        model: 'instant',
        input: 'and this',
        previous_response_id: created.id,
      });
      const sent = sim.requests().at(-1)!.body as { messages: { role: string }[] };
      expect(sent.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);

      // Another key sees nothing, on either process.
      const error = await clientOf(one, SECRETS.b)
        .responses.retrieve(next.id)
        .catch((e: unknown) => e);
      expect((error as APIError).status).toBe(404);

      for (const id of [created.id, next.id]) await onTwo.responses.delete(id);
      const gone = await clientOf(one, SECRETS.a)
        .responses.retrieve(created.id)
        .catch((e: unknown) => e);
      expect((gone as APIError).status).toBe(404);
    });
  },
);
