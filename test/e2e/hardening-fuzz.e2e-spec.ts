import fc from 'fast-check';
import { authHeaders, startStack, TEST_KEY, type Stack } from './harness';
import {
  CHAT_REQUEST_FIELDS,
  COMPLETION_REQUEST_FIELDS,
  EMBEDDING_REQUEST_FIELDS,
} from '../support/chat-request-fields';
import { startSimulator, type RunningSimulator } from '../simulator';

/*
 * Property: whatever body reaches POST /v1/chat/completions (random JSON, a valid request with
 * a few fields broken, text that is not JSON at all), the answer is a well-formed docs/api.md §6 error
 * envelope or a valid completion (JSON or a well-formed SSE stream), never a 500, never a hang,
 * and the process keeps serving. Thousands of runs, bounded in time.
 */

/** What a malformed body may legitimately get; anything else (500, 502, …) is a failure. */
const ERROR_STATUSES = new Set([400, 404, 413, 415]);
const REQUEST_TIMEOUT_MS = 10_000;
const BODY_LIMIT = 65_536;

const KNOWN_FIELDS = CHAT_REQUEST_FIELDS;

const MODELS = ['auto', 'instant', 'thinking', 'sim-instant', 'sim-thinking', 'gpt-5', ''];
const TOOL_NAMES = ['calculator', 'current_time', 'memory', 'run_javascript', 'not_a_tool'];

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    '',
    '\u0000',
    '\ud800',
    '\udfff\ud800',
    '💥'.repeat(30),
    '<think>unclosed',
    'data: [DONE]\n\n',
    '\r\n\r\nHTTP/1.1 200 OK',
    '${PATH}',
    '__proto__',
  ),
);

/** Numbers JSON can carry that validation code tends to get wrong. */
const extremeNumber = fc.oneof(
  fc.constantFrom(0, -0, -1, 0.5, 1e308, -1e308, 2 ** 53 + 1, 1e-320, 4294967296, 129),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/**
 * Objects whose keys name a constructor or a prototype (issue 13, finding 4: class-transformer
 * read `value.constructor` as a type and called it, a 500). Parsed, so `__proto__` is an own key.
 */
const reservedKeyed = fc
  .tuple(
    fc.constantFrom('constructor', '__proto__', 'prototype'),
    fc.constantFrom(
      '{}',
      '"x"',
      '1',
      'null',
      '[]',
      '{"prototype":{"polluted":true}}',
      '{"name":"x"}',
    ),
  )
  .map(([key, value]) => JSON.parse(`{"${key}":${value}}`) as unknown);

const anyJson = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: extremeNumber },
  { weight: 1, arbitrary: text },
  { weight: 1, arbitrary: reservedKeyed },
);

const part = fc.record(
  {
    type: fc.constantFrom('text', 'image_url', 'input_audio', 'x'),
    text,
    image_url: fc.record({ url: text }),
  },
  { requiredKeys: ['type'] },
);

const message = fc.record(
  {
    role: fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool'),
    content: fc.oneof(text, fc.constant(null), fc.array(part, { maxLength: 3 })),
    name: text,
    tool_call_id: text,
    tool_calls: fc.array(
      fc.record({
        id: text,
        type: fc.constant('function'),
        function: fc.record({
          name: fc.constantFrom(...TOOL_NAMES),
          arguments: fc.oneof(text, fc.constant('{"expression":"1+1"}')),
        }),
      }),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: ['role', 'content'] },
);

const tool = fc.record(
  {
    type: fc.constant('function'),
    function: fc.record(
      {
        name: fc.constantFrom(...TOOL_NAMES),
        description: text,
        parameters: fc.constantFrom({ type: 'object', properties: {} }, {}),
      },
      { requiredKeys: ['name'] },
    ),
  },
  { requiredKeys: ['type', 'function'] },
);

/** A request the gateway should accept: the starting point of every mutation. */
const validBody = fc.record(
  {
    model: fc.constantFrom(...MODELS.slice(0, 5)),
    messages: fc.array(fc.record({ role: fc.constant('user'), content: text }), {
      minLength: 1,
      maxLength: 3,
    }),
    stream: fc.boolean(),
    stream_options: fc.record({ include_usage: fc.boolean() }),
    max_tokens: fc.integer({ min: 1, max: 32 }),
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
    top_p: fc.double({ min: 0, max: 1, noNaN: true }),
    n: fc.integer({ min: 1, max: 2 }),
    stop: fc.oneof(text, fc.array(text, { maxLength: 4 })),
    seed: fc.integer(),
    reasoning_effort: fc.constantFrom('none', 'minimal', 'low', 'medium', 'high'),
    tools: fc.array(tool, { maxLength: 2 }),
    tool_choice: fc.constantFrom('none', 'auto', 'required'),
    metadata: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), {
      maxKeys: 3,
    }),
    user: text,
    top_k: fc.integer({ min: -1, max: 50 }),
  },
  { requiredKeys: ['messages'] },
);

