/** Sizes of the sandbox pool (`tools.sandbox`). */
export interface SandboxSlotsOptions {
  /** Sandbox threads that may run (or load) at once, every sandboxed tool and request together. */
  maxWorkers: number;
  /** Longest a job waits in the queue for a thread before it is refused. */
  queueTimeoutMs: number;
}

/** No thread became free within the queue's deadline. */
export class SandboxBusyError extends Error {
  constructor(readonly ms: number) {
    super(`no sandbox thread free within ${ms} ms`);
    this.name = 'SandboxBusyError';
  }
}

interface Waiter {
  grant: () => void;
  refuse: (reason: unknown) => void;
}

/**
 * The bounded pool every sandboxed tool draws from (issue 13): at most `maxWorkers` jobs hold a
 * thread at once, whichever tool and request they come from; the others wait in one FIFO queue
 * until a slot frees, their signal aborts, or `queueTimeoutMs` passes. Without it, every
 * concurrent call started a thread of its own (150 calls: 133 threads, 1 GB).
 */
export class SandboxSlots {
  private busy = 0;
  private readonly queue: Waiter[] = [];

  constructor(readonly options: SandboxSlotsOptions) {}

  /** Jobs holding a thread now. */
  get running(): number {
    return this.busy;
  }

  /** Jobs waiting for one. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Resolves with a release function once a slot is held; call it exactly once, when the job
   * no longer holds its thread.
   *
   * @throws SandboxBusyError past the queue deadline, or the signal's reason.
   */
  acquire(signal: AbortSignal): Promise<() => void> {
    signal.throwIfAborted();
    if (this.busy < this.options.maxWorkers) {
      this.busy++;
      return Promise.resolve(this.releaser());
    }
    return new Promise<() => void>((resolve, reject) => {
      const leave = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        const at = this.queue.indexOf(waiter);
        if (at !== -1) this.queue.splice(at, 1);
      };
      const waiter: Waiter = {
        grant: () => {
          leave();
          resolve(this.releaser());
        },
        refuse: (reason) => {
          leave();
          reject(reason);
        },
      };
      const onAbort = (): void => waiter.refuse(signal.reason);
      const timer = setTimeout(
        () => waiter.refuse(new SandboxBusyError(this.options.queueTimeoutMs)),
        this.options.queueTimeoutMs,
      );
      signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // The slot passes straight to the next waiter; `busy` only drops when nobody waits.
      const next = this.queue[0];
      if (next) next.grant();
      else this.busy--;
    };
  }
}
