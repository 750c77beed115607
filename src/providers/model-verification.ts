import type { ProbeResult } from './replica-probe';
import type { Refusal } from './replica';
import { ProvidersMessages } from './providers.messages';

/** What one `GET /v1/models` says of a replica: a refusal, fine, or nothing either way. */
export type Verification = { refusal: Refusal } | 'verified' | 'inconclusive';

/**
 * Reads a replica's answer to an authenticated `GET <base>/models` (the pool's key on it):
 * 401 or 403 means the gateway's key is rejected; a model list without one of the ids the
 * pool is configured for means requests would fail with "model not found". A server without
 * the endpoint, a 5xx, a timeout or a body that is not a model list proves nothing: liveness is
 * the active health check's business, so those leave the replica as it was.
 *
 * The ids are compared exactly, as the upstream compares `model` in requests: llama.cpp lists
 * its `--alias`, vLLM its `--served-model-name`s, hosted APIs many ids.
 */
export function verifyModels(
  result: ProbeResult,
  expected: readonly string[],
  path: string,
): Verification {
  if (result.status === 401 || result.status === 403) {
    return {
      refusal: {
        kind: 'credentials',
        reason: ProvidersMessages.credentialsRejected(result.status, path),
      },
    };
  }
  if (!result.ok || result.body === undefined) return 'inconclusive';
  const served = modelIds(result.body);
  if (served === undefined) return 'inconclusive';
  const missing = expected.filter((id) => !served.includes(id));
  if (missing.length === 0) return 'verified';
  return {
    refusal: { kind: 'model', reason: ProvidersMessages.modelNotServed(missing, served, path) },
  };
}

/** The ids of an OpenAI model list (`{"data":[{"id":…}]}`); undefined when it is not one. */
function modelIds(body: string): string[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return undefined;
  const ids: string[] = [];
  for (const entry of data) {
    const id = (entry as { id?: unknown } | null)?.id;
    if (typeof id === 'string') ids.push(id);
  }
  return ids;
}
