import { createHash } from 'node:crypto';
import type { HealthCheckConfig, OutlierConfig } from '../config';
import type { LoadMetricsServer } from './load-metrics';
import type { ChatUpstream, ResponsesUpstream } from './upstream.interface';

/**
 * What the gateway believes of one replica, and what it does with it:
 *
 * | state       | how it gets there                                       | gets traffic            |
 * | ----------- | ------------------------------------------------------- | ----------------------- |
 * | `healthy`   | start-up; enough active checks passed; a trial succeeded | yes                     |
 * | `unhealthy` | `unhealthy_threshold` active checks failed in a row, or its `/v1/models` refuses the gateway's key or lacks the configured model | no |
 * | `ejected`   | `consecutive_failures` requests failed in a row (circuit open) | only when nothing else is healthy |
 * | `half-open` | the ejection time elapsed                                | one trial request at a time |
 *
 * Active checks and the circuit are independent: a replica is `unhealthy` whatever its circuit
 * says, and comes back as `ejected` or `half-open` when its circuit is still open.
 */
export type ReplicaState = 'healthy' | 'unhealthy' | 'ejected' | 'half-open';

export const REPLICA_STATES: readonly ReplicaState[] = [
  'healthy',
  'unhealthy',
  'ejected',
  'half-open',
];

/** One replica's transport: the OpenAI-compatible client, or a fake in unit specs. */
export interface ReplicaTransport extends ChatUpstream, ResponsesUpstream {
  /** It refused `stream: true` once (streamed requests are answered from whole ones). */
  readonly refusesStreaming?: boolean;
  close(): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * Why a replica that answers must not get traffic, from the verification of its `/v1/models`:
 * it rejects the gateway's credentials, or does not serve a model id the pool is configured for.
 */
export interface Refusal {
  kind: 'credentials' | 'model';
  /** For operators: what was asked and what came back, nothing secret. */
  reason: string;
}

/** Load figures scraped from a replica's `/metrics` (see `load-metrics.ts` for the names). */
export interface LoadSample {
  running: number;
  waiting: number;
  /** KV-cache use, 0..1; 0 when the server does not say. */
  kvUsage: number;
  /** When it was scraped (ms since epoch). */
  at: number;
  /** This gateway's in-flight count on the replica at that moment. */
  localInFlight: number;
}

/** One model a replica lists, with what its server says of it (model discovery, issue 15). */
export interface DiscoveredModel {
  id: string;
  /**
   * The context window in tokens the server enforces: vLLM's `max_model_len`, llama.cpp's
   * `meta.n_ctx` (per slot), or a `context_length` field (LM Studio, OpenRouter); null when the
   * server does not say.
   */
  contextLength: number | null;
  /** llama.cpp's `models[].capabilities` (`completion`, `multimodal`), when it lists them. */
  serverCapabilities?: readonly string[];
}

/** What the last readable `/v1/models` (and llama.cpp's `/props`) said of a replica. */
export interface ReplicaDiscovery {
  models: readonly DiscoveredModel[];
  /** Whether its chat template takes tools (llama.cpp's `/props`); undefined when unsaid. */
  tools?: boolean;
  /** When it was read (ms since epoch). */
  at: number;
}

export type StateListener = (
  replica: Replica,
  from: ReplicaState,
  to: ReplicaState,
  reason: string,
) => void;

type Circuit = 'closed' | 'open' | 'half-open';

/**
 * One replica of a pool: its transport, its in-flight count and its health. Every change of
 * {@link state} is reported once to the listener (metrics, logs, waking queued requests).
 */
export class Replica {
  /** Requests of this gateway in flight on the replica. */
  inFlight = 0;
  /** No retry is sent here before this time (its `Retry-After`). */
  cooldownUntil = 0;
  /** Latest scraped load, for `load-aware` balancing. */
  load: LoadSample | undefined;
  /** Smooth weighted round-robin's running weight. */
  rrCurrent = 0;
  /** Set by the pool on the replicas that may take the request being placed. */
  candidateEpoch = 0;
  /** Whether any active check has completed yet. */
  checked = false;
  /** Why the last active check failed, for the health details. */
  lastCheckError: string | undefined;
  /** Whose load gauges the last scrape read (`load-aware` balancing). */
  loadMetricsServer: LoadMetricsServer | undefined;
  /** Why the replica's answer to the last scrape gave no load figures. */
  loadMetricsProblem: string | undefined;
  /** When `/v1/models` last confirmed the gateway's key and model ids (ms since epoch). */
  verifiedAt: number | undefined;
  /** The models its `/v1/models` last listed, with their context windows. */
  discovery: ReplicaDiscovery | undefined;
  consecutiveFailures = 0;

