/** Where in a key's spend a step applies: the period's current bucket and the oldest that counts. */
export interface SpendScope {
  /** Key name (`auth.keys[].name`). */
  key: string;
  /** The period's store name (`day`, `rolling:86400000`, …): a changed period starts afresh. */
  period: string;
  /** The bucket an amount is added to (ms since the epoch). */
  bucket: number;
  /** The oldest bucket that still counts; older ones are dropped. */
  first: number;
  /** How long the store keeps the key after a write, in ms. */
  ttlMs: number;
}

export interface SpendCharge extends SpendScope {
  /** Nano-units to add (≥ 0). */
  amount: number;
  /** Refuse (and add nothing) when the window's total plus `amount` would exceed it; absent: never. */
  limit?: number;
}

export interface SpendAdjust extends SpendScope {
  /** Nano-units to add (negative gives back); applied only while `bucket` still counts. */
  delta: number;
}

/** A key's spend in its window, around one step (nano-units). */
export interface SpendStep {
  admitted: boolean;
  before: number;
  after: number;
  /** The oldest bucket holding spend after the step; undefined when none. */
  oldest?: number;
}

export interface SpendTotal {
  spent: number;
  oldest?: number;
}

/**
 * Where spend lives: each call is one atomic step, so replicas sharing the store never admit two
 * requests into the same remaining amount. Implementations: in memory (one process) and Redis
 * (every replica, kept across restarts).
 */
export interface SpendStore {
  readonly kind: 'memory' | 'redis';
  /** Check-and-add: adds `amount` unless `limit` refuses it. */
  charge(charge: SpendCharge): Promise<SpendStep>;
  /** Corrects an earlier charge (a reservation) by `delta`. */
  adjust(adjust: SpendAdjust): Promise<SpendStep>;
  /** The window's total, changing nothing. */
  peek(scope: Omit<SpendScope, 'bucket' | 'ttlMs'>): Promise<SpendTotal>;
}
