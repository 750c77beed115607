import type { PoolConfig } from '../config';
import { parseLoadMetrics } from './load-metrics';
import type { Replica } from './replica';
import type { ReplicaProber } from './replica-probe';

/**
 * The timers of one pool: active health checks (a GET that never runs a model) and, for
 * `load-aware` balancing, metric scrapes. At most one check and one scrape per replica are in
 * flight; timers are `unref()`ed and stopped at shutdown.
 */
export class PoolMonitor {
  private checkTimer: NodeJS.Timeout | undefined;
  private scrapeTimer: NodeJS.Timeout | undefined;
  private readonly checking = new Set<Replica>();
  private readonly scraping = new Set<Replica>();
  private stopped = false;

  constructor(
    private readonly replicas: readonly Replica[],
    private readonly probes: readonly ReplicaProber[],
    private readonly config: PoolConfig,
    private readonly now: () => number,
  ) {}

  start(): void {
    const { healthCheck, balancing, loadAware } = this.config;
    // Even without active checks, the timer moves elapsed ejections to half-open, so metrics
    // and health details do not wait for the next request to notice.
    this.checkTimer = setInterval(() => this.checkAll(), healthCheck.intervalMs);
    this.checkTimer.unref();
    this.checkAll();
    if (balancing === 'load-aware') {
      this.scrapeTimer = setInterval(() => this.scrapeAll(), loadAware.scrapeIntervalMs);
      this.scrapeTimer.unref();
      this.scrapeAll();
    }
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.checkTimer);
    clearInterval(this.scrapeTimer);
  }

  /** One round of checks now (also what the timer runs). */
  checkAll(): void {
    const now = this.now();
    const { enabled, path, timeoutMs } = this.config.healthCheck;
    this.replicas.forEach((replica, i) => {
      replica.tick(now);
      if (!enabled || this.checking.has(replica)) return;
      this.checking.add(replica);
      void this.probes[i].get(path, timeoutMs, false).then((result) => {
        this.checking.delete(replica);
        if (!this.stopped) replica.recordCheck(result.ok, result.error);
      });
    });
  }

  scrapeAll(): void {
    const { metricsPath, scrapeIntervalMs } = this.config.loadAware;
    const timeoutMs = Math.min(this.config.healthCheck.timeoutMs, scrapeIntervalMs);
    this.replicas.forEach((replica, i) => {
      if (this.scraping.has(replica)) return;
      this.scraping.add(replica);
      void this.probes[i].get(metricsPath, timeoutMs, true).then((result) => {
        this.scraping.delete(replica);
        if (this.stopped || !result.ok || result.body === undefined) return;
        const load = parseLoadMetrics(result.body);
        // A server that reports neither figure gives nothing to compare: its sample goes stale.
        if (load.running === undefined && load.waiting === undefined) return;
        replica.load = {
          running: load.running ?? 0,
          waiting: load.waiting ?? 0,
          kvUsage: load.kvUsage ?? 0,
          at: this.now(),
          localInFlight: replica.inFlight,
        };
      });
    });
  }
}
