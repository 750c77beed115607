import type { LimitName } from './limits.constants';

/** The two minutes a sliding window weighs: the previous one and the current one. */
export interface WindowCounts {
  previous: number;
  current: number;
}

/** A key's rate-limit state as one store read it, at one instant of the store's own clock. */
export interface WindowState {
  /** Index of the current minute (ms since the epoch / 60 000); reservations refer to it. */
  window: number;
  /** Milliseconds into the current minute. */
  elapsedMs: number;
  requests: WindowCounts;
  tokens: WindowCounts;
  /** Requests of this key in flight, on every replica that shares the store. */
  inFlight: number;
}

/** Limits as a store applies them; 0 means unlimited. */
export interface StoreLimits {
  rpm: number;
  tpm: number;
  concurrency: number;
}

export interface AdmitRequest {
  key: string;
  limits: StoreLimits;
  /** Tokens to reserve (already capped at `tpm`). */
  tokens: number;
  /** Identifies this request's concurrency lease until it is settled ({@link LimitStore.newLeaseId}). */
  leaseId: string;
}

export interface AdmitResult {
  admitted: boolean;
  /** The first limit that refused the request. */
  refusedBy?: LimitName;
  /** After the reservation when admitted; as found when refused. */
  state: WindowState;
}

export interface SettleRequest {
  key: string;
  /** The window the reservation was made in ({@link WindowState.window}). */
  window: number;
  /** Real tokens minus reserved tokens; negative gives tokens back. */
  tokenDelta: number;
  leaseId: string;
  /**
   * Upstream calls the request made beyond the one admitted (its tool rounds, issue 13), added
   * to its window's request count so they count against `rpm`. Default 0.
   */
  extraRequests?: number;
}

/**
 * Where rate-limit state lives. Each call is one atomic step: `admit` checks requests, tokens and
 * concurrency together and reserves all three or nothing; `settle` corrects the token count and
 * frees the concurrency slot. Implementations: in memory (one process) and Redis (every replica).
 */
export interface LimitStore {
  readonly kind: 'memory' | 'redis';
  /** False while the shared state cannot be reached (Redis down). */
  readonly healthy: boolean;
  /** A lease id no other request holds in this store (every replica that shares it). */
  newLeaseId(): string;
  admit(request: AdmitRequest): Promise<AdmitResult>;
  settle(request: SettleRequest): Promise<void>;
  /** The current state of a key, changing nothing. */
  peek(key: string): Promise<WindowState>;
}