type Body = Record<string, unknown>;

const DEEP = '__tiergate_deep__';
const DEEP_PATTERN = /"__tiergate_deep__(\d+)"/g;

/** `depth` levels of alternating arrays and objects, as JSON text. */
function nestedText(depth: number): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    open += i % 2 === 0 ? '[' : '{"a":';
    close = (i % 2 === 0 ? ']' : '}') + close;
  }
  return `${open}1${close}`;
}

/** One way of breaking a valid body. */
const mutation: fc.Arbitrary<(body: Body) => void> = fc.oneof(
  // A known or unknown field set to anything.
  fc.tuple(fc.oneof(fc.constantFrom(...KNOWN_FIELDS), fc.string({ maxLength: 12 })), anyJson).map(
    ([field, value]) =>
      (body: Body) =>
        void (body[field] = value),
  ),
  // Another model name: a tier, an id, an unknown one, odd text.
  fc
    .oneof(fc.constantFrom(...MODELS), text)
    .map((model) => (body: Body) => void (body.model = model)),
  // A field removed (messages included).
  fc.constantFrom(...KNOWN_FIELDS).map((field) => (body: Body) => void delete body[field]),
  // A message replaced by anything, or one of its fields broken.
  fc.tuple(fc.nat(4), fc.oneof(message, anyJson)).map(([index, value]) => (body: Body) => {
    if (Array.isArray(body.messages)) body.messages[index % (body.messages.length || 1)] = value;
  }),
  fc
    .tuple(fc.constantFrom('role', 'content', 'tool_calls', 'tool_call_id', 'name'), anyJson)
    .map(([field, value]) => (body: Body) => {
      const first = Array.isArray(body.messages) ? (body.messages[0] as unknown) : undefined;
      if (first && typeof first === 'object') (first as Body)[field] = value;
    }),
  // Deep nesting somewhere: a marker, spliced in as text after serialisation (a test-side
  // JSON.stringify of thousands of levels would overflow the test's own stack).
  fc
    .tuple(
      fc.constantFrom('metadata', 'x_extra', 'messages', 'tools'),
      fc.oneof(fc.integer({ min: 2, max: 400 }), fc.integer({ min: 1_000, max: 8_000 })),
    )
    .map(
      ([field, depth]) =>
        (body: Body) =>
          void (body[field] = `${DEEP}${depth}`),
    ),
  // Many messages or tools, long content.
  fc
    .tuple(fc.constantFrom('messages', 'tools'), fc.integer({ min: 100, max: 3000 }))
    .map(([field, count]) => (body: Body) => {
      body[field] = Array.from({ length: count }, () =>
        field === 'messages'
          ? { role: 'user', content: 'x' }
          : { type: 'function', function: { name: `t${count}` } },
      );
    }),
  fc
    .integer({ min: 1_000, max: 80_000 })
    .map(
      (size) => (body: Body) =>
        void (body.messages = [{ role: 'user', content: 'y'.repeat(size) }]),
    ),
);

