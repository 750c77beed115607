import { failureOf, type ApiFailure } from './errors';
import type {
  AnalyticsBy,
  AnalyticsResponse,
  AnalyticsWindow,
  HealthResponse,
  ProvidersResponse,
  Replica,
  RouteExplanation,
  UsageResponse,
} from './wire.types';

/** A call answered with an error status, or not answered at all (status 0). */
export class ApiError extends Error {
  constructor(readonly failure: ApiFailure) {
    super(`${failure.call}: ${failure.status} ${failure.message}`);
  }
}

type Fetch = (input: string, init: RequestInit) => Promise<Response>;

/**
 * The console's calls, all to the page's own origin (relative paths), all with the admin key as
 * a bearer header: never in a URL, never in a cookie.
 */
export class ConsoleApi {
  constructor(
    private readonly key: string,
    private readonly fetchImpl: Fetch = (input, init) => fetch(input, init),
  ) {}

  providers(signal?: AbortSignal): Promise<ProvidersResponse> {
    return this.call('GET', '/v1/providers', undefined, signal);
  }

  analytics(
    window: AnalyticsWindow,
    by: AnalyticsBy,
    signal?: AbortSignal,
  ): Promise<AnalyticsResponse> {
    const query = new URLSearchParams({ window, by });
    return this.call('GET', `/v1/analytics?${query}`, undefined, signal);
  }

  usage(signal?: AbortSignal): Promise<UsageResponse> {
    return this.call('GET', '/v1/usage', undefined, signal);
  }

  /** `/health` answers 503 with the same body when nothing can be served: that is data here. */
  health(signal?: AbortSignal): Promise<HealthResponse> {
    return this.call('GET', '/health', undefined, signal, [503]);
  }

  probe(pool: string, replica: string, signal?: AbortSignal): Promise<Replica> {
    const path = `/v1/providers/${encodeURIComponent(pool)}/replicas/${encodeURIComponent(replica)}/probe`;
    return this.call('POST', path, undefined, signal);
  }

  /** The routing decision for one user prompt, as `auto` would route it. */
  route(prompt: string, signal?: AbortSignal): Promise<RouteExplanation> {
    const body = { model: 'auto', messages: [{ role: 'user', content: prompt }] };
    return this.call('POST', '/v1/route', body, signal);
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    signal: AbortSignal | undefined,
    dataStatuses: readonly number[] = [],
  ): Promise<T> {
    const call = `${method} ${path.split('?')[0]}`;
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.key}`,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.fetchImpl(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        credentials: 'omit',
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiError({ status: 0, code: null, message: messageOf(error), call });
    }
    const text = await response.text();
    const parsed = parse(text);
    if (!response.ok && !dataStatuses.includes(response.status)) {
      throw new ApiError(failureOf(call, response.status, parsed));
    }
    if (typeof parsed !== 'object' || parsed === null) {
      throw new ApiError({
        status: response.status,
        code: null,
        message: 'the answer is not JSON',
        call,
      });
    }
    return parsed as T;
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
