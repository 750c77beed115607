import type { PoolConfig } from '../config';
import { LOAD_GAUGE_NAMES, parseLoadMetrics, type LoadMetricsServer } from './load-metrics';
import { inspectModels, toolSupportOf } from './model-verification';
import { ProvidersMessages } from './providers.messages';
import type { Replica } from './replica';
import type { ProbeResult, ReplicaProber } from './replica-probe';

/** What the monitor tells its pool besides replica state (which the replica reports itself). */
export interface PoolMonitorHooks {
  /**
   * A replica's load figures appeared (`problem` undefined, `server` says whose names) or went
   * missing although it answered (`problem` says why), or the reason changed.
   */
  loadMetricsChanged?(
    replica: Replica,
    problem: string | undefined,
    server: LoadMetricsServer | undefined,
  ): void;
}

/**
 * The timers of one pool: active health checks (a GET that never runs a model), the slower
 * verification of each replica's `/v1/models` with the pool's key (credentials and the model
 * ids the pool is configured for) and, for `load-aware` balancing, metric scrapes. At most one
 * probe of each kind per replica is in flight; timers are `unref()`ed and stopped at shutdown.
 */
export class PoolMonitor {
  private checkTimer: NodeJS.Timeout | undefined;
  private scrapeTimer: NodeJS.Timeout | undefined;
  private verifyTimer: NodeJS.Timeout | undefined;
  private readonly checking = new Set<Replica>();
  private readonly scraping = new Set<Replica>();
  private readonly verifying = new Set<Replica>();
  /** `<base>/models` of each replica, the base being its URL's path (`/v1`). */
  private readonly modelsPaths: readonly string[];
  /** llama.cpp's `/props`, beside its `/v1` (a server under a path prefix keeps it). */
  private readonly propsPaths: readonly string[];
  private stopped = false;

  constructor(
    private readonly replicas: readonly Replica[],
    private readonly probes: readonly ReplicaProber[],
    private readonly config: PoolConfig,
    private readonly now: () => number,
    /** The model ids requests to this pool name (its tiers' and embeddings' `model`). */
    private readonly expectedModels: readonly string[] = [],
    private readonly hooks: PoolMonitorHooks = {},
  ) {
    this.modelsPaths = config.upstreams.map(
      (upstream) => `${new URL(upstream.url).pathname.replace(/\/+$/, '')}/models`,
    );
    this.propsPaths = config.upstreams.map(
      (upstream) => `${new URL(upstream.url).pathname.replace(/\/+(v1)?\/*$/, '')}/props`,
    );
  }

  start(): void {
    const { healthCheck, balancing, loadAware } = this.config;
    // Even without active checks, the timer moves elapsed ejections to half-open, so metrics
    // and health details do not wait for the next request to notice.
    this.checkTimer = setInterval(() => this.checkAll(), healthCheck.intervalMs);
    this.checkTimer.unref();
    this.checkAll();
    if (healthCheck.verifyIntervalMs > 0) {
      this.verifyTimer = setInterval(() => this.verifyAll(), healthCheck.verifyIntervalMs);
      this.verifyTimer.unref();
      this.verifyAll();
    }
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
    clearInterval(this.verifyTimer);
  }

  /** One round of checks now (also what the timer runs). */
  checkAll(): void {
    const now = this.now();
    this.replicas.forEach((replica, i) => {
      replica.tick(now);
      void this.checkOne(i);
    });
  }

  /** One active check of replica `i` now (none when checks are off or one is running). */
  async checkOne(i: number): Promise<void> {
    const replica = this.replicas[i];
    const { enabled, path, timeoutMs } = this.config.healthCheck;
    if (!enabled || this.checking.has(replica)) return;
    this.checking.add(replica);
    const result = await this.probes[i].get(path, timeoutMs, false);
    this.checking.delete(replica);
    if (!this.stopped) replica.recordCheck(result.ok, result.error);
  }

  /**
   * One round of `/v1/models` verifications now: a replica that rejects the pool's key or
   * lacks a configured model id leaves rotation until one passes (see {@link inspectModels}).
   */
  verifyAll(): Promise<void> {
    return Promise.all(this.replicas.map((_, i) => this.verifyOne(i))).then(() => undefined);
  }

  /**
   * Reads replica `i`'s `/v1/models` now: the verdict, and the models it lists with their
   * context windows (model discovery); for llama.cpp also `/props`, which says whether its
   * chat template takes tools.
   */
  async verifyOne(i: number): Promise<void> {
    const replica = this.replicas[i];
    if (this.verifying.has(replica)) return;
    this.verifying.add(replica);
    try {
      const { timeoutMs } = this.config.healthCheck;
      const path = this.modelsPaths[i];
      const result = await this.probes[i].get(path, timeoutMs, true);
      if (this.stopped) return;
      const inspection = inspectModels(result, this.expectedModels, path);
      if (inspection.models !== undefined) {
        const tools = inspection.llamaCpp
          ? toolSupportOf(await this.probes[i].get(this.propsPaths[i], timeoutMs, true))
          : undefined;
        if (this.stopped) return;
        replica.discovery = {
          models: inspection.models,
          ...(tools === undefined ? {} : { tools }),
          at: this.now(),
        };
      }
      const verdict = inspection.verdict;
      if (verdict === 'inconclusive') return;
      replica.recordVerification(verdict === 'verified' ? undefined : verdict.refusal, this.now());
    } finally {
      this.verifying.delete(replica);
    }
  }

  scrapeAll(): Promise<void> {
    const { metricsPath, scrapeIntervalMs } = this.config.loadAware;
    const timeoutMs = Math.min(this.config.healthCheck.timeoutMs, scrapeIntervalMs);
    const rounds = this.replicas.map(async (replica, i) => {
      if (this.scraping.has(replica)) return;
      this.scraping.add(replica);
      const result = await this.probes[i].get(metricsPath, timeoutMs, true);
      this.scraping.delete(replica);
      if (!this.stopped) this.recordScrape(replica, result);
    });
    return Promise.all(rounds).then(() => undefined);
  }

  private recordScrape(replica: Replica, result: ProbeResult): void {
    const { metricsPath } = this.config.loadAware;
    // No answer at all: the replica is down or slow, which the health check reports; the
    // last sample simply goes stale.
    if (result.status === undefined) return;
    if (!result.ok || result.body === undefined) {
      this.loadProblem(replica, ProvidersMessages.metricsUnavailable(metricsPath, result.status));
      return;
    }
    const load = parseLoadMetrics(result.body);
    // A server that reports neither figure gives nothing to compare: its sample goes stale.
    if (load.running === undefined && load.waiting === undefined) {
      this.loadProblem(replica, ProvidersMessages.noLoadGauges(metricsPath, LOAD_GAUGE_NAMES));
      return;
    }
    replica.load = {
      running: load.running ?? 0,
      waiting: load.waiting ?? 0,
      kvUsage: load.kvUsage ?? 0,
      at: this.now(),
      localInFlight: replica.inFlight,
    };
    if (replica.loadMetricsProblem !== undefined || replica.loadMetricsServer !== load.server) {
      replica.loadMetricsProblem = undefined;
      replica.loadMetricsServer = load.server;
      this.hooks.loadMetricsChanged?.(replica, undefined, load.server);
    }
  }

  private loadProblem(replica: Replica, problem: string): void {
    replica.load = undefined;
    replica.loadMetricsServer = undefined;
    if (replica.loadMetricsProblem === problem) return;
    replica.loadMetricsProblem = problem;
    this.hooks.loadMetricsChanged?.(replica, problem, undefined);
  }
}
