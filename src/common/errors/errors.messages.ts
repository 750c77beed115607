/** Texts of the errors the gateway itself raises, so tests assert on the same words users read. */
export const ErrorMessages = {
  invalidJson: (detail: string) => `We could not parse the JSON body of your request (${detail}).`,
  emptyBody: () => 'The request body is empty; expected a JSON object.',
  bodyNotObject: () => 'The request body must be a JSON object.',
  unsupportedMediaType: (type: string) =>
    `Unsupported content-type '${type}'; send 'application/json'.`,
  bodyTooLarge: (limit: number) => `The request body exceeds the limit of ${limit} bytes.`,
  requestTimeout: (ms: number) =>
    `The request's headers and body did not arrive within ${ms} ms; the connection is closed.`,
  headersTooLarge: () => 'The request headers exceed the size the gateway accepts.',
  malformedRequest: () => 'The HTTP request is malformed.',
  routeNotFound: (method: string, url: string) => `Unknown request URL: ${method} ${url}.`,
  malformedUrl: () => 'The request URL is malformed (an invalid percent-escape).',
  methodNotAllowed: (method: string, url: string) => `Method ${method} is not allowed on ${url}.`,
  missingApiKey: () => "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.",
  missingApiKeyOrHeader: () =>
    "You didn't provide an API key. Send it as 'x-api-key: <key>' or 'Authorization: Bearer <key>'.",
  invalidApiKey: () => 'Incorrect API key provided.',
  modelNotAllowed: (model: string) => `This API key may not use the model '${model}'.`,
  adminRequired: () =>
    'This endpoint is for operators: it needs an API key with `role: admin`; this key is a client key.',
  rateLimited: (what: string, limit: number, used: number, requested: number, retryIn: string) =>
    `Rate limit reached for ${what} on this API key: limit ${limit}, used ${used}, ` +
    `requested ${requested}. Please try again in ${retryIn}.`,
  limitsUnavailable: () =>
    'The gateway cannot check rate limits right now (shared state unreachable); retry shortly.',
  tooManyMessages: (count: number, max: number) =>
    `The request has ${count} messages; at most ${max} are accepted.`,
  contentTooLong: (chars: number, max: number) =>
    `The message has ${chars} characters of text; at most ${max} are accepted.`,
  tooManyTools: (count: number, max: number) =>
    `The request offers ${count} tools; at most ${max} are accepted.`,
  tooManyToolCalls: (count: number, max: number) =>
    `A message carries ${count} tool_calls; at most ${max} are accepted in one turn.`,
  tooDeep: (max: number) => `The request body nests arrays and objects deeper than ${max} levels.`,
  tooManyContainers: (max: number) =>
    `The request body holds more than ${max} objects and arrays; it was not parsed.`,
  modelNotFound: (model: string, available: readonly string[]) =>
    `The model '${model}' does not exist. ` +
    (available.length > 0
      ? `Available models: ${available.join(', ')}.`
      : 'No model is available to this API key.'),
  noEmbeddingsModel: () => 'No embeddings model is configured on this gateway.',
  contextLengthExceeded: (window: number, prompt: number, completion: number) =>
    `This model's maximum context length is ${window} tokens. However, you requested about ` +
    `${prompt + completion} tokens (about ${prompt} in the messages, ${completion} in the completion). ` +
    'Please reduce the length of the messages or the completion.',
  tierUnavailable: (tier: string) => `The ${tier} tier has no upstream to serve this request.`,
  upstreamStatus: (status: number) => `The upstream model server failed (HTTP ${status}).`,
  upstreamStatusSaid: (status: number, said: string) =>
    `The upstream model server failed (HTTP ${status}): ${said}`,
  upstreamUnreachable: () => 'The upstream model server could not be reached.',
  upstreamMalformed: (what: string) =>
    `The upstream model server answered something that is not the OpenAI format (${what}).`,
  upstreamStreamBroken: (what: string) => `The upstream stream broke off (${what}).`,
  upstreamTooLarge: (limit: number) =>
    `The upstream model server's answer exceeds the gateway's limit of ${limit} bytes.`,
  upstreamLineTooLarge: (limit: number) =>
    `The upstream stream sent an event larger than the gateway's limit of ${limit} bytes.`,
  upstreamTimeout: (ms: number) => `The upstream model server did not answer within ${ms} ms.`,
  upstreamStalled: (ms: number) =>
    `The upstream stream stalled: nothing arrived from the model server for ${ms} ms.`,
  noHealthyUpstream: () => 'No healthy upstream model server is available for this request.',
  overloaded: (retryAfterSeconds: number) =>
    `The model servers are at capacity; retry in ${retryAfterSeconds} s.`,
  upstreamRejectedCredentials: (status: number) =>
    `The upstream model server rejected the gateway's credentials (HTTP ${status}).`,
  internal: () => 'The gateway failed to process the request.',
} as const;
