import Redis from 'ioredis';
import { chat, postJson, startStack, withSim, type Stack } from './harness';

// Needs a Redis server: CI sets REDIS_URL (redis://127.0.0.1:6379). Without it the suite is
// reported as skipped.
const REDIS_URL = process.env.REDIS_URL;

const memory = (args: Record<string, unknown>) =>
  withSim(
    chat('memory', {
      model: 'instant',
      tools: [{ type: 'function', function: { name: 'memory' } }],
    }),
    {
      tool_calls: [{ name: 'memory', arguments: JSON.stringify(args) }],
    },
  );

(REDIS_URL ? describe : describe.skip)(
  'the memory tool on Redis (needs REDIS_URL; skipped without it)',
  () => {
    // Two gateways on one Redis: two replicas behind a load balancer.
    let first: Stack;
    let second: Stack;
    const keyName = 'env-1';
    const note = `release train ${process.pid}-${Date.now()}`;

    beforeAll(async () => {
      const env = { REDIS_URL: REDIS_URL as string };
      [first, second] = await Promise.all([startStack({ env }), startStack({ env })]);
    });
    afterAll(async () => {
      const admin = new Redis(REDIS_URL as string);
      const key = `tiergate:memory:${keyName}`;
      for (const item of await admin.lrange(key, 0, -1)) {
        if (item.includes(note)) await admin.lrem(key, 0, item);
      }
      await admin.quit();
      await Promise.all([first.close(), second.close()]);
    });

    it('a note remembered through one replica is recalled through another', async () => {
      const saved = await postJson(
        `${first.url}/v1/chat/completions`,
        memory({ action: 'remember', note }),
      );
      expect(saved.status).toBe(200);
      const recalled = await postJson(
        `${second.url}/v1/chat/completions`,
        memory({ action: 'recall', query: note }),
      );
      expect(recalled.body.choices[0].message.content).toContain(note);
    });
  },
);
