import Redis from 'ioredis';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authHeaders, chat, postJson, startStack, TEST_KEY, withSim, type Stack } from './harness';

// Needs a Redis server: CI sets REDIS_URL (redis://127.0.0.1:6379). Without it the suite is
// reported as skipped.
const REDIS_URL = process.env.REDIS_URL;
const OTHER_KEY = 'tg-other-key-9876543210';

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

/** A deployment's configuration: the memory tool on, its notes under `prefix`. */
function deployment(prefix: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tiergate-memory-')), 'gateway.yaml');
  writeFileSync(
    file,
    `tools: { builtin: { memory: { enabled: true } }, memory: { key_prefix: "${prefix}" } }\n`,
  );
  return file;
}

(REDIS_URL ? describe : describe.skip)(
  'the memory tool on Redis (needs REDIS_URL; skipped without it)',
  () => {
    // Two gateways on one Redis: two replicas behind a load balancer. Then, on the same Redis,
    // the same deployment restarted with GATEWAY_API_KEYS re-ordered, and another deployment.
    let first: Stack;
    let second: Stack;
    let reordered: Stack;
    let elsewhere: Stack;
    const prefix = `tiergate-test-${process.pid}-${Date.now()}:memory:`;
    const note = `release train ${process.pid}-${Date.now()}`;
    const as = (key: string) => ({ ...authHeaders(), authorization: `Bearer ${key}` });
    const recall = async (stack: Stack, key: string): Promise<string> => {
      const res = await postJson(
        `${stack.url}/v1/chat/completions`,
        memory({ action: 'recall', query: note }),
        as(key),
      );
      expect(res.status).toBe(200);
      return res.body.choices[0].message.content as string;
    };

    beforeAll(async () => {
      const redis = { REDIS_URL: REDIS_URL as string };
      const here = { ...redis, GATEWAY_CONFIG: deployment(prefix) };
      [first, second, reordered, elsewhere] = await Promise.all([
        startStack({ env: here }),
        startStack({ env: here }),
        // The same deployment, its keys listed the other way round: OTHER_KEY is env-1 now.
        startStack({ env: { ...here, GATEWAY_API_KEYS: `${OTHER_KEY},${TEST_KEY}` } }),
        // Another deployment on the same Redis, with the same key name (env-1).
        startStack({ env: { ...redis, GATEWAY_CONFIG: deployment(`${prefix}elsewhere:`) } }),
      ]);
      const saved = await postJson(
        `${first.url}/v1/chat/completions`,
        memory({ action: 'remember', note }),
      );
      expect(saved.status).toBe(200);
      // Four gateways and eight simulators start here.
    }, 60_000);
    afterAll(async () => {
      const admin = new Redis(REDIS_URL as string);
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length > 0) await admin.del(...keys);
      await admin.quit();
      await Promise.all([first, second, reordered, elsewhere].map((s) => s?.close()));
    });

    it('a note remembered through one replica is recalled through another', async () => {
      expect(await recall(second, TEST_KEY)).toContain(note);
    });

    it('notes follow the key, not its position: re-ordering GATEWAY_API_KEYS moves nothing', async () => {
      expect(await recall(reordered, TEST_KEY)).toContain(note);
      // env-1 is another secret now: it sees nothing of the old env-1's notes.
      expect(await recall(reordered, OTHER_KEY)).toBe('Tool results: {"notes":[],"total":0}');
    });

    it('another deployment on the same Redis, with its own key_prefix, reads nothing', async () => {
      expect(await recall(elsewhere, TEST_KEY)).toBe('Tool results: {"notes":[],"total":0}');
    });

    it('keeps notes under the key_prefix and a digest of the key, never the key name', async () => {
      const admin = new Redis(REDIS_URL as string);
      try {
        const keys = await admin.keys(`${prefix}*`);
        expect(keys).toHaveLength(1);
        expect(keys[0]).toMatch(
          new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}k_[0-9a-f]{32}$`),
        );
      } finally {
        await admin.quit();
      }
    });
  },
);
