import type { ServerResponse } from 'node:http';

/**
 * An AbortSignal that fires when the caller goes away before the answer is complete.
 *
 * It watches the *response*: in a POST handler the request stream has already ended, so the
 * request's 'close' says nothing about the caller (see DEPENDENCIES.md, "POST + SSE disconnect").
 */
export function clientAbortSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new ClientClosedError());
  });
  return controller.signal;
}

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