  private up = true;
  private checkStreak = 0;
  private circuit: Circuit = 'closed';
  private ejections = 0;
  private ejectedUntil = 0;
  private trialInFlight = false;
  private refusal: Refusal | undefined;
  private idCache: string | undefined;

  constructor(
    readonly index: number,
    /** The upstream URL without credentials: the label in metrics, logs and health details. */
    readonly label: string,
    readonly weight: number,
    readonly transport: ReplicaTransport,
    private readonly policy: { outlier: OutlierConfig; healthCheck: HealthCheckConfig },
    private readonly onChange: StateListener,
  ) {}

  /**
   * Stable across restarts and processes (a digest of {@link label}): names the replica in
   * `GET /v1/providers`, its probe route and `GET /v1/analytics?by=replica` (`<pool>/<id>`).
   */
  get id(): string {
    return (this.idCache ??= replicaIdOf(this.label));
  }

  /** The circuit, as `GET /v1/providers` names it. */
  get circuitState(): 'closed' | 'open' | 'half_open' {
    return this.circuit === 'half-open' ? 'half_open' : this.circuit;
  }

  /** Whether an active check (or a verification) has ever said how it is. */
  get known(): boolean {
    return this.checked || this.verifiedAt !== undefined || this.refusal !== undefined;
  }

  get state(): ReplicaState {
    if (!this.up || this.refusal !== undefined) return 'unhealthy';
    if (this.circuit === 'open') return 'ejected';
    return this.circuit === 'half-open' ? 'half-open' : 'healthy';
  }

  /**
   * Not known to be down by the active checks, nor to refuse the gateway's key or model: may
   * take traffic when nothing better exists.
   */
  get serving(): boolean {
    return this.up && this.refusal === undefined;
  }

  /** Why it answers but must not get traffic, when it must not. */
  get refused(): Refusal | undefined {
    return this.refusal;
  }

  /** May take a request now: healthy, or half-open with no trial running. */
  selectable(now: number): boolean {
    if (!this.up || this.refusal !== undefined) return false;
    if (this.circuit === 'open') {
      if (now < this.ejectedUntil) return false;
      this.change('ejection time elapsed', () => (this.circuit = 'half-open'));
    }
    return this.circuit === 'closed' || !this.trialInFlight;
  }

  /** Moves an open circuit whose time has come to half-open (the periodic check calls it). */
  tick(now: number): void {
    if (this.circuit === 'open' && now >= this.ejectedUntil) {
      this.change('ejection time elapsed', () => (this.circuit = 'half-open'));
    }
  }

  /** An attempt starts here; true when it is the half-open circuit's trial. */
  begin(): boolean {
    this.inFlight++;
    if (this.circuit === 'half-open' && !this.trialInFlight) {
      this.trialInFlight = true;
      return true;
    }
    return false;
  }

  end(trial: boolean): void {
    this.inFlight--;
    if (trial) this.trialInFlight = false;
  }

  /** The replica answered properly (even with a 4xx of the caller's making). */
  recordSuccess(): void {
    this.consecutiveFailures = 0;
    if (this.circuit === 'closed') return;
    this.change('a request succeeded', () => {
      this.circuit = 'closed';
      this.ejections = 0;
    });
  }

