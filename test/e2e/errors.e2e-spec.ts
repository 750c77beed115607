import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  authHeaders,
  chat,
  expectErrorEnvelope,
  postJson,
  readSse,
  startStack,
  type Stack,
} from './harness';

describe('errors: every failure is an OpenAI envelope (docs/api.md §6)', () => {
  let stack: Stack;

  beforeAll(async () => {
    // These tests want the one instant replica's own failures to reach the caller: after a few
    // of them its circuit opens, and tier fallback would otherwise answer from thinking.
    const yaml = join(mkdtempSync(join(tmpdir(), 'tiergate-errors-')), 'gateway.yaml');
    writeFileSync(yaml, 'tiers:\n  instant: { fallback: false }\n');
    stack = await startStack({
      env: { BODY_LIMIT_BYTES: '65536', REQUEST_TIMEOUT_MS: '1500', GATEWAY_CONFIG: yaml },
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.instant.reset();
    stack.thinking.reset();
  });

  const endpoint = (): string => `${stack.url}/v1/chat/completions`;

  it('400 invalid_json for a body that does not parse', async () => {
    const res = await postJson(endpoint(), '{"messages": [', authHeaders());
    expect(res.status).toBe(400);
    expectErrorEnvelope(res.body, 'invalid_request_error', 'invalid_json');
  });

  it('400 for an empty body', async () => {
    const res = await postJson(endpoint(), '', authHeaders());
    expect(res.status).toBe(400);
    expectErrorEnvelope(res.body, 'invalid_request_error');
  });

  it('400 naming a missing field', async () => {
    const res = await postJson(endpoint(), { model: 'instant' });
    expect(res.status).toBe(400);
    expectErrorEnvelope(res.body, 'invalid_request_error', 'missing_required_parameter');
    expect(res.body.error.param).toBe('messages');
    expect(res.body.error.message).toContain("'messages'");
  });

  it.each([
    [{ model: 'instant', messages: 'hi' }, 'messages'],
    [{ model: 'instant', messages: [] }, 'messages'],
    [{ model: 'instant', messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role'],
    [{ model: 'instant', messages: [{ role: 'user', content: 5 }] }, 'messages[0].content'],
    [{ model: 'instant', messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id'],
    [chat('x', { model: 'instant', temperature: 'hot' }), 'temperature'],
    [chat('x', { model: 'instant', temperature: 3 }), 'temperature'],
    [chat('x', { model: 'instant', max_tokens: 0 }), 'max_tokens'],
    [chat('x', { model: 'instant', stream: 'yes' }), 'stream'],
    [chat('x', { model: 'instant', n: 1.5 }), 'n'],
    [chat('x', { model: 7 }), 'model'],
    [chat('x', { model: 'instant', tools: [{ type: 'function' }] }), 'tools'],
    [chat('x', { model: 'instant', tool_choice: 'sometimes' }), 'tool_choice'],
    [chat('x', { model: 'instant', reasoning_effort: 'extreme' }), 'reasoning_effort'],
    [
      chat('x', { model: 'instant', stream_options: { include_usage: 'yes' } }),
      'stream_options.include_usage',
    ],
  ])('400 invalid_value naming the wrong field: %j → %s', async (body, param) => {
    const res = await postJson(endpoint(), body);
    expect(res.status).toBe(400);
    expectErrorEnvelope(res.body, 'invalid_request_error');
    expect(res.body.error.param).toBe(param);
    expect(stack.instant.requests()).toHaveLength(0);
  });

  it('400 when the body is JSON but not an object', async () => {
    const res = await postJson(endpoint(), '[1,2,3]', authHeaders());
    expect(res.status).toBe(400);
    expectErrorEnvelope(res.body, 'invalid_request_error');
  });

  it('401 invalid_api_key without a key and with a wrong key, never echoing it', async () => {
    const none = await postJson(endpoint(), chat('hi'), { 'content-type': 'application/json' });
    expect(none.status).toBe(401);
    expectErrorEnvelope(none.body, 'invalid_request_error', 'invalid_api_key');
    const wrong = await postJson(endpoint(), chat('hi'), {
      'content-type': 'application/json',
      authorization: 'Bearer sk-wrong-secret-value',
    });
    expect(wrong.status).toBe(401);
    expectErrorEnvelope(wrong.body, 'invalid_request_error', 'invalid_api_key');
    expect(JSON.stringify(wrong.body)).not.toContain('sk-wrong-secret-value');
  });

  it('404 model_not_found listing the available names', async () => {
    const res = await postJson(endpoint(), chat('hi', { model: 'gpt-9' }));
    expect(res.status).toBe(404);
    expectErrorEnvelope(res.body, 'invalid_request_error', 'model_not_found');
    expect(res.body.error.param).toBe('model');
    for (const name of ['instant', 'thinking', 'auto', 'sim-instant', 'sim-thinking']) {
      expect(res.body.error.message).toContain(name);
    }
  });

  it('404 not_found for an unknown route', async () => {
    const res = await fetch(`${stack.url}/v1/nope`, { headers: authHeaders() });
    expect(res.status).toBe(404);
    expectErrorEnvelope(await res.json(), 'invalid_request_error', 'not_found');
  });

  it('413 request_too_large over the body limit', async () => {
    const res = await postJson(endpoint(), chat('x'.repeat(70_000), { model: 'instant' }));
    expect(res.status).toBe(413);
    expectErrorEnvelope(res.body, 'invalid_request_error', 'request_too_large');
  });

  it("passes the upstream's own 4xx through with its status and message", async () => {
    const res = await postJson(
      endpoint(),
      chat('hi', {
        model: 'instant',
        x_sim: { status: 400, error_message: 'This model has a bad day' },
      }),
    );
    expect(res.status).toBe(400);
    expectErrorEnvelope(res.body, 'invalid_request_error');
    expect(res.body.error.message).toBe('This model has a bad day');
  });

  it('maps an upstream context-length 400 to code context_length_exceeded', async () => {
    stack.instant.configure({ contextWindow: 10 } as never);
    const res = await postJson(endpoint(), chat('word '.repeat(400), { model: 'instant' }));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('context_length_exceeded');
    expect(res.body.error.message).toMatch(/maximum context length/);
  });

  it.each([
    ['a non-JSON body', { mode: 'garbage' }],
    ['a 500', { failRate: 1, failStatus: 500 }],
    ['a 503', { failRate: 1, failStatus: 503 }],
  ])(
    '502 upstream_error when the upstream answers %s, and the upstream body never leaks',
    async (_what, behavior) => {
      stack.instant.configure(behavior as never);
      const res = await postJson(endpoint(), chat('hi', { model: 'instant' }));
      expect(res.status).toBe(502);
      expectErrorEnvelope(res.body, 'api_error', 'upstream_error');
      expect(res.body.error.message).not.toMatch(/<html|<!DOCTYPE/i);
    },
  );

  it('502 upstream_error for a garbage stream before the first byte', async () => {
    stack.instant.configure({ mode: 'garbage' });
    const res = await postJson(endpoint(), chat('hi', { model: 'instant', stream: true }));
    expect(res.status).toBe(502);
    expectErrorEnvelope(res.body, 'api_error', 'upstream_error');
  });

  it('504 upstream_timeout when the upstream hangs past the tier timeout', async () => {
    stack.instant.configure({ mode: 'hang' });
    const res = await postJson(endpoint(), chat('hi', { model: 'instant' }));
    expect(res.status).toBe(504);
    expectErrorEnvelope(res.body, 'api_error', 'upstream_timeout');
  });

  it('an in-band error event after the first byte when the stream is cut, and no [DONE]', async () => {
    stack.instant.configure({ mode: 'cut', cutAfterChunks: 3 });
    const res = await fetch(endpoint(), {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify(chat('hi', { model: 'instant', stream: true })),
    });
    expect(res.status).toBe(200);
    const { data } = await readSse(res);
    expect(data.length).toBeGreaterThan(1);
    const last = JSON.parse(data[data.length - 1]);
    expectErrorEnvelope(last, 'api_error', 'upstream_error');
    expect(data).not.toContain('[DONE]');
  });

  it('an in-band error event when the stream carries invalid JSON', async () => {
    stack.instant.configure({ mode: 'corrupt', cutAfterChunks: 2 });
    const res = await fetch(endpoint(), {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify(chat('hi', { model: 'instant', stream: true })),
    });
    const { data } = await readSse(res);
    expectErrorEnvelope(JSON.parse(data[data.length - 1]), 'api_error', 'upstream_error');
  });
});

describe('errors: an unreachable upstream', () => {
  it('nothing listens at the upstream address: never 502; the other tier answers from the first request', async () => {
    const stack = await startStack({ env: { INSTANT_UPSTREAMS: 'http://127.0.0.1:9/v1' } });
    try {
      for (let i = 0; i < 2; i++) {
        const res = await postJson(
          `${stack.url}/v1/chat/completions`,
          chat('hi', { model: 'instant' }),
        );
        expect(res.status).toBe(200);
        expect(res.headers.get('x-gateway-route-reason')).toBe('fallback:instant->thinking');
      }
    } finally {
      await stack.close();
    }
  });
});
