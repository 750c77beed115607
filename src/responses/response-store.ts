import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import type { InputItem, ResponseObject, StoredInputItem } from './responses.types';

/** A stored response: what `GET` answers, and what `previous_response_id` continues. */
export interface StoredResponse {
  response: ResponseObject;
  /** This request's own input items (`GET /v1/responses/{id}/input_items`). */
  input: StoredInputItem[];
  /** The conversation before this request (earlier inputs and outputs), oldest first. */
  history: InputItem[];
}

/**
 * Where stored responses live, per owner (the calling key's name): an owner never reads or
 * deletes another's. Entries expire after the TTL.
 */
export interface ResponseStore {
  readonly kind: 'memory' | 'redis';
  put(owner: string, stored: StoredResponse): Promise<void>;
  get(owner: string, id: string): Promise<StoredResponse | undefined>;
  /** Whether it existed (and is now gone). */
  delete(owner: string, id: string): Promise<boolean>;
}

/** The conversation `previous_response_id` continues: history, input, then the output. */
export function conversationOf(stored: StoredResponse): InputItem[] {
  return [...stored.history, ...stored.input, ...(stored.response.output as InputItem[])];
}

/**
 * This process's stored responses (no `REDIS_URL`): at most `maxEntries`, the oldest dropped
 * first, each gone after `ttlMs`.
 */
export class MemoryResponseStore implements ResponseStore {
  readonly kind = 'memory';
  private readonly entries = new Map<string, { stored: string; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  put(owner: string, stored: StoredResponse): Promise<void> {
    const key = entryKey(owner, stored.response.id);
    this.entries.delete(key);
    // Serialised, as in Redis: later changes to the objects do not change what was stored.
    this.entries.set(key, { stored: JSON.stringify(stored), expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return Promise.resolve();
  }

  get(owner: string, id: string): Promise<StoredResponse | undefined> {
    const key = entryKey(owner, id);
    const entry = this.entries.get(key);
    if (entry === undefined) return Promise.resolve(undefined);
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return Promise.resolve(undefined);
    }
    return Promise.resolve(JSON.parse(entry.stored) as StoredResponse);
  }

  delete(owner: string, id: string): Promise<boolean> {
    const key = entryKey(owner, id);
    const entry = this.entries.get(key);
    this.entries.delete(key);
    return Promise.resolve(entry !== undefined && entry.expiresAt > this.now());
  }
}

/** Stored responses in Redis, shared by every gateway process: `<prefix><owner>:<id>`, with a TTL. */
export class RedisResponseStore implements ResponseStore, OnApplicationShutdown {
  readonly kind = 'redis';
  private readonly logger = new Logger('Responses');
  private lastError: string | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly ttlMs: number,
    private readonly prefix: string,
  ) {
    // Without a listener an unreachable Redis would crash the process; say so once per cause.
    redis.on('error', (error: Error) => {
      if (error.message === this.lastError) return;
      this.lastError = error.message;
      this.logger.warn(`Redis (stored responses): ${error.message}`);
    });
    redis.on('ready', () => (this.lastError = undefined));
  }

  /** A store on its own connection to `url` (connected on first use). */
  static connect(url: string, ttlMs: number, prefix: string): RedisResponseStore {
    return new RedisResponseStore(
      new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 }),
      ttlMs,
      prefix,
    );
  }

  async put(owner: string, stored: StoredResponse): Promise<void> {
    await this.redis.set(
      this.prefix + entryKey(owner, stored.response.id),
      JSON.stringify(stored),
      'PX',
      this.ttlMs,
    );
  }

  async get(owner: string, id: string): Promise<StoredResponse | undefined> {
    const text = await this.redis.get(this.prefix + entryKey(owner, id));
    return text === null ? undefined : (JSON.parse(text) as StoredResponse);
  }

  async delete(owner: string, id: string): Promise<boolean> {
    return (await this.redis.del(this.prefix + entryKey(owner, id))) > 0;
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

/** The owner escaped, so no key name can reach into another's entries. */
function entryKey(owner: string, id: string): string {
  return `${encodeURIComponent(owner)}:${id}`;
}
