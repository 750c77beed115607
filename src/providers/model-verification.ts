import type { ProbeResult } from './replica-probe';
import type { DiscoveredModel, Refusal } from './replica';

export type { DiscoveredModel } from './replica';
import { ProvidersMessages } from './providers.messages';

/** What one `GET /v1/models` says of a replica: a refusal, fine, or nothing either way. */
export type Verification = { refusal: Refusal } | 'verified' | 'inconclusive';

/** What a replica's `/v1/models` answer shows: the verdict, and its models when it listed any. */
export interface ModelInspection {
  verdict: Verification;
  /** The listed models; undefined when the answer was not a model list. */
  models?: DiscoveredModel[];
  /** Whether the list is llama.cpp's (its `/props` says more: tool-call support). */
  llamaCpp?: boolean;
}

/**
 * Reads a replica's answer to an authenticated `GET <base>/models` (the pool's key on it):
 * 401 or 403 means the gateway's key is rejected; a model list without one of the ids the
 * pool is configured for means requests would fail with "model not found". A server without
 * the endpoint, a 5xx, a timeout or a body that is not a model list proves nothing: liveness is
 * the active health check's business, so those leave the replica as it was.
 *
 * The ids are compared exactly, as the upstream compares `model` in requests: llama.cpp lists
 * its `--alias` (and its other aliases under `aliases`), vLLM its `--served-model-name`s,
 * hosted APIs many ids.
 */
export function inspectModels(
  result: ProbeResult,
  expected: readonly string[],
  path: string,
): ModelInspection {
  if (result.status === 401 || result.status === 403) {
    return {
      verdict: {
        refusal: {
          kind: 'credentials',
          reason: ProvidersMessages.credentialsRejected(result.status, path),
        },
      },
    };
  }
  if (!result.ok || result.body === undefined) return { verdict: 'inconclusive' };
  const listing = readModelList(result.body);
  if (listing === undefined) return { verdict: 'inconclusive' };
  const { models, served, llamaCpp } = listing;
  const missing = expected.filter((id) => !served.has(id));
  if (missing.length === 0) return { verdict: 'verified', models, llamaCpp };
  const ids = models.map((model) => model.id);
  return {
    verdict: {
      refusal: { kind: 'model', reason: ProvidersMessages.modelNotServed(missing, ids, path) },
    },
    models,
    llamaCpp,
  };
}

/** The verdict alone (see {@link inspectModels}). */
export function verifyModels(
  result: ProbeResult,
  expected: readonly string[],
  path: string,
): Verification {
  return inspectModels(result, expected, path).verdict;
}

/**
 * Whether llama.cpp's `GET /props` says the chat template takes tools
 * (`chat_template_caps.supports_tool_calls`); undefined when it does not say.
 */
export function toolSupportOf(props: ProbeResult): boolean | undefined {
  if (!props.ok || props.body === undefined) return undefined;
  const caps = (parseJson(props.body) as { chat_template_caps?: unknown } | undefined)
    ?.chat_template_caps as { supports_tool_calls?: unknown; supports_tools?: unknown } | undefined;
  const says = caps?.supports_tool_calls ?? caps?.supports_tools;
  return typeof says === 'boolean' ? says : undefined;
}

interface ModelListing {
  models: DiscoveredModel[];
  /** Every id a request may name: the listed ids and llama.cpp's `aliases`. */
  served: Set<string>;
  llamaCpp: boolean;
}

/** An OpenAI model list (`{"data":[{"id":…}]}`); undefined when it is not one. */
function readModelList(body: string): ModelListing | undefined {
  const parsed = parseJson(body) as { data?: unknown; models?: unknown } | undefined;
  const data = parsed?.data;
  if (!Array.isArray(data)) return undefined;
  const llamaCaps = llamaCapabilities(parsed?.models);
  const models: DiscoveredModel[] = [];
  const served = new Set<string>();
  let llamaCpp = false;
  for (const entry of data) {
    const model = entry as {
      id?: unknown;
      aliases?: unknown;
      owned_by?: unknown;
      meta?: { n_ctx?: unknown } | null;
    } | null;
    if (typeof model?.id !== 'string') continue;
    served.add(model.id);
    if (Array.isArray(model.aliases)) {
      for (const alias of model.aliases) if (typeof alias === 'string') served.add(alias);
    }
    if (model.owned_by === 'llamacpp') llamaCpp = true;
    const caps = llamaCaps.get(model.id);
    models.push({
      id: model.id,
      contextLength: contextLengthOf(model as Record<string, unknown>),
      ...(caps ? { serverCapabilities: caps } : {}),
    });
  }
  return { models, served, llamaCpp };
}

/** The window a server enforces, from the fields the servers use for it. */
function contextLengthOf(entry: Record<string, unknown>): number | null {
  const meta = entry.meta as Record<string, unknown> | null | undefined;
  for (const value of [entry.max_model_len, meta?.n_ctx, entry.context_length]) {
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  }
  return null;
}

/** llama.cpp's Ollama-style `models` array: name → capabilities. */
function llamaCapabilities(models: unknown): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  if (!Array.isArray(models)) return byName;
  for (const entry of models) {
    const { name, capabilities } = (entry ?? {}) as { name?: unknown; capabilities?: unknown };
    if (typeof name !== 'string' || !Array.isArray(capabilities)) continue;
    byName.set(
      name,
      capabilities.filter((c): c is string => typeof c === 'string'),
    );
  }
  return byName;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