const mutatedBody = fc
  .tuple(validBody, fc.array(mutation, { minLength: 1, maxLength: 3 }))
  .map(([body, mutations]) => {
    const copy: Body = JSON.parse(JSON.stringify(body)) as Body;
    for (const mutate of mutations) mutate(copy);
    return JSON.stringify(copy).replace(DEEP_PATTERN, (_match, depth: string) =>
      nestedText(Number(depth)),
    );
  });

/** Text that is not a JSON object, or not JSON at all. */
const invalidText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
  validBody.chain((body) => {
    const json = JSON.stringify(body);
    return fc.integer({ min: 0, max: json.length - 1 }).map((cut) => json.slice(0, cut)); // truncated
  }),
  validBody.map((body) => `${JSON.stringify(body)}}garbage`),
  fc.constantFrom(
    '',
    'null',
    '[]',
    '"a string"',
    '1e999',
    'NaN',
    '\ufeff{"messages":[{"role":"user","content":"x"}]}',
    '{"__proto__":{"polluted":true},"messages":[{"role":"user","content":"x"}]}',
    '{"constructor":{"prototype":{"polluted":true}},"messages":[{"role":"user","content":"x"}]}',
    '{"messages":[{"role":"user","content":"x"}],"messages":"dup"}',
    // As deep as the body limit allows (60 000 bytes of brackets).
    `{"messages":[{"role":"user","content":"x"}],"x":${'['.repeat(30_000)}${']'.repeat(30_000)}}`,
    `{"messages":[{"role":"user","content":"x"}],"x":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`,
  ),
);

interface Sent {
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
}

const request: fc.Arbitrary<Sent> = fc.oneof(
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => ({ body: JSON.stringify(v) })) },
  { weight: 6, arbitrary: mutatedBody.map((body) => ({ body })) },
  { weight: 2, arbitrary: invalidText.map((body) => ({ body })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        validBody,
        fc.constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/json; charset=latin1',
          'multipart/form-data; boundary=x',
          '',
        ),
      )
      .map(([body, contentType]) => ({ body: JSON.stringify(body), contentType })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(validBody, fc.string({ unit: 'binary-ascii', maxLength: 200 }))
      .map(([body, id]) => ({
        body: JSON.stringify(body),
        // Any value HTTP can carry (clients refuse control characters themselves).
        headers: { 'x-request-id': id.replace(/[^\t\x20-\x7e]/g, '') },
      })),
  },
);

function isEnvelope(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'error') return false;
  const error = (body as { error: Record<string, unknown> }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    Object.keys(error).sort().join() === 'code,message,param,type' &&
    typeof error.message === 'string' &&
    error.message.length > 0 &&
    typeof error.type === 'string' &&
    (error.param === null || typeof error.param === 'string') &&
    (error.code === null || typeof error.code === 'string')
  );
}

function isCompletion(body: unknown): boolean {
  const b = body as { object?: unknown; choices?: unknown };
  return (
    typeof b === 'object' &&
    b !== null &&
    b.object === 'chat.completion' &&
    Array.isArray(b.choices) &&
    b.choices.every(
      (c: { message?: { role?: unknown } }) =>
        typeof c === 'object' && c !== null && c.message?.role === 'assistant',
    )
  );
}

/** An SSE answer: chunks, or an in-band error event that ends it; `[DONE]` after chunks. */
function isStream(text: string, chunkObject = 'chat.completion.chunk'): boolean {
  const events = text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .filter((block) => !block.split('\n').every((line) => line.startsWith(':')));
  if (events.length === 0) return false;
  const data = events.map((block) => {
    const lines = block.split('\n').filter((line) => !line.startsWith(':'));
    if (lines.length !== 1 || !lines[0].startsWith('data: ')) return undefined;
    return lines[0].slice(6);
  });
  if (data.some((d) => d === undefined)) return false;
  const last = data[data.length - 1] as string;
  const chunks = last === '[DONE]' ? data.slice(0, -1) : data;
  return chunks.every((payload, index) => {
    let value: { object?: unknown; error?: unknown };
    try {
      value = JSON.parse(payload as string) as typeof value;
    } catch {
      return false;
    }
    if (value.object === chunkObject) return true;
    // An error event is the last one, and nothing follows it.
    return isEnvelope(value) && index === chunks.length - 1 && last !== '[DONE]';
  });
}

