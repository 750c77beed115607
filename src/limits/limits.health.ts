import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { RedisFailureMode } from '../config';
import type { LimitStore } from './limit-store.interface';
import { LIMITS_CONFIG, type LimitsSlice } from './limits.config';
import { LIMIT_STORE } from './limits.constants';

/** The rate-limit store's health, as the health endpoints compose it. */
export interface LimitsHealth {
  /** `redis`, the key in Terminus' `info` / `error` / `details`. */
  key: 'redis';
  /** Fail-closed: while it is down every limited request is refused, so readiness fails too. */
  critical: boolean;
  result: HealthIndicatorResult;
}

/**
 * Whether the shared rate-limit state (Redis) is reachable. Absent with in-memory state. Down
 * in fail-open mode makes `/health` say `degraded` (limits are not enforced); down in
 * fail-closed mode fails readiness as well.
 */
@Injectable()
export class LimitsHealthIndicator {
  private readonly onError: RedisFailureMode;

  constructor(
    @Inject(LIMIT_STORE) private readonly store: LimitStore,
    private readonly health: HealthIndicatorService,
    @Inject(LIMITS_CONFIG.token) config: LimitsSlice,
  ) {
    this.onError = config.limits.redis.onError;
  }

  check(): LimitsHealth | undefined {
    if (this.store.kind !== 'redis') return undefined;
    const session = this.health.check('redis');
    const details = { purpose: 'rate limits', on_error: this.onError };
    return {
      key: 'redis',
      critical: this.onError === 'closed',
      result: this.store.healthy ? session.up(details) : session.down(details),
    };
  }
}
