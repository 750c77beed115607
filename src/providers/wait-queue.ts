/**
 * The bounded FIFO of requests waiting for a free replica. Each waiter leaves it exactly once:
 * served (by {@link WaitQueue.serve}), timed out, or aborted by its caller.
 */
export class WaitQueue<T, K> {
  private readonly waiters: Waiter<T, K>[] = [];

  get size(): number {
    return this.waiters.length;
  }

  /**
   * Waits for {@link serve} to hand over a `T`. `onTimeout` makes the rejection when `timeoutMs`
   * passes first; the caller's abort rejects with the signal's reason.
   */
  wait(key: K, timeoutMs: number, signal: AbortSignal, onTimeout: () => unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T, K> = {
        key,
        resolve,
        reject,
        timer: setTimeout(() => this.leave(waiter, onTimeout()), timeoutMs),
        signal,
        onAbort: () => this.leave(waiter, signal.reason),
      };
      if (signal.aborted) {
        clearTimeout(waiter.timer);
        reject(signal.reason);
        return;
      }
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /**
   * Serves waiters in order while `take` finds something for the first one's key; stops at the
   * first it cannot serve, so nobody overtakes.
   */
  serve(take: (key: K) => T | undefined): void {
    while (this.waiters.length > 0) {
      const first = this.waiters[0];
      const value = take(first.key);
      if (value === undefined) return;
      this.waiters.shift();
      this.settle(first);
      first.resolve(value);
    }
  }

  /** Rejects every waiter (no replica left at all). */
  rejectAll(error: () => unknown): void {
    for (const waiter of this.waiters.splice(0)) {
      this.settle(waiter);
      waiter.reject(error());
    }
  }

  private leave(waiter: Waiter<T, K>, reason: unknown): void {
    const at = this.waiters.indexOf(waiter);
    if (at === -1) return;
    this.waiters.splice(at, 1);
    this.settle(waiter);
    waiter.reject(reason);
  }

  private settle(waiter: Waiter<T, K>): void {
    clearTimeout(waiter.timer);
    waiter.signal.removeEventListener('abort', waiter.onAbort);
  }
}

interface Waiter<T, K> {
  key: K;
  resolve(value: T): void;
  reject(reason: unknown): void;
  timer: NodeJS.Timeout;
  signal: AbortSignal;
  onAbort(): void;
}