describe('fuzz: no body can make /v1/chat/completions answer 500, hang or crash (docs/api.md §6)', () => {
  let stack: Stack;
  const seen = new Map<number, number>();

  beforeAll(async () => {
    stack = await startStack({
      env: { BODY_LIMIT_BYTES: String(BODY_LIMIT), TOOLS_MAX_ROUNDS: '2' },
      instant: { behavior: { tokens: 3 } },
      thinking: { behavior: { tokens: 3, reasoningTokens: 2 } },
    });
  });
  afterAll(async () => {
    console.log(`fuzz: answers by status ${JSON.stringify(Object.fromEntries(seen))}`);
    await stack.close();
  });

  async function send(sent: Sent): Promise<void> {
    const headers: Record<string, string> = { ...authHeaders(), ...sent.headers };
    if (sent.contentType !== undefined) headers['content-type'] = sent.contentType;
    if (headers['content-type'] === '') delete headers['content-type'];
    const res = await fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers,
      body: sent.body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
    const contentType = res.headers.get('content-type') ?? '';
    if (res.status === 200 && contentType.startsWith('text/event-stream')) {
      if (!isStream(text)) throw new Error(`malformed stream: ${text.slice(0, 500)}`);
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`${res.status} with a body that is not JSON: ${text.slice(0, 300)}`);
    }
    if (res.status === 200) {
      if (!isCompletion(body))
        throw new Error(`200 that is not a completion: ${text.slice(0, 300)}`);
      return;
    }
    if (!ERROR_STATUSES.has(res.status)) {
      throw new Error(`unexpected status ${res.status}: ${text.slice(0, 300)}`);
    }
    if (!isEnvelope(body))
      throw new Error(`${res.status} without the envelope: ${text.slice(0, 300)}`);
    if (text.includes(TEST_KEY)) throw new Error('the key was echoed');
  }

  it('answers thousands of random, mutated and invalid bodies with an envelope or a completion', async () => {
    const result = await fc.check(fc.asyncProperty(request, send), {
      numRuns: 3_000,
      // Bounded in time on a slow, busy machine: fewer runs rather than a timeout.
      interruptAfterTimeLimit: 22_000,
      markInterruptAsFailure: false,
    });
    if (result.failed) throw new Error(fc.defaultReportMessage(result) ?? 'property failed');
    expect(result.numRuns).toBeGreaterThanOrEqual(500);
    // Still serving, and nothing left hanging.
    expect((await fetch(`${stack.url}/health/live`)).status).toBe(200);
    expect(
      (
        await fetch(`${stack.url}/v1/chat/completions`, {
          method: 'POST',
          headers: authHeaders(),
          body: JSON.stringify({ model: 'instant', messages: [{ role: 'user', content: 'ok?' }] }),
        })
      ).status,
    ).toBe(200);
  }, 60_000);
});

/*
 * Issue 13, must-be-true 4: 100 000 bodies, seeded, mutating every field of every endpoint's DTO
 * (chat, route, legacy completions, embeddings), reserved keys included. Driven in-process
 * through Fastify's `inject` on the real application (the same AppModule, hooks, parser, pipe,
 * guard and filter; only the client socket is simulated): over real sockets the test's own HTTP
 * client and the kernel cost more than the gateway does, and 100 000 runs would take minutes.
 * The upstreams are simulators over real sockets, answering at once. Tools named in bodies are
 * not registered ones: the tool loop has its own fuzz above and its own tests.
 */

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 100_000);
const FUZZ_SEED = 20261207;
const CONCURRENCY = 8;

type Json = Record<string, unknown>;

interface FuzzEndpoint {
  url: string;
  fields: readonly string[];
  valid: fc.Arbitrary<Json>;
  /** A 200's JSON body is right for this endpoint. */
  answers(body: unknown): boolean;
  chunkObject: string;
}

const chatBody = validBody.map((body) => ({
  ...body,
  ...(Array.isArray(body.tools)
    ? { tools: body.tools.map(() => ({ type: 'function', function: { name: 'lookup' } })) }
    : {}),
}));

