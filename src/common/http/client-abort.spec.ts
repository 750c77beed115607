import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import {
  clientAbortSignal,
  ClientClosedError,
  isClientClosed,
  offAbort,
  onAbort,
  type AbortListener,
} from './client-abort';

/** A response that closes finished (answer sent) or not (the caller left). */
function response(): ServerResponse & { close(finished: boolean): void } {
  const res = new EventEmitter() as EventEmitter & { writableFinished: boolean };
  res.writableFinished = false;
  return Object.assign(res, {
    close(finished: boolean) {
      res.writableFinished = finished;
      res.emit('close');
    },
  }) as never;
}

/** Records what the signal looked like when the listener ran. */
function listener(signal: AbortSignal): AbortListener & { seen: unknown[] } {
  const seen: unknown[] = [];
  return { seen, handleEvent: () => seen.push(signal.reason) };
}

describe('clientAbortSignal and onAbort', () => {
  it('aborts with ClientClosedError when the response closes unfinished, and calls each listener once', () => {
    const res = response();
    const signal = clientAbortSignal(res);
    const first = listener(signal);
    const second = listener(signal);
    onAbort(signal, first);
    onAbort(signal, second);
    res.close(false);
    res.emit('close');
    expect(signal.aborted).toBe(true);
    expect(isClientClosed(signal.reason)).toBe(true);
    expect(first.seen).toEqual([signal.reason]);
    expect(second.seen).toEqual([signal.reason]);
  });

  it('does not abort when the answer was complete', () => {
    const res = response();
    const signal = clientAbortSignal(res);
    const seen = listener(signal);
    onAbort(signal, seen);
    res.close(true);
    expect(signal.aborted).toBe(false);
    expect(seen.seen).toEqual([]);
  });

  it('calls no listener taken off', () => {
    const res = response();
    const signal = clientAbortSignal(res);
    const kept = listener(signal);
    const removed = listener(signal);
    onAbort(signal, kept);
    onAbort(signal, removed);
    offAbort(signal, removed);
    res.close(false);
    expect(kept.seen).toHaveLength(1);
    expect(removed.seen).toEqual([]);
  });

  it("keeps a client-abort signal's listeners off its EventTarget (issue 17: 5 µs a pair)", () => {
    const signal = clientAbortSignal(response());
    const add = jest.spyOn(signal, 'addEventListener');
    const remove = jest.spyOn(signal, 'removeEventListener');
    const seen = listener(signal);
    onAbort(signal, seen);
    offAbort(signal, seen);
    expect(add).not.toHaveBeenCalled();
    expect(remove).not.toHaveBeenCalled();
  });

  it('still dispatches the abort event to ordinary listeners', () => {
    const res = response();
    const signal = clientAbortSignal(res);
    const events: string[] = [];
    signal.addEventListener('abort', () => events.push('event'));
    onAbort(signal, { handleEvent: () => events.push('onAbort') });
    res.close(false);
    expect(events).toEqual(['event', 'onAbort']);
  });

  it('takes any other signal as an ordinary abort listener', () => {
    const controller = new AbortController();
    const kept = listener(controller.signal);
    const removed = listener(controller.signal);
    onAbort(controller.signal, kept);
    onAbort(controller.signal, removed);
    offAbort(controller.signal, removed);
    controller.abort(new ClientClosedError());
    controller.abort();
    expect(kept.seen).toEqual([controller.signal.reason]);
    expect(removed.seen).toEqual([]);
  });

  it('captures no stacks while the abort fans out, and restores the limit after', () => {
    const res = response();
    const signal = clientAbortSignal(res);
    const stacks: (string | undefined)[] = [];
    signal.addEventListener('abort', () => stacks.push(new Error('event').stack));
    onAbort(signal, { handleEvent: () => stacks.push(new Error('listener').stack) });
    const limit = Error.stackTraceLimit;
    res.close(false);
    expect(stacks).toEqual(['Error: event', 'Error: listener']);
    expect((signal.reason as Error).stack).toBe(
      'ClientClosedError: The client closed the connection',
    );
    expect(Error.stackTraceLimit).toBe(limit);
  });

  it('restores the stack limit when aborting throws', () => {
    const res = response();
    clientAbortSignal(res);
    const limit = Error.stackTraceLimit;
    const abort = jest.spyOn(AbortController.prototype, 'abort').mockImplementation(() => {
      throw new Error('abort failed');
    });
    try {
      expect(() => res.close(false)).toThrow('abort failed');
      expect(Error.stackTraceLimit).toBe(limit);
    } finally {
      abort.mockRestore();
    }
  });

  it('runs the other listeners when one throws, and reports the error', () => {
    const reported: ((...args: unknown[]) => unknown)[] = [];
    const nextTick = jest
      .spyOn(process, 'nextTick')
      .mockImplementation((callback) => void reported.push(callback as () => void));
    try {
      const res = response();
      const signal = clientAbortSignal(res);
      const after = listener(signal);
      onAbort(signal, {
        handleEvent: () => {
          throw new Error('listener failed');
        },
      });
      onAbort(signal, after);
      res.close(false);
      expect(after.seen).toHaveLength(1);
      expect(reported).toHaveLength(1);
      expect(() => reported[0]()).toThrow('listener failed');
    } finally {
      nextTick.mockRestore();
    }
  });
});
