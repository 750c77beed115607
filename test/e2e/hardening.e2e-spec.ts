import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  authHeaders,
  chat,
  expectErrorEnvelope,
  postJson,
  readSse,
  startStack,
  TEST_KEY,
  type Stack,
} from './harness';

const BOUNDS_YAML = `
limits:
  request: { max_messages: 16, max_content_chars: 4000, max_tools: 4, max_json_depth: 32 }
`;

function yamlFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tiergate-hardening-')), 'gateway.yaml');
  writeFileSync(file, text);
  return file;
}

/** `[[[…]]]` `depth` levels deep, as JSON text. */
const nestedJson = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

/** One raw HTTP/1.1 exchange, for what fetch refuses to send. */
function rawRequest(url: string, head: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(head));
    let text = '';
    socket.on('data', (b: Buffer) => (text += b.toString('latin1')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('raw request timed out')));
  });
}

describe('hardening: bounds, body size, headers, CORS off (docs/api.md §6)', () => {
  let stack: Stack;
  const endpoint = (): string => `${stack.url}/v1/chat/completions`;

  beforeAll(async () => {
    stack = await startStack({
      env: { BODY_LIMIT_BYTES: '65536', GATEWAY_CONFIG: yamlFile(BOUNDS_YAML) },
    });
  });
  afterAll(() => stack.close());

  it('mounts no middleware layer: @fastify/middie is not registered (issue 17)', () => {
    // Its onRequest hook ran on every request with nothing to run.
    expect(stack.app.getHttpAdapter().getInstance().hasDecorator('use')).toBe(false);
  });

  it('413 request_too_large for a body over the limit', async () => {
    const res = await postJson(endpoint(), chat('x'.repeat(70_000)));
    expect(res.status).toBe(413);
    expectErrorEnvelope(res.body, 'invalid_request_error', 'request_too_large');
    expect(res.body.error.message).toContain('65536 bytes');
  });

  it.each<[string, () => unknown, string | null, RegExp]>([
    [
      'too many messages',
      () => ({ messages: Array.from({ length: 17 }, () => ({ role: 'user', content: 'x' })) }),
      'messages',
      /17 messages; at most 16/,
    ],
    [
      'a message with too much text',
      () => chat('x'.repeat(4001)),
      'messages[0].content',
      /4001 characters of text; at most 4000/,
    ],
    [
      'too many tools',
      () =>
        chat('x', {
          tools: Array.from({ length: 5 }, (_, i) => ({
            type: 'function',
            function: { name: `t${i}` },
          })),
        }),
      'tools',
      /5 tools; at most 4/,
    ],
    [
      'a body nested too deeply',
      () => ({ ...chat('x'), metadata: JSON.parse(nestedJson(40)) }),
      null,
      /deeper than 32 levels/,
    ],
  ])('400 invalid_value for %s, naming it', async (_name, body, param, message) => {
    const res = await postJson(endpoint(), body());
    expect(res.status).toBe(400);
    expectErrorEnvelope(res.body, 'invalid_request_error', 'invalid_value');
    expect(res.body.error.param).toBe(param);
    expect(res.body.error.message).toMatch(message);
    expect(stack.instant.requests()).toHaveLength(0);
  });

  it('refuses 30 000 nested arrays with a 400, quickly, and keeps serving', async () => {
    const text = `{"messages":[{"role":"user","content":"x"}],"x":${nestedJson(30_000)}}`;
    const started = Date.now();
    const res = await postJson(endpoint(), text);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/deeper than 32 levels/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await fetch(`${stack.url}/health/live`)).status).toBe(200);
  });

  it('sends the security headers on answers, errors and probes, and no x-powered-by', async () => {
    const answers = [
      await fetch(endpoint(), {
        method: 'POST',
        headers: authHeaders(),
        body: JSON.stringify(chat('hi', { model: 'instant' })),
      }),
      await fetch(endpoint(), { method: 'POST', headers: authHeaders(), body: '{' }),
      await fetch(`${stack.url}/v1/models`, { headers: authHeaders() }),
      await fetch(`${stack.url}/health`),
      await fetch(`${stack.url}/nope`),
    ];
    for (const res of answers) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-powered-by')).toBeNull();
      await res.arrayBuffer();
    }
  });

  it('keeps a stream’s own headers: event-stream, no-cache, plus nosniff', async () => {
    const res = await fetch(endpoint(), {
      method: 'POST',
      headers: authHeaders(),
      body: JSON.stringify(chat('hi', { model: 'instant', stream: true })),
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await readSse(res)).data.at(-1)).toBe('[DONE]');
  });

  it('has CORS off by default: no CORS headers, and a preflight is an unknown route', async () => {
    const preflight = await fetch(endpoint(), {
      method: 'OPTIONS',
      headers: {
        origin: 'https://evil.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(preflight.status).toBe(404);
    expectErrorEnvelope(await preflight.json(), 'invalid_request_error', 'not_found');
    const simple = await fetch(`${stack.url}/v1/models`, {
      headers: { ...authHeaders(), origin: 'https://evil.example' },
    });
    expect(simple.status).toBe(200);
    for (const res of [preflight, simple]) {
      expect([...res.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
  });

  it.each<[string, string]>([
    ['too long', 'a'.repeat(200)],
    ['with characters a log or header must not carry', 'abc<script>"x"'],
    ['with a space', 'two words'],
  ])('replaces a request id %s with a new one', async (_name, given) => {
    const res = await rawRequest(
      stack.url,
      `GET /health/live HTTP/1.1\r\nhost: x\r\nx-request-id: ${given}\r\nconnection: close\r\n\r\n`,
    );
    const id = /^x-request-id: (.*)$/im.exec(res)?.[1]?.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('echoes a well-formed request id', async () => {
    const res = await fetch(`${stack.url}/health/live`, {
      headers: { 'x-request-id': 'client-req-1:a.b_c' },
    });
    expect(res.headers.get('x-request-id')).toBe('client-req-1:a.b_c');
  });

  it.each(['/v1/models/%E0%A4%A', '/v1/chat/completions%', '/%zz'])(
    'answers a malformed URL (%s) with the 400 envelope, not the router’s own body',
    async (path) => {
      const res = await fetch(`${stack.url}${path}`, { headers: authHeaders() });
      expect(res.status).toBe(400);
      expectErrorEnvelope(await res.json(), 'invalid_request_error', 'invalid_value');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    },
  );

  it('never echoes a presented key, right or wrong', async () => {
    const wrong = await postJson(endpoint(), chat('hi'), {
      ...authHeaders(),
      authorization: 'Bearer sk-wrong-and-secret',
    });
    expect(wrong.status).toBe(401);
    expectErrorEnvelope(wrong.body, 'invalid_request_error', 'invalid_api_key');
    expect(JSON.stringify(wrong.body)).not.toContain('sk-wrong-and-secret');
    const bad = await postJson(endpoint(), { messages: 'x' });
    expect(JSON.stringify(bad.body)).not.toContain(TEST_KEY);
  });
});

describe('hardening: CORS with an allowlist', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      env: { CORS_ALLOWED_ORIGINS: 'https://app.example,http://localhost:3000' },
    });
  });
  afterAll(() => stack.close());

  const preflight = (origin: string) =>
    fetch(`${stack.url}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });

  it('answers a preflight from a listed origin, without credentials', async () => {
    const res = await preflight('https://app.example');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('gives an origin that is not listed no permission', async () => {
    const res = await preflight('https://evil.example');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets a listed origin read the routing and rate-limit headers', async () => {
    const res = await fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...authHeaders(), origin: 'http://localhost:3000' },
      body: JSON.stringify(chat('hi', { model: 'instant' })),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    const exposed = res.headers.get('access-control-expose-headers') ?? '';
    for (const header of ['x-request-id', 'x-gateway-tier', 'x-ratelimit-remaining-requests']) {
      expect(exposed).toContain(header);
    }
    await res.arrayBuffer();
  });
});