const tokenIds = fc.array(fc.integer({ min: 0, max: 50_000 }), { minLength: 1, maxLength: 8 });

const ENDPOINTS: Record<string, FuzzEndpoint> = {
  chat: {
    url: '/v1/chat/completions',
    fields: CHAT_REQUEST_FIELDS,
    valid: chatBody,
    answers: isCompletion,
    chunkObject: 'chat.completion.chunk',
  },
  route: {
    url: '/v1/route',
    fields: CHAT_REQUEST_FIELDS,
    valid: chatBody,
    answers: (body) => {
      const b = body as { tier?: unknown; steps?: unknown };
      return (b.tier === 'instant' || b.tier === 'thinking') && Array.isArray(b.steps);
    },
    chunkObject: '',
  },
  completions: {
    url: '/v1/completions',
    fields: COMPLETION_REQUEST_FIELDS,
    valid: fc.record(
      {
        model: fc.constantFrom(...MODELS.slice(0, 5)),
        prompt: fc.oneof(text, fc.array(text, { minLength: 1, maxLength: 3 }), tokenIds),
        stream: fc.boolean(),
        stream_options: fc.record({ include_usage: fc.boolean() }),
        max_tokens: fc.integer({ min: 1, max: 16 }),
        temperature: fc.double({ min: 0, max: 2, noNaN: true }),
        n: fc.integer({ min: 1, max: 2 }),
        stop: fc.oneof(text, fc.array(text, { maxLength: 4 })),
        echo: fc.boolean(),
        user: text,
      },
      { requiredKeys: ['prompt'] },
    ),
    answers: (body) => (body as { object?: unknown }).object === 'text_completion',
    chunkObject: 'text_completion',
  },
  embeddings: {
    url: '/v1/embeddings',
    fields: EMBEDDING_REQUEST_FIELDS,
    valid: fc.record(
      {
        model: fc.constantFrom('embeddings', 'sim-embed'),
        input: fc.oneof(
          text.filter((t) => t.length > 0),
          fc.array(fc.string({ minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 4 }),
          tokenIds,
          fc.array(tokenIds, { minLength: 1, maxLength: 3 }),
        ),
        encoding_format: fc.constantFrom('float', 'base64'),
        user: text,
      },
      { requiredKeys: ['input'] },
    ),
    answers: (body) => (body as { object?: unknown }).object === 'list',
    chunkObject: '',
  },
};

/** One way of breaking a valid body of `endpoint`, every field of its DTO a target. */
function mutationOf(endpoint: FuzzEndpoint): fc.Arbitrary<(body: Json) => void> {
  const field = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...endpoint.fields) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    { weight: 1, arbitrary: fc.constantFrom('constructor', '__proto__', 'prototype') },
  );
  return fc.oneof(
    // A field set to anything, objects with reserved keys included.
    fc.tuple(field, anyJson).map(([name, value]) => (body: Json) => {
      Object.defineProperty(body, name, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }),
    // A field removed.
    fc.constantFrom(...endpoint.fields).map((name) => (body: Json) => void delete body[name]),
    // A reserved key put inside a field's value (an object, or an array's first item).
    fc
      .tuple(fc.constantFrom(...endpoint.fields), reservedKeyed)
      .map(([name, reserved]) => (body: Json) => {
        const value = body[name];
        const target = Array.isArray(value) ? (value[0] as unknown) : value;
        if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
          for (const key of Object.keys(reserved as object)) {
            Object.defineProperty(target, key, {
              value: (reserved as Json)[key],
              enumerable: true,
              writable: true,
              configurable: true,
            });
          }
        } else {
          body[name] = Array.isArray(value) ? [reserved, ...value] : reserved;
        }
      }),
    // An item of an array field replaced by anything.
    fc
      .tuple(fc.constantFrom(...endpoint.fields), fc.nat(3), anyJson)
      .map(([name, index, value]) => (body: Json) => {
        const items = body[name];
        if (Array.isArray(items) && items.length > 0) items[index % items.length] = value;
      }),
  );
}

