import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { RedisFailureMode } from '../config';
import type {
  AdmitRequest,
  AdmitResult,
  LimitStore,
  SettleRequest,
  WindowState,
} from './limit-store.interface';
import { LEASE_RENEW_MS, LEASE_TTL_MS, WINDOW_MS, type LimitName } from './limits.constants';
import { LimitsMessages } from './limits.messages';
import { ADMIT_SCRIPT, PEEK_SCRIPT, RENEW_SCRIPT, SETTLE_SCRIPT } from './redis-limit.scripts';
import { RedisFailureWatch } from '../common/redis';

export interface RedisLimitStoreOptions {
  /** Prefix of every Redis key written (`tiergate:limits:`). */
  keyPrefix: string;
  /** What the failure mode is (only for the log line that says what happens now). */
  onError: RedisFailureMode;
  leaseTtlMs?: number;
  leaseRenewMs?: number;
}

/** The scripts, as ioredis' `defineCommand` adds them (EVALSHA, with EVAL on a cache miss). */
interface LimitCommands {
  tiergateAdmit(...args: (string | number)[]): Promise<[string, ...number[]]>;
  tiergatePeek(...args: (string | number)[]): Promise<number[]>;
  tiergateSettle(...args: (string | number)[]): Promise<number>;
  tiergateRenew(...args: (string | number)[]): Promise<number>;
}

/**
 * Rate-limit state in Redis, shared by every replica: one atomic Lua script per step (see
 * `redis-limit.scripts.ts`). Concurrency slots are leases with an expiry that this process
 * renews while its requests run, so a crashed replica's slots free themselves.
 *
 * Commands fail fast while Redis is unreachable (no offline queue, a command timeout): the
 * caller applies `limits.redis.on_error`. {@link healthy} says whether the last contact worked.
 */
export class RedisLimitStore implements LimitStore, OnModuleInit, OnApplicationShutdown {
  readonly kind = 'redis';
  private readonly watch: RedisFailureWatch;
  private readonly commands: LimitCommands;
  private readonly leaseTtlMs: number;
  private readonly leaseRenewMs: number;
  /** Lease ids this process holds, by key name. */
  private readonly leases = new Map<string, Set<string>>();
  private renewTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisLimitStoreOptions,
  ) {
    this.watch = new RedisFailureWatch(new Logger('Limits'), {
      failing: (reason) => LimitsMessages.redisFailing(reason, options.onError),
      recovered: () => LimitsMessages.redisRecovered(),
    });
    this.leaseTtlMs = options.leaseTtlMs ?? LEASE_TTL_MS;
    this.leaseRenewMs = options.leaseRenewMs ?? LEASE_RENEW_MS;
    redis.defineCommand('tiergateAdmit', { numberOfKeys: 2, lua: ADMIT_SCRIPT });
    redis.defineCommand('tiergatePeek', { numberOfKeys: 2, lua: PEEK_SCRIPT, readOnly: true });
    redis.defineCommand('tiergateSettle', { numberOfKeys: 2, lua: SETTLE_SCRIPT });
    redis.defineCommand('tiergateRenew', { numberOfKeys: 1, lua: RENEW_SCRIPT });
    this.commands = redis as unknown as LimitCommands;
    // Without an 'error' listener an unreachable Redis would crash the process.
    redis.on('error', (error: Error) => this.watch.failed(error));
    redis.on('ready', () => this.watch.recovered());
  }

  /** A store on its own connection to `url`, connected by `onModuleInit`. */
  static connect(
    url: string,
    options: RedisLimitStoreOptions & { timeoutMs: number },
  ): RedisLimitStore {
    const redis = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.timeoutMs,
      connectTimeout: Math.max(options.timeoutMs, 1_000),
      disconnectTimeout: options.timeoutMs,
      retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    });
    return new RedisLimitStore(redis, options);
  }

  get healthy(): boolean {
    return this.redis.status === 'ready' && this.watch.failure === undefined;
  }

  async onModuleInit(): Promise<void> {
    if (this.redis.status === 'wait') {
      // A failure here is not fatal: the store keeps reconnecting, and on_error applies meanwhile.
      await this.redis.connect().catch((error: Error) => this.watch.failed(error));
    }
    this.renewTimer = setInterval(() => void this.renew(), this.leaseRenewMs);
    this.renewTimer.unref();
  }

  /** After the HTTP server closed (in-flight requests have settled), not before. */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.renewTimer);
    const status = this.redis.status;
    if (status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else if (status !== 'end' && status !== 'close') this.redis.disconnect();
  }

  /** Random: replicas sharing the store name leases in the same sets. */
  newLeaseId(): string {
    return randomUUID();
  }

  async admit(request: AdmitRequest): Promise<AdmitResult> {
    const { key, limits, tokens, leaseId } = request;
    const [refused, ...numbers] = await this.watch.run(() =>
      this.commands.tiergateAdmit(
        this.countersKey(key),
        this.leasesKey(key),
        WINDOW_MS,
        limits.rpm,
        limits.tpm,
        limits.concurrency,
        tokens,
        leaseId,
        this.leaseTtlMs,
      ),
    );
    const admitted = refused === '';
    if (admitted) {
      let held = this.leases.get(key);
      if (!held) this.leases.set(key, (held = new Set()));
      held.add(leaseId);
    }
    return {
      admitted,
      ...(admitted ? {} : { refusedBy: refused as LimitName }),
      state: toState(numbers),
    };
  }

  async settle(request: SettleRequest): Promise<void> {
    const { key, window, tokenDelta, leaseId, extraRequests = 0 } = request;
    // Not renewed from now on, whatever happens below: at worst the lease expires on its own.
    const held = this.leases.get(key);
    held?.delete(leaseId);
    if (held?.size === 0) this.leases.delete(key);
    await this.watch.run(() =>
      this.commands.tiergateSettle(
        this.countersKey(key),
        this.leasesKey(key),
        window,
        Math.round(tokenDelta),
        leaseId,
        Math.round(extraRequests),
      ),
    );
  }

  async peek(key: string): Promise<WindowState> {
    return toState(
      await this.watch.run(() =>
        this.commands.tiergatePeek(this.countersKey(key), this.leasesKey(key), WINDOW_MS),
      ),
    );
  }

  /** Extends every lease this process holds; one script call per key name. */
  async renew(): Promise<void> {
    for (const [key, held] of this.leases) {
      if (held.size === 0) continue;
      await this.watch
        .run(() => this.commands.tiergateRenew(this.leasesKey(key), this.leaseTtlMs, ...held))
        .catch(() => undefined);
    }
  }

  // Hash tags keep both keys of a name in one Redis Cluster slot.
  private countersKey(key: string): string {
    return `${this.options.keyPrefix}{${key}}:w`;
  }

  private leasesKey(key: string): string {
    return `${this.options.keyPrefix}{${key}}:c`;
  }
}

function toState(numbers: readonly number[]): WindowState {
  const [window, elapsedMs, r0, r1, t0, t1, inFlight] = numbers.map(Number);
  return {
    window,
    elapsedMs,
    requests: { previous: r0, current: r1 },
    tokens: { previous: t0, current: t1 },
    inFlight,
  };
}
