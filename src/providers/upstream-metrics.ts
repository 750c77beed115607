import { Logger } from '@nestjs/common';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { PoolObserver, ShedReason } from './pool-observer';
import { REPLICA_STATES, type Replica, type ReplicaState } from './replica';
import type { FailureKind } from './retry-policy';
import { ProvidersMessages } from './providers.messages';
import type { UpstreamPool } from './upstream-pool';

/**
 * The pools' Prometheus instruments (`tiergate_upstream_*`) and their state-change log lines.
 * Gauges are read from the pools when scraped, so the request path pays nothing for them.
 */
export class UpstreamMetrics implements PoolObserver {
  private readonly logger = new Logger('Upstreams');
  private readonly transitions: Counter<'pool' | 'upstream' | 'from' | 'to'>;
  private readonly retries: Counter<'pool' | 'reason'>;
  private readonly shedCount: Counter<'pool' | 'reason'>;

  constructor(registry: Registry, pools: () => readonly UpstreamPool[]) {
    new Gauge({
      name: 'tiergate_upstream_state',
      help: 'State of each upstream replica: 1 for its current state (healthy, unhealthy, ejected, half-open), 0 for the others.',
      labelNames: ['pool', 'upstream', 'state'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const pool of pools()) {
          for (const replica of pool.replicas) {
            const current = replica.state;
            for (const state of REPLICA_STATES) {
              this.set(
                { pool: pool.name, upstream: replica.label, state },
                state === current ? 1 : 0,
              );
            }
          }
        }
      },
    });
    new Gauge({
      name: 'tiergate_upstream_in_flight',
      help: 'Requests of this gateway in flight per upstream replica.',
      labelNames: ['pool', 'upstream'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const pool of pools()) {
          for (const replica of pool.replicas) {
            this.set({ pool: pool.name, upstream: replica.label }, replica.inFlight);
          }
        }
      },
    });
    new Gauge({
      name: 'tiergate_upstream_queue_depth',
      help: 'Requests waiting for a free replica, per pool.',
      labelNames: ['pool'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const pool of pools()) this.set({ pool: pool.name }, pool.queueDepth);
      },
    });
    this.transitions = new Counter({
      name: 'tiergate_upstream_state_transitions_total',
      help: 'Changes of replica state: circuits opening (ejected), half-opening and closing, active checks failing and passing.',
      labelNames: ['pool', 'upstream', 'from', 'to'] as const,
      registers: [registry],
    });
    this.retries = new Counter({
      name: 'tiergate_upstream_retries_total',
      help: 'Attempts retried on another replica, by what failed (connection, timeout, rate_limited, unavailable, broken).',
      labelNames: ['pool', 'reason'] as const,
      registers: [registry],
    });
    this.shedCount = new Counter({
      name: 'tiergate_upstream_shed_total',
      help: 'Requests refused with 503 overloaded: the wait queue was full, or the wait was over.',
      labelNames: ['pool', 'reason'] as const,
      registers: [registry],
    });
  }

  stateChanged(
    pool: string,
    replica: Replica,
    from: ReplicaState,
    to: ReplicaState,
    reason: string,
  ): void {
    this.transitions.inc({ pool, upstream: replica.label, from, to });
    const line = ProvidersMessages.stateChanged(pool, replica.label, from, to, reason);
    if (to === 'healthy') this.logger.log(line);
    else this.logger.warn(line);
  }

  loadMetricsChanged(
    pool: string,
    replica: Replica,
    problem: string | undefined,
    server: string | undefined,
  ): void {
    if (problem !== undefined) {
      this.logger.warn(ProvidersMessages.loadMetricsMissing(pool, replica.label, problem));
    } else if (server !== undefined) {
      this.logger.log(ProvidersMessages.loadMetricsFound(pool, replica.label, server));
    }
  }

  retried(pool: string, kind: FailureKind): void {
    this.retries.inc({ pool, reason: kind });
  }

  shed(pool: string, reason: ShedReason): void {
    this.shedCount.inc({ pool, reason });
  }
}
