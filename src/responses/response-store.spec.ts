import Redis from 'ioredis';
import {
  conversationOf,
  MemoryResponseStore,
  RedisResponseStore,
  type ResponseStore,
  type StoredResponse,
} from './response-store';
import { toResponse } from './responses-output.translator';

function stored(id: string): StoredResponse {
  const response = toResponse(
    {
      id: 'c',
      object: 'chat.completion',
      created: 1,
      model: 'sim',
      choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
    },
    { id, createdAt: 1, request: { input: 'hello' } },
  );
  return {
    response,
    input: [{ type: 'message', id: 'msg_1', role: 'user', content: 'hello' }],
    history: [{ role: 'user', content: 'before' }],
  };
}

describe('MemoryResponseStore', () => {
  it('keeps entries per owner: another owner neither reads nor deletes them', async () => {
    const store = new MemoryResponseStore(60_000, 10);
    await store.put('team-a', stored('resp_1'));
    expect((await store.get('team-a', 'resp_1'))?.response.id).toBe('resp_1');
    expect(await store.get('team-b', 'resp_1')).toBeUndefined();
    expect(await store.delete('team-b', 'resp_1')).toBe(false);
    expect(await store.delete('team-a', 'resp_1')).toBe(true);
    expect(await store.get('team-a', 'resp_1')).toBeUndefined();
    expect(await store.delete('team-a', 'resp_1')).toBe(false);
  });

  it('forgets an entry after its TTL', async () => {
    let now = 1000;
    const store = new MemoryResponseStore(500, 10, () => now);
    await store.put('k', stored('resp_1'));
    now = 1499;
    expect(await store.get('k', 'resp_1')).toBeDefined();
    now = 1500;
    expect(await store.get('k', 'resp_1')).toBeUndefined();
  });

  it('holds at most maxEntries, dropping the oldest', async () => {
    const store = new MemoryResponseStore(60_000, 2);
    for (const id of ['resp_1', 'resp_2', 'resp_3']) await store.put('k', stored(id));
    expect(await store.get('k', 'resp_1')).toBeUndefined();
    expect(await store.get('k', 'resp_2')).toBeDefined();
    expect(await store.get('k', 'resp_3')).toBeDefined();
  });

  it('stores a copy: later changes to the objects do not change it', async () => {
    const store = new MemoryResponseStore(60_000, 2);
    const entry = stored('resp_1');
    await store.put('k', entry);
    entry.response.output.length = 0;
    expect((await store.get('k', 'resp_1'))!.response.output).toHaveLength(1);
  });

  it('an owner name cannot reach into another owner’s entries', async () => {
    const store = new MemoryResponseStore(60_000, 10);
    await store.put('a', stored('b:resp_1'));
    expect(await store.get('a:b', 'resp_1')).toBeUndefined();
  });
});

describe('conversationOf', () => {
  it('is the history, then the input, then the output', () => {
    const entry = stored('resp_1');
    expect(conversationOf(entry)).toEqual([
      { role: 'user', content: 'before' },
      { type: 'message', id: 'msg_1', role: 'user', content: 'hello' },
      entry.response.output[0],
    ]);
  });
});

// The Redis case needs a server: CI sets REDIS_URL (redis://127.0.0.1:6379). Without it, it is
// reported as skipped.
const REDIS_URL = process.env.REDIS_URL;

(REDIS_URL ? describe : describe.skip)('RedisResponseStore (needs REDIS_URL)', () => {
  const prefix = `tiergate-test:responses-spec:${process.pid}:${Date.now()}:`;
  let store: RedisResponseStore;
  let admin: Redis;

  beforeAll(() => {
    admin = new Redis(REDIS_URL as string);
    store = RedisResponseStore.connect(REDIS_URL as string, 60_000, prefix);
  });
  afterAll(async () => {
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    admin.disconnect();
    await store.onApplicationShutdown();
  });

  it('puts, gets and deletes per owner, with a TTL on the key', async () => {
    const s: ResponseStore = store;
    await s.put('team-a', stored('resp_r1'));
    expect((await s.get('team-a', 'resp_r1'))?.input).toHaveLength(1);
    expect(await s.get('team-b', 'resp_r1')).toBeUndefined();
    const ttl = await admin.pttl(`${prefix}team-a:resp_r1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await s.delete('team-b', 'resp_r1')).toBe(false);
    expect(await s.delete('team-a', 'resp_r1')).toBe(true);
    expect(await s.get('team-a', 'resp_r1')).toBeUndefined();
  });
});
