import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import type { RedisFailureMode } from '../config';
import { SpendMessages } from './spend.messages';
import { ADJUST_SCRIPT, CHARGE_SCRIPT, PEEK_SCRIPT } from './redis-spend.scripts';
import type { SpendScope, SpendStep, SpendStore, SpendTotal } from './spend-store.interface';
import { RedisFailureWatch } from '../common/redis';

export interface RedisSpendStoreOptions {
  /** Prefix of every Redis key written (`tiergate:spend:`). */
  keyPrefix: string;
  /** What happens while Redis is unreachable (only for the log line that says so). */
  onError: RedisFailureMode;
}

/** The scripts, as ioredis' `defineCommand` adds them (EVALSHA, with EVAL on a cache miss). */
interface SpendCommands {
  tiergateSpendCharge(...args: (string | number)[]): Promise<number[]>;
  tiergateSpendAdjust(...args: (string | number)[]): Promise<number[]>;
  tiergateSpendPeek(...args: (string | number)[]): Promise<number[]>;
}

/**
 * Spend in Redis, shared by every replica and kept across restarts: one atomic Lua script per
 * step (`redis-spend.scripts.ts`). Commands fail fast while Redis is unreachable (no offline
 * queue, a command timeout); the caller applies `limits.redis.on_error`.
 */
export class RedisSpendStore implements SpendStore, OnModuleInit, OnApplicationShutdown {
  readonly kind = 'redis';
  private readonly watch: RedisFailureWatch;
  private readonly commands: SpendCommands;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisSpendStoreOptions,
  ) {
    this.watch = new RedisFailureWatch(new Logger('Spend'), {
      failing: (reason) => SpendMessages.redisFailing(reason, options.onError),
      recovered: () => SpendMessages.redisRecovered(),
    });
    redis.defineCommand('tiergateSpendCharge', { numberOfKeys: 1, lua: CHARGE_SCRIPT });
    redis.defineCommand('tiergateSpendAdjust', { numberOfKeys: 1, lua: ADJUST_SCRIPT });
    redis.defineCommand('tiergateSpendPeek', { numberOfKeys: 1, lua: PEEK_SCRIPT, readOnly: true });
    this.commands = redis as unknown as SpendCommands;
    // Without an 'error' listener an unreachable Redis would crash the process.
    redis.on('error', (error: Error) => this.watch.failed(error));
    redis.on('ready', () => this.watch.recovered());
  }

  /** A store on its own connection to `url`, connected by `onModuleInit`. */
  static connect(
    url: string,
    options: RedisSpendStoreOptions & { timeoutMs: number },
  ): RedisSpendStore {
    const redis = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.timeoutMs,
      connectTimeout: Math.max(options.timeoutMs, 1_000),
      disconnectTimeout: options.timeoutMs,
      retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    });
    return new RedisSpendStore(redis, options);
  }

  async onModuleInit(): Promise<void> {
    if (this.redis.status === 'wait') {
      // Not fatal: the client keeps reconnecting, and on_error applies meanwhile.
      await this.redis.connect().catch((error: Error) => this.watch.failed(error));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const status = this.redis.status;
    if (status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else if (status !== 'end' && status !== 'close') this.redis.disconnect();
  }

  async charge(scope: SpendScope, amount: number, limit?: number): Promise<SpendStep> {
    const reply = await this.watch.run(() =>
      this.commands.tiergateSpendCharge(
        this.keyOf(scope),
        scope.bucket,
        scope.first,
        Math.round(amount),
        limit === undefined ? -1 : Math.round(limit),
        Math.ceil(scope.ttlMs),
      ),
    );
    return toStep(reply);
  }

  async adjust(scope: SpendScope, delta: number): Promise<SpendStep> {
    const reply = await this.watch.run(() =>
      this.commands.tiergateSpendAdjust(
        this.keyOf(scope),
        scope.bucket,
        scope.first,
        Math.round(delta),
        Math.ceil(scope.ttlMs),
      ),
    );
    return toStep(reply);
  }

  async peek(scope: Omit<SpendScope, 'bucket' | 'ttlMs'>): Promise<SpendTotal> {
    const [spent, oldest] = (
      await this.watch.run(() => this.commands.tiergateSpendPeek(this.keyOf(scope), 0, scope.first))
    ).map(Number);
    return oldest < 0 ? { spent } : { spent, oldest };
  }

  // The hash tag keeps every key of a name in one Redis Cluster slot.
  private keyOf(scope: Pick<SpendScope, 'key' | 'period'>): string {
    return `${this.options.keyPrefix}{${scope.key}}:${scope.period}`;
  }
}

function toStep(reply: readonly number[]): SpendStep {
  const [admitted, before, after, oldest] = reply.map(Number);
  return { admitted: admitted === 1, before, after, ...(oldest < 0 ? {} : { oldest }) };
}
