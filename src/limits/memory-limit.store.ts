import type {
  AdmitRequest,
  AdmitResult,
  LimitStore,
  SettleRequest,
  WindowState,
} from './limit-store.interface';
import { WINDOW_MS, type LimitName } from './limits.constants';
import { fits } from './sliding-window';

interface KeyState {
  window: number;
  requests: [previous: number, current: number];
  tokens: [previous: number, current: number];
  leases: Set<string>;
}

/**
 * Rate-limit state of this process only (no `REDIS_URL`): each replica enforces the limits on
 * its own. The same decisions as the Redis script, on the process clock. A lease needs no
 * expiry here: it lives exactly as long as the process that would leak it.
 */
export class MemoryLimitStore implements LimitStore {
  readonly kind = 'memory';
  readonly healthy = true;
  private readonly keys = new Map<string, KeyState>();
  private leases = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * A counter: the leases live in this process only. (A random UUID per request was a third of
   * what a key's admission allocated, about 1.2 KB, issue 17.)
   */
  newLeaseId(): string {
    return String(++this.leases);
  }

  admit(request: AdmitRequest): Promise<AdmitResult> {
    const time = this.now();
    const state = this.load(request.key, time);
    const elapsedMs = time - state.window * WINDOW_MS;
    const { rpm, tpm, concurrency } = request.limits;
    const requests = { previous: state.requests[0], current: state.requests[1] };
    const tokens = { previous: state.tokens[0], current: state.tokens[1] };
    let refusedBy: LimitName | undefined;
    if (rpm > 0 && !fits(rpm, requests, elapsedMs, 1)) refusedBy = 'rpm';
    else if (tpm > 0 && !fits(tpm, tokens, elapsedMs, request.tokens)) refusedBy = 'tpm';
    else if (concurrency > 0 && state.leases.size >= concurrency) refusedBy = 'concurrency';
    if (refusedBy === undefined) {
      state.requests[1] += 1;
      state.tokens[1] += request.tokens;
      state.leases.add(request.leaseId);
    }
    return Promise.resolve({
      admitted: refusedBy === undefined,
      ...(refusedBy === undefined ? {} : { refusedBy }),
      state: this.snapshot(state, elapsedMs),
    });
  }

  settle(request: SettleRequest): Promise<void> {
    const state = this.keys.get(request.key);
    if (state) {
      state.leases.delete(request.leaseId);
      const extra = request.extraRequests ?? 0;
      if (state.window === request.window) {
        state.tokens[1] += request.tokenDelta;
        state.requests[1] += extra;
      } else if (state.window === request.window + 1) {
        state.tokens[0] += request.tokenDelta;
        state.requests[0] += extra;
      }
    }
    return Promise.resolve();
  }

  peek(key: string): Promise<WindowState> {
    const time = this.now();
    const state = this.load(key, time);
    return Promise.resolve(this.snapshot(state, time - state.window * WINDOW_MS));
  }

  /** The key's state with its minutes moved on to the one `time` falls in. */
  private load(key: string, time: number): KeyState {
    const window = Math.floor(time / WINDOW_MS);
    let state = this.keys.get(key);
    if (!state) {
      state = { window, requests: [0, 0], tokens: [0, 0], leases: new Set() };
      this.keys.set(key, state);
    } else if (window > state.window) {
      const adjacent = window === state.window + 1;
      state.requests = [adjacent ? state.requests[1] : 0, 0];
      state.tokens = [adjacent ? state.tokens[1] : 0, 0];
      state.window = window;
    }
    return state;
  }

  private snapshot(state: KeyState, elapsedMs: number): WindowState {
    return {
      window: state.window,
      elapsedMs: Math.min(WINDOW_MS, Math.max(0, elapsedMs)),
      requests: { previous: state.requests[0], current: state.requests[1] },
      tokens: { previous: state.tokens[0], current: state.tokens[1] },
      inFlight: state.leases.size,
    };
  }
}
