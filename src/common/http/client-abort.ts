import type { ServerResponse } from 'node:http';

/** What {@link onAbort} calls: an object, so that a subscriber needs no closure of its own. */
export interface AbortListener {
  handleEvent(): void;
}

/**
 * The listeners {@link onAbort} keeps for each client-abort signal, outside the signal's
 * EventTarget: on Node 20 an `addEventListener` and `removeEventListener` pair on an AbortSignal
 * costs about 5 µs, a fifth of the floor's whole CPU per request (issue 17), and each upstream
 * call made one.
 */
const listenersOf = new WeakMap<AbortSignal, Set<AbortListener>>();

/**
 * An AbortSignal that fires when the caller goes away before the answer is complete.
 *
 * It watches the *response*: in a POST handler the request stream has already ended, so the
 * request's 'close' says nothing about the caller (see DEPENDENCIES.md, "POST + SSE disconnect").
 */
export function clientAbortSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  const signal = controller.signal;
  const listeners = new Set<AbortListener>();
  listenersOf.set(signal, listeners);
  res.once('close', () => {
    // From here on, onAbort treats it as any signal (an aborted one never fires again).
    listenersOf.delete(signal);
    if (res.writableFinished) return;
    // Every error made while the abort fans out (this reason, undici's, the gateway's own) is
    // the normal ending of a request the caller left, logged without a stack; capturing and
    // formatting their stacks was a sixth of the gateway's CPU while 5,000 callers left (issue 17).
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      controller.abort(new ClientClosedError());
      runListeners(listeners);
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
  });
  return signal;
}

function runListeners(listeners: Set<AbortListener>): void {
  for (const listener of listeners) {
    try {
      listener.handleEvent();
    } catch (error) {
      // As an EventTarget listener's exception: reported, the other listeners still run.
      process.nextTick(() => {
        throw error;
      });
    }
  }
}

/**
 * Calls `listener.handleEvent()` once when `signal` aborts (the signal is aborted by then, its
 * `reason` set), until {@link offAbort}. A client-abort signal keeps it in a set beside the
 * signal; any other signal takes it as an ordinary `abort` listener.
 */
export function onAbort(signal: AbortSignal, listener: AbortListener): void {
  const listeners = listenersOf.get(signal);
  if (listeners === undefined) signal.addEventListener('abort', listener, ONCE);
  else listeners.add(listener);
}

/** Undoes {@link onAbort}; harmless when the listener has run or was never added. */
export function offAbort(signal: AbortSignal, listener: AbortListener): void {
  const listeners = listenersOf.get(signal);
  if (listeners === undefined) signal.removeEventListener('abort', listener);
  else listeners.delete(listener);
}

const ONCE = { once: true } as const;

/** The reason of a client-abort signal: a normal ending, not a failure. */
export class ClientClosedError extends Error {
  constructor() {
    super('The client closed the connection');
    this.name = 'ClientClosedError';
  }
}

export function isClientClosed(reason: unknown): boolean {
  return reason instanceof ClientClosedError;
}