interface FuzzCase {
  endpoint: string;
  body: string;
}

const fuzzCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  ...Object.entries(ENDPOINTS).map(([name, endpoint]) =>
    fc
      .tuple(endpoint.valid, fc.array(mutationOf(endpoint), { minLength: 0, maxLength: 3 }))
      .map(([valid, mutations]) => {
        const body = JSON.parse(JSON.stringify(valid)) as Json;
        for (const mutate of mutations) mutate(body);
        return { endpoint: name, body: JSON.stringify(body) };
      }),
  ),
);

describe('fuzz: 100 000 bodies on every endpoint, no 5xx and nothing outside the envelope (issue 13)', () => {
  let stack: Stack;
  let embed: RunningSimulator;
  const seen = new Map<string, number>();

  beforeAll(async () => {
    embed = await startSimulator({
      model: 'sim-embed',
      name: 'embed',
      behavior: { embeddingDims: 2 },
    });
    stack = await startStack({
      env: {
        BODY_LIMIT_BYTES: String(BODY_LIMIT),
        EMBEDDINGS_UPSTREAMS: embed.url,
        EMBEDDINGS_MODEL: embed.model,
        OTEL_SDK_DISABLED: 'true',
      },
      instant: { behavior: { tokens: 2 } },
      thinking: { behavior: { tokens: 2, reasoningTokens: 1 } },
    });
  });
  afterAll(async () => {
    console.log(
      `fuzz (100 000, inject): answers by endpoint and status ${JSON.stringify(Object.fromEntries(seen))}`,
    );
    await stack.close();
    await embed.close();
  });

  async function send({ endpoint, body }: FuzzCase): Promise<void> {
    const target = ENDPOINTS[endpoint];
    const res = await stack.app.getHttpAdapter().getInstance().inject({
      method: 'POST',
      url: target.url,
      headers: authHeaders(),
      payload: body,
    });
    const status = res.statusCode;
    const tally = `${endpoint} ${status}`;
    seen.set(tally, (seen.get(tally) ?? 0) + 1);
    const where = `${endpoint} ${body.slice(0, 300)} → ${status} ${res.body.slice(0, 300)}`;
    if (status >= 500) throw new Error(`5xx: ${where}`);
    if (status === 200 && String(res.headers['content-type']).startsWith('text/event-stream')) {
      if (!isStream(res.body, target.chunkObject)) throw new Error(`malformed stream: ${where}`);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.body);
    } catch {
      throw new Error(`not JSON: ${where}`);
    }
    if (status === 200) {
      if (!target.answers(parsed)) throw new Error(`200 that is not an answer: ${where}`);
      return;
    }
    if (!ERROR_STATUSES.has(status)) throw new Error(`unexpected status: ${where}`);
    if (!isEnvelope(parsed)) throw new Error(`outside the envelope: ${where}`);
  }

  it('answers every mutated body with an answer or an envelope, never a 5xx', async () => {
    let started = Date.now();
    // Generated up front from the seed (a failure names its index: rerun with the same seed),
    // then sent CONCURRENCY at a time, as callers would.
    const cases = fc.sample(fuzzCase, { numRuns: FUZZ_RUNS, seed: FUZZ_SEED });
    const generatedMs = Date.now() - started;
    started = Date.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < cases.length) {
        const index = next++;
        try {
          await send(cases[index]);
        } catch (error) {
          throw new Error(`case ${index} of seed ${FUZZ_SEED}: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    console.log(
      `fuzz: ${FUZZ_RUNS} bodies generated in ${generatedMs} ms, answered in ${Date.now() - started} ms`,
    );
    expect(seen.size).toBeGreaterThan(8);
    for (const endpoint of Object.keys(ENDPOINTS)) {
      expect(seen.get(`${endpoint} 200`) ?? 0).toBeGreaterThan(FUZZ_RUNS / 100);
      expect(seen.get(`${endpoint} 400`) ?? 0).toBeGreaterThan(FUZZ_RUNS / 100);
    }
  }, 900_000);
});
