import type { ErrorEnvelope } from './wire.types';

/** A failed call: `status` 0 when the gateway did not answer at all. */
export interface ApiFailure {
  status: number;
  code: string | null;
  message: string;
  /** The method and path called, e.g. `GET /v1/providers`. */
  call: string;
}

/** The failure of a response that came back with an error status. */
export function failureOf(call: string, status: number, body: unknown): ApiFailure {
  const error = isEnvelope(body) ? body.error : undefined;
  return {
    status,
    code: error?.code ?? null,
    message: error?.message ?? (typeof body === 'string' && body ? body.slice(0, 200) : ''),
    call,
  };
}

export function isEnvelope(body: unknown): body is ErrorEnvelope {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error = (body as { error: unknown }).error;
  return typeof error === 'object' && error !== null && 'message' in error;
}

/**
 * What the operator reads when a call fails: what happened and what to do about it. The status
 * comes first so a screenshot or a support message carries it.
 */
export function errorText(failure: ApiFailure): string {
  const { status, code, message, call } = failure;
  const detail = message ? ` (${message})` : '';
  if (status === 0)
    return `No answer from the gateway for ${call}${detail}: check that it is running and reachable from this browser; the console retries at each refresh.`;
  if (status === 401)
    return '401: the gateway does not accept this key. Sign out and sign in with an admin key (a key with role: admin in auth.keys).';
  if (status === 403 && code === 'admin_required')
    return '403: the key is not an admin key. Sign out and sign in with a key whose role is admin (auth.keys[].role: admin).';
  if (status === 403) return `403: the key may not do this${detail}.`;
  if (status === 404)
    return `404: this gateway does not serve ${call}${detail}. Upgrade the gateway to a version with the operator endpoints.`;
  if (status === 429)
    return `429: the admin key is rate limited${detail}. The console retries at the next refresh; raise the key's limits if this lasts.`;
  if (status >= 500)
    return `${status}: the gateway failed to answer ${call}${detail}. The console retries at the next refresh; the gateway's log names the cause under this request's x-request-id.`;
  return `${status}: ${call} was refused${detail}.`;
}

/** Whether the failure means the key itself is wrong, so polling should stop and ask again. */
export function isKeyRefused(failure: ApiFailure): boolean {
  return failure.status === 401 || (failure.status === 403 && failure.code === 'admin_required');
}
