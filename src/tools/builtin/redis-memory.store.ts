import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { newNote, type MemoryNote, type MemoryStore } from './memory.store';

/**
 * Notes in Redis, shared by every replica: one list per scope at `<prefix><scope>` (the prefix
 * is `tools.memory.key_prefix`, the scope the calling key's id), newest first, trimmed to the
 * limit on every write (LPUSH + LTRIM in one transaction).
 */
export class RedisMemoryStore implements MemoryStore, OnApplicationShutdown {
  private readonly logger = new Logger('Tools');
  private lastError: string | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly maxNotes: number,
    private readonly prefix: string,
  ) {
    // Without a listener an unreachable Redis would crash the process; say so once per cause.
    redis.on('error', (error: Error) => {
      if (error.message === this.lastError) return;
      this.lastError = error.message;
      this.logger.warn(`Redis (memory tool): ${error.message}`);
    });
    redis.on('ready', () => (this.lastError = undefined));
  }

  /** A store on its own connection to `url` (connected on first use). */
  static connect(url: string, maxNotes: number, prefix: string): RedisMemoryStore {
    return new RedisMemoryStore(
      new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 }),
      maxNotes,
      prefix,
    );
  }

  async add(scope: string, note: string): Promise<MemoryNote> {
    const entry = newNote(note);
    const key = this.prefix + scope;
    await this.redis
      .multi()
      .lpush(key, JSON.stringify(entry))
      .ltrim(key, 0, this.maxNotes - 1)
      .exec();
    return entry;
  }

  async list(scope: string): Promise<MemoryNote[]> {
    const items = await this.redis.lrange(this.prefix + scope, 0, -1);
    return items.flatMap((item) => {
      const note = parseNote(item);
      return note ? [note] : [];
    });
  }

  async remove(scope: string, id: string): Promise<boolean> {
    const key = this.prefix + scope;
    const items = await this.redis.lrange(key, 0, -1);
    const item = items.find((text) => parseNote(text)?.id === id);
    if (item === undefined) return false;
    return (await this.redis.lrem(key, 1, item)) > 0;
  }

  // Not onModuleDestroy: Nest runs that before the shutdown drain, while requests still use us.
  async onApplicationShutdown(): Promise<void> {
    if (this.redis.status === 'wait' || this.redis.status === 'end') {
      this.redis.disconnect();
      return;
    }
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

function parseNote(text: string): MemoryNote | undefined {
  try {
    const value = JSON.parse(text) as Partial<MemoryNote>;
    return typeof value.id === 'string' && typeof value.note === 'string'
      ? (value as MemoryNote)
      : undefined;
  } catch {
    return undefined;
  }
}
