const RESOLVED = Promise.resolve();

/**
 * Backpressure from whoever consumes a stream: whether the response's socket can take more. The
 * SSE writer owns one per response; a producer that can pause (an upstream stream, which stops
 * reading its socket: `UpstreamCallOptions.gate`) checks it before each write:
 * `if (!gate.open) await gate.wait()`. It opens again on the response's `drain`, and for good
 * once the response is closed, so nobody waits on a dead socket.
 */
export class FlowGate {
  private isOpen = true;
  private waiting: Promise<void> | undefined;
  private release: (() => void) | undefined;

  get open(): boolean {
    return this.isOpen;
  }

  /** Resolves when the gate is open (at once if it is). Every waiter shares one promise. */
  wait(): Promise<void> {
    if (this.isOpen) return RESOLVED;
    return (this.waiting ??= new Promise<void>((resolve) => (this.release = resolve)));
  }

  /** @internal The writer's: `res.write()` returned false. */
  close(): void {
    this.isOpen = false;
  }

  /** @internal The writer's: the response drained or closed. */
  reopen(): void {
    this.isOpen = true;
    const release = this.release;
    this.waiting = this.release = undefined;
    release?.();
  }
}