  /** The replica failed a request: a half-open circuit opens again, a closed one may open. */
  recordFailure(now: number, why: string): void {
    this.consecutiveFailures++;
    const { consecutiveFailures, ejectionMs, maxEjectionMs } = this.policy.outlier;
    const trip =
      this.circuit === 'half-open' ||
      (this.circuit === 'closed' && this.consecutiveFailures >= consecutiveFailures);
    if (!trip) return;
    this.change(`${this.consecutiveFailures} consecutive failures, last: ${why}`, () => {
      this.ejections++;
      const ms = Math.min(maxEjectionMs, ejectionMs * 2 ** Math.min(this.ejections - 1, 30));
      this.ejectedUntil = now + ms;
      this.circuit = 'open';
    });
  }

  /**
   * Nothing listens at the replica (its connection was refused): out of rotation at once, not
   * after `consecutive_failures` requests. With active checks it is `unhealthy` until they pass
   * `healthy_threshold` times; without them its circuit opens as for an ejection.
   */
  recordDown(now: number, why: string): void {
    this.consecutiveFailures++;
    const { enabled, unhealthyThreshold } = this.policy.healthCheck;
    if (enabled) {
      this.checkStreak = Math.min(this.checkStreak, -unhealthyThreshold);
      if (!this.up) return;
      this.change(`${why}: the replica is down`, () => (this.up = false));
      return;
    }
    if (this.circuit === 'open') return;
    this.change(`${why}: the replica is down`, () => {
      this.ejections++;
      const { ejectionMs, maxEjectionMs } = this.policy.outlier;
      this.ejectedUntil = now + Math.min(maxEjectionMs, ejectionMs * 2 ** (this.ejections - 1));
      this.circuit = 'open';
    });
  }

  /** When the replica may be tried again at the earliest (0 when it may now). */
  availableAt(now: number): number {
    if (this.circuit === 'open' && now < this.ejectedUntil) return this.ejectedUntil;
    return 0;
  }

  /** One active check's verdict. */
  recordCheck(ok: boolean, error?: string): void {
    this.checked = true;
    this.lastCheckError = ok ? undefined : error;
    this.checkStreak = ok ? Math.max(1, this.checkStreak + 1) : Math.min(-1, this.checkStreak - 1);
    const { healthyThreshold, unhealthyThreshold } = this.policy.healthCheck;
    if (ok && !this.up && this.checkStreak >= healthyThreshold) {
      this.change(`${this.checkStreak} health checks passed`, () => (this.up = true));
    } else if (!ok && this.up && -this.checkStreak >= unhealthyThreshold) {
      this.change(`${-this.checkStreak} health checks failed, last: ${error ?? 'failed'}`, () => {
        this.up = false;
      });
    }
  }

  /**
   * The verdict of a `/v1/models` verification: a refusal takes the replica out of rotation
   * until a later verification passes; undefined clears it.
   */
  recordVerification(refusal: Refusal | undefined, now: number): void {
    if (refusal === undefined) this.verifiedAt = now;
    const before = this.refusal;
    if (before?.kind === refusal?.kind && before?.reason === refusal?.reason) return;
    this.change(refusal?.reason ?? `${before?.kind ?? 'verification'} check passed`, () => {
      this.refusal = refusal;
    });
  }

  /** Details for `/health`: what an operator needs to see, nothing secret. */
  describe(now: number): Record<string, unknown> {
    const details: Record<string, unknown> = {
      url: this.label,
      state: this.state,
      inFlight: this.inFlight,
      checked: this.checked,
    };
    if (this.refusal !== undefined) {
      details.serving = false;
      details.notServing = { ...this.refusal };
    } else if (this.verifiedAt !== undefined) {
      // `/v1/models` accepted the gateway's key and lists every configured model id.
      details.verified = true;
    }
    if (this.lastCheckError !== undefined) details.lastCheckError = this.lastCheckError;
    if (this.consecutiveFailures > 0) details.consecutiveFailures = this.consecutiveFailures;
    if (this.circuit === 'open') details.ejectedForMs = Math.max(0, this.ejectedUntil - now);
    return details;
  }

  private change(reason: string, mutate: () => void): void {
    const from = this.state;
    mutate();
    const to = this.state;
    if (from !== to) this.onChange(this, from, to, reason);
  }
}

/** A replica's id: the first 12 hex digits of the SHA-256 of its label (URL without credentials). */
export function replicaIdOf(label: string): string {
  return createHash('sha256').update(label).digest('hex').slice(0, 12);
}
