import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { ApiError, type ConsoleApi } from './client';
import type { ApiFailure } from './errors';
import type { AnalyticsWindow } from './wire.types';

/** What every panel reads: the signed-in client, the refresh tick, the selected window. */
export interface Session {
  api: ConsoleApi;
  /** Increments at each refresh: panels reload when it moves. */
  tick: number;
  window: AnalyticsWindow;
  /** Told of every failure; a refused key ends the session. */
  onFailure: (failure: ApiFailure) => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('a panel rendered outside a session');
  return session;
}

export interface Loaded<T> {
  data?: T;
  failure?: ApiFailure;
  loading: boolean;
}

/**
 * Loads `load` now and again whenever `deps` change (the session's tick among them), aborting
 * the previous call; on a failure the last data stays on screen beside the error.
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const { onFailure } = useSession();
  const [state, setState] = useState<Loaded<T>>({ loading: true });
  useEffect(() => {
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ data, loading: false });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const failure = failureFrom(error);
        setState((previous) => ({ data: previous.data, failure, loading: false }));
        onFailure(failure);
      },
    );
    return () => controller.abort();
  }, deps);
  return state;
}

export function failureFrom(error: unknown): ApiFailure {
  if (error instanceof ApiError) return error.failure;
  return {
    status: 0,
    code: null,
    message: error instanceof Error ? error.message : String(error),
    call: 'a call',
  };
}
