/**
 * Something a {@link HeartbeatWheel} watches for silence. The wheel owns the three `heartbeat*`
 * fields (they link the member into the wheel's list without an object of its own); the member
 * only implements {@link onHeartbeat}.
 */
export interface HeartbeatMember {
  /** @internal The wheel's links and the member's last activity, on the wheel's clock. */
  heartbeatPrev: HeartbeatMember | undefined;
  /** @internal */
  heartbeatNext: HeartbeatMember | undefined;
  /** @internal */
  heartbeatAt: number;
  /** Called after `intervalMs` without {@link HeartbeatWheel.touch}; the silence counts anew. */
  onHeartbeat(): void;
}

/** Monotonic milliseconds; read at call time so fake timers in specs apply. */
const monotonicNow = (): number => performance.now();

/**
 * One timer for every stream that must show a sign of life after the same silence (SSE's
 * `: ping`), instead of a `Timeout` per stream. Members sit in a list ordered by last activity:
 * a touch moves one to the back (O(1), as `timeout.refresh()` does inside Node), and the single
 * timer is armed for the member at the front, the one silent longest.
 *
 * @example
 * const wheel = HeartbeatWheel.shared(15_000);
 * wheel.add(writer); // writer.onHeartbeat() after 15 s of silence
 * wheel.touch(writer); // on every write
 * wheel.remove(writer); // when the stream ends
 */
export class HeartbeatWheel {
  private static readonly wheels = new Map<number, HeartbeatWheel>();

  /** The process-wide wheel of `intervalMs`. */
  static shared(intervalMs: number): HeartbeatWheel {
    let wheel = HeartbeatWheel.wheels.get(intervalMs);
    if (wheel === undefined) {
      wheel = new HeartbeatWheel(intervalMs);
      HeartbeatWheel.wheels.set(intervalMs, wheel);
    }
    return wheel;
  }

  private head: HeartbeatMember | undefined;
  private tail: HeartbeatMember | undefined;
  private count = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly intervalMs: number,
    private readonly now: () => number = monotonicNow,
  ) {
    if (!(intervalMs > 0))
      throw new RangeError(`heartbeat interval must be > 0, got ${intervalMs}`);
  }

  /** Members watched. */
  get size(): number {
    return this.count;
  }

  has(member: HeartbeatMember): boolean {
    return member.heartbeatPrev !== undefined || this.head === member;
  }

  /** Starts watching `member`, its silence counted from now (a touch if it is watched already). */
  add(member: HeartbeatMember): void {
    if (this.has(member)) {
      this.touch(member);
      return;
    }
    member.heartbeatAt = this.now();
    this.append(member);
    this.count++;
    if (this.timer === undefined) this.arm(this.intervalMs);
  }

  /** `member` showed activity: its silence counts from now. Only for a member of this wheel. */
  touch(member: HeartbeatMember): void {
    member.heartbeatAt = this.now();
    if (member === this.tail) return;
    this.unlink(member);
    this.append(member);
  }

  /** Stops watching `member`; the timer stops with the last one. */
  remove(member: HeartbeatMember): void {
    if (!this.has(member)) return;
    this.unlink(member);
    this.count--;
    if (this.head === undefined && this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private append(member: HeartbeatMember): void {
    member.heartbeatPrev = this.tail;
    member.heartbeatNext = undefined;
    if (this.tail === undefined) this.head = member;
    else this.tail.heartbeatNext = member;
    this.tail = member;
  }

  private unlink(member: HeartbeatMember): void {
    const { heartbeatPrev: prev, heartbeatNext: next } = member;
    if (prev === undefined) this.head = next;
    else prev.heartbeatNext = next;
    if (next === undefined) this.tail = prev;
    else next.heartbeatPrev = prev;
    member.heartbeatPrev = member.heartbeatNext = undefined;
  }

  private arm(ms: number): void {
    // Node fires timers on whole milliseconds of loop time, possibly a fraction early for us.
    this.timer = setTimeout(this.onTimer, Math.max(1, Math.ceil(ms)));
    // A heartbeat alone must not keep the process alive.
    this.timer.unref();
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    const now = this.now();
    const due = now - this.intervalMs;
    try {
      let member = this.head;
      while (member !== undefined && member.heartbeatAt <= due) {
        // To the back first: whatever it does now (a ping, or nothing while it cannot write),
        // its silence counts anew, and the loop ends at the members already seen.
        member.heartbeatAt = now;
        if (member !== this.tail) {
          this.unlink(member);
          this.append(member);
        }
        member.onHeartbeat();
        member = this.head;
      }
    } finally {
      // Even if a member threw, the others keep their heartbeat.
      if (this.head !== undefined && this.timer === undefined) {
        this.arm(this.head.heartbeatAt + this.intervalMs - now);
      }
    }
  };
}
