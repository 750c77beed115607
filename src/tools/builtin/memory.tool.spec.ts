import Redis from 'ioredis';
import type { ToolContext } from '../gateway-tool.interface';
import type { ToolsSlice } from '../tools.config';
import { BuiltinToolMessages as M } from './builtin-tools.messages';
import { InMemoryMemoryStore, type MemoryStore } from './memory.store';
import { ANONYMOUS_SCOPE, MemoryTool } from './memory.tool';
import { RedisMemoryStore } from './redis-memory.store';

// The Redis half needs a server; CI sets REDIS_URL (e.g. redis://127.0.0.1:6379).
const REDIS_URL = process.env.REDIS_URL;

function memoryTool(store: MemoryStore, enabled = true): MemoryTool {
  const config = {
    tools: { builtin: { memory: { enabled } } },
    keys: [],
  } as unknown as ToolsSlice;
  return new MemoryTool(store, config);
}

const as = (keyName?: string): ToolContext => ({
  signal: new AbortController().signal,
  requestId: 'test',
  ...(keyName === undefined ? {} : { keyName }),
});

/** The behaviour every store must have, run against each of them. */
function behavesAsMemory(name: string, makeStore: (maxNotes: number) => MemoryStore): void {
  describe(`the memory tool on ${name}`, () => {
    // Unique per run, so a shared Redis holds no notes of an earlier run.
    const run = `${process.pid}-${Date.now()}`;
    const alice = `alice-${run}`;
    const bob = `bob-${run}`;

    it('remembers, recalls newest first, and forgets', async () => {
      const tool = memoryTool(makeStore(10));
      const first = (await tool.execute(
        { action: 'remember', note: 'Prefers metric units' },
        as(alice),
      )) as {
        remembered: { id: string; note: string };
      };
      await tool.execute({ action: 'remember', note: 'Works on Project Falcon' }, as(alice));
      expect(first.remembered.note).toBe('Prefers metric units');
      const recalled = (await tool.execute({ action: 'recall' }, as(alice))) as {
        notes: { id: string; note: string }[];
        total: number;
      };
      expect(recalled.notes.map((n) => n.note)).toEqual([
        'Works on Project Falcon',
        'Prefers metric units',
      ]);
      expect(recalled.total).toBe(2);
      await expect(
        tool.execute({ action: 'forget', id: first.remembered.id }, as(alice)),
      ).resolves.toEqual({ forgotten: first.remembered.id });
      const after = (await tool.execute({ action: 'recall' }, as(alice))) as { notes: unknown[] };
      expect(after.notes).toHaveLength(1);
    });

    it('filters a recall by the words of the query', async () => {
      const tool = memoryTool(makeStore(10));
      const key = `filter-${run}`;
      await tool.execute({ action: 'remember', note: 'Favourite colour: green' }, as(key));
      await tool.execute({ action: 'remember', note: 'Lives in Lyon' }, as(key));
      const found = (await tool.execute({ action: 'recall', query: 'COLOUR green' }, as(key))) as {
        notes: { note: string }[];
      };
      expect(found.notes.map((n) => n.note)).toEqual(['Favourite colour: green']);
    });

    it('keeps one API key from ever seeing another key’s notes', async () => {
      const tool = memoryTool(makeStore(10));
      const secret = (await tool.execute(
        { action: 'remember', note: 'alice secret' },
        as(alice),
      )) as {
        remembered: { id: string };
      };
      const bobs = (await tool.execute({ action: 'recall' }, as(bob))) as { notes: unknown[] };
      expect(bobs.notes).toEqual([]);
      await expect(
        tool.execute({ action: 'forget', id: secret.remembered.id }, as(bob)),
      ).rejects.toThrow(M.noteNotFound(secret.remembered.id));
      const anonymous = (await tool.execute({ action: 'recall' }, as(undefined))) as {
        notes: { note: string }[];
      };
      expect(anonymous.notes.map((n) => n.note)).not.toContain('alice secret');
    });

    it('drops the oldest notes beyond the limit', async () => {
      const tool = memoryTool(makeStore(2));
      const key = `limit-${run}`;
      for (const note of ['one', 'two', 'three']) {
        await tool.execute({ action: 'remember', note }, as(key));
      }
      const recalled = (await tool.execute({ action: 'recall' }, as(key))) as {
        notes: { note: string }[];
      };
      expect(recalled.notes.map((n) => n.note)).toEqual(['three', 'two']);
    });
  });
}

behavesAsMemory('the in-process store', (maxNotes) => new InMemoryMemoryStore(maxNotes));

describe('MemoryTool', () => {
  it('shares one anonymous scope between callers without a key (auth disabled)', async () => {
    const store = new InMemoryMemoryStore(10);
    const tool = memoryTool(store);
    await tool.execute({ action: 'remember', note: 'shared' }, as(undefined));
    expect((await store.list(ANONYMOUS_SCOPE)).map((n) => n.note)).toEqual(['shared']);
  });

  it.each([
    [{ action: 'remember' as const }, M.noteRequired()],
    [{ action: 'forget' as const }, M.idRequired()],
  ])('asks for what %j lacks', async (args, message) => {
    await expect(memoryTool(new InMemoryMemoryStore(10)).execute(args, as('k'))).rejects.toThrow(
      message,
    );
  });

  it('is switchable in configuration', () => {
    expect(memoryTool(new InMemoryMemoryStore(1), false).isEnabled()).toBe(false);
    expect(memoryTool(new InMemoryMemoryStore(1), true).isEnabled()).toBe(true);
  });
});

(REDIS_URL ? describe : describe.skip)(
  'RedisMemoryStore (needs REDIS_URL; skipped without it)',
  () => {
    const stores: RedisMemoryStore[] = [];
    const prefix = `test:memory:${process.pid}-${Date.now()}:`;
    let admin: Redis;

    beforeAll(() => {
      admin = new Redis(REDIS_URL as string);
    });
    afterAll(async () => {
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length > 0) await admin.del(...keys);
      await Promise.all(stores.map((s) => s.onApplicationShutdown()));
      await admin.quit();
    });

    behavesAsMemory('Redis', (maxNotes) => {
      const store = RedisMemoryStore.connect(REDIS_URL as string, maxNotes, prefix);
      stores.push(store);
      return store;
    });

    it('keeps each scope’s notes under <key_prefix><scope>, apart from another prefix', async () => {
      const store = RedisMemoryStore.connect(REDIS_URL as string, 5, prefix);
      const other = RedisMemoryStore.connect(REDIS_URL as string, 5, `${prefix}other:`);
      stores.push(store, other);
      const scope = `layout-${process.pid}-${Date.now()}`;
      const note = await store.add(scope, 'hello');
      const raw = await admin.lrange(`${prefix}${scope}`, 0, -1);
      expect(raw.map((item) => JSON.parse(item))).toEqual([note]);
      await expect(other.list(scope)).resolves.toEqual([]);
    });
  },
);
