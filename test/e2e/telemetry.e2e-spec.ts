import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  NodeTracerProvider,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-node';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createGatewayApp } from '../../src/app.factory';
import { loadGatewayConfig } from '../../src/config';
import { startSimulator, type RunningSimulator } from '../simulator';
import { TEST_KEY, authHeaders, chat, readSse, withSim } from './harness';

// Spans in-process: the global provider the gateway's tracer resolves, registered before any app
// exists, with the AsyncLocalStorage context manager and the W3C propagator (as the SDK would).
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();

const PROMPT = 'The secret word is pelican; what is 2+2?';

interface TelemetryStack {
  url: string;
  app: NestFastifyApplication;
  sims: RunningSimulator[];
  /** Every JSON line the gateway logged, parsed. */
  logs: Record<string, unknown>[];
  /** The raw text the gateway logged. */
  logText(): string;
  close(): Promise<void>;
}

/**
 * The real app on a real port, logging through pino into memory. `instant` has `replicas`
 * simulators behind a round-robin pool (so a failing first replica means one retry elsewhere).
 */
async function startTelemetryStack(
  options: { replicas?: number; captureContent?: boolean } = {},
): Promise<TelemetryStack> {
  const sims: RunningSimulator[] = [];
  for (let i = 0; i < (options.replicas ?? 1); i++) {
    sims.push(await startSimulator({ model: 'sim-instant', name: `instant-${i}` }));
  }
  const thinking = await startSimulator({ model: 'sim-thinking', name: 'thinking' });
  const file = join(mkdtempSync(join(tmpdir(), 'tiergate-telemetry-')), 'gateway.yaml');
  writeFileSync(
    file,
    JSON.stringify({
      pools: {
        instant: {
          balancing: 'round-robin',
          health_check: { enabled: false },
          upstreams: sims.map((sim) => ({ url: sim.url })),
        },
        thinking: { health_check: { enabled: false }, upstreams: [{ url: thinking.url }] },
      },
      tiers: {
        instant: { pool: 'instant', model: 'sim-instant' },
        thinking: { pool: 'thinking', model: 'sim-thinking' },
      },
    }),
  );
  const config = loadGatewayConfig({
    HOST: '127.0.0.1',
    GATEWAY_CONFIG: file,
    GATEWAY_API_KEYS: TEST_KEY,
    LOG_LEVEL: 'info',
  });
  let text = '';
  const logs: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString('utf8');
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  const app = await createGatewayApp(config, {
    logger: false,
    logDestination: destination,
    telemetry: { captureContent: options.captureContent ?? false },
  });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    sims: [...sims, thinking],
    logs,
    logText: () => text,
    async close() {
      await app.close();
      await Promise.all([...sims, thinking].map((sim) => sim.close()));
    },
  };
}

async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: authHeaders(headers),
    body: JSON.stringify(body),
    signal,
  });
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The finished server span of the request with that id, and every finished span of its trace. */
async function traceOf(
  requestId: string,
): Promise<{ server: ReadableSpan; spans: ReadableSpan[] }> {
  const server = await waitFor(`the server span of ${requestId}`, () =>
    exporter
      .getFinishedSpans()
      .find((s) => s.kind === SpanKind.SERVER && s.attributes['tiergate.request.id'] === requestId),
  );
  const traceId = server.spanContext().traceId;
  const spans = exporter
    .getFinishedSpans()
    .filter((s) => s.spanContext().traceId === traceId)
    // The root first, then by start time: a child started in the same tick may carry an equal or,
    // after clock anchoring, marginally earlier timestamp than its parent.
    .sort((a, b) => (a === server ? -1 : b === server ? 1 : hrMs(a.startTime) - hrMs(b.startTime)));
  return { server, spans };
}

const hrMs = ([s, ns]: [number, number]): number => s * 1e3 + ns / 1e6;
const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan): string => span.spanContext().spanId;
const named = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);

/** No attribute of any span says anything of the prompt. */
function expectNoContent(spans: ReadableSpan[]): void {
  for (const span of spans) {
    for (const [key, value] of Object.entries(span.attributes)) {
      expect(`${key}=${JSON.stringify(value)}`).not.toContain('pelican');
    }
  }
}

describe('Telemetry: spans, traceparent, /metrics and the request log (issue: observability)', () => {
  let stack: TelemetryStack;

  beforeAll(async () => {
    stack = await startTelemetryStack({ replicas: 2 });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    for (const sim of stack.sims) sim.reset();
  });

  it('a non-streaming request: server span → route span and one chat client span per attempt', async () => {
    const res = await post(stack.url, chat(PROMPT, { model: 'instant' }), {
      'x-request-id': 'tel-json',
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { usage: { prompt_tokens: number } };
    const { server, spans } = await traceOf('tel-json');

    expect(server.name).toBe('POST /v1/chat/completions');
    expect(server.parentSpanContext).toBeUndefined();
    expect(server.status.code).toBe(SpanStatusCode.UNSET);
    expect(server.attributes).toEqual({
      'http.request.method': 'POST',
      'http.route': '/v1/chat/completions',
      'http.response.status_code': 200,
      'tiergate.request.id': 'tel-json',
      'tiergate.api': 'chat',
      'tiergate.tier': 'instant',
      'tiergate.key.name': 'env-1',
    });

    const [route] = named(spans, 'route instant');
    expect(route.kind).toBe(SpanKind.INTERNAL);
    expect(parentOf(route)).toBe(idOf(server));
    expect(route.attributes).toEqual({
      'gen_ai.request.model': 'instant',
      'tiergate.tier': 'instant',
      'tiergate.route.step': 'model:instant',
    });

    const attempts = named(spans, 'chat sim-instant');
    expect(attempts).toHaveLength(1);
    const [attempt] = attempts;
    expect(attempt.kind).toBe(SpanKind.CLIENT);
    expect(parentOf(attempt)).toBe(idOf(server));
    expect(attempt.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'sim-instant',
      'gen_ai.response.model': 'sim-instant',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': answer.usage.prompt_tokens,
      'gen_ai.usage.output_tokens': expect.any(Number),
      'server.address': '127.0.0.1',
      'server.port': expect.any(Number),
    });
    expectNoContent(spans);

    // W3C trace context reached the simulator: this trace, the attempt span as parent.
    const received = stack.sims.flatMap((sim) => sim.requests());
    expect(received).toHaveLength(1);
    expect(received[0].headers.traceparent).toBe(
      `00-${server.spanContext().traceId}-${idOf(attempt)}-01`,
    );
  });

  it("continues the caller's trace from its traceparent", async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await post(stack.url, chat('hi', { model: 'instant' }), {
      'x-request-id': 'tel-parent',
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    });
    expect(res.status).toBe(200);
    const { server } = await traceOf('tel-parent');
    expect(server.spanContext().traceId).toBe(traceId);
    expect(parentOf(server)).toBe('00f067aa0ba902b7');
    const [received] = stack.sims.flatMap((sim) => sim.requests());
    expect(received.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  });

  it('a stream: the spans end when the stream ends, with time to first token', async () => {
    // 16 tokens 5 ms apart: the stream lasts about 80 ms after its first token.
    const res = await post(
      stack.url,
      withSim(chat(PROMPT, { model: 'instant', stream: true }), { token_interval_ms: 5 }),
      { 'x-request-id': 'tel-stream' },
    );
    expect(res.status).toBe(200);
    const { data } = await readSse(res);
    expect(data.at(-1)).toBe('[DONE]');
    const { server, spans } = await traceOf('tel-stream');
    const [attempt] = named(spans, 'chat sim-instant');

    expect(attempt.attributes).toMatchObject({
      'gen_ai.response.model': 'sim-instant',
      'gen_ai.response.finish_reasons': ['stop'],
    });
    // The gateway always asks for usage, so even a stream's span has its tokens.
    expect(attempt.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(attempt.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    expect(server.attributes['tiergate.time_to_first_token']).toBeGreaterThan(0);
    // Both spans last as long as the stream, not until its headers.
    const duration = (span: ReadableSpan): number => hrMs(span.duration);
    expect(duration(attempt)).toBeGreaterThan(60);
    expect(duration(server)).toBeGreaterThan(60);
    expect(hrMs(server.endTime)).toBeGreaterThanOrEqual(hrMs(attempt.endTime) - 1);
    expectNoContent(spans);
  });

  it('a caller that leaves mid-stream ends the spans as aborted, not as errors', async () => {
    const controller = new AbortController();
    const res = await post(
      stack.url,
      withSim(chat('hi', { model: 'instant', stream: true }), {
        tokens: 200,
        token_interval_ms: 20,
      }),
      { 'x-request-id': 'tel-abort' },
      controller.signal,
    );
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.cancel().catch(() => undefined);
    const { server, spans } = await traceOf('tel-abort');
    const [attempt] = named(spans, 'chat sim-instant');
    expect(server.attributes['tiergate.aborted']).toBe(true);
    expect(server.status.code).toBe(SpanStatusCode.UNSET);
    await waitFor('the attempt span', () =>
      exporter.getFinishedSpans().includes(attempt) ? attempt : undefined,
    );
    expect(attempt.attributes['tiergate.aborted']).toBe(true);
    expect(attempt.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('a retried request: one client span per attempt, each with its own traceparent', async () => {
    const [failing, healthy] = stack.sims;
    failing.configure({ failRate: 1, failStatus: 503 });
    // Round-robin: within two requests, one starts on the failing replica and is retried.
    let retried: { server: ReadableSpan; spans: ReadableSpan[] } | undefined;
    for (let i = 0; i < 4 && !retried; i++) {
      const res = await post(stack.url, chat('hi', { model: 'instant' }), {
        'x-request-id': `tel-retry-${i}`,
      });
      expect(res.status).toBe(200);
      const trace = await traceOf(`tel-retry-${i}`);
      if (named(trace.spans, 'chat sim-instant').length === 2) retried = trace;
    }
    expect(retried).toBeDefined();
    const { server, spans } = retried!;
    const [first, second] = named(spans, 'chat sim-instant');
    expect(parentOf(first)).toBe(idOf(server));
    expect(parentOf(second)).toBe(idOf(server));
    expect(first.attributes['http.request.resend_count']).toBeUndefined();
    expect(first.status.code).toBe(SpanStatusCode.ERROR);
    expect(first.attributes['error.type']).toBe('upstream_error');
    expect(first.attributes['server.port']).toBe(failing.port);
    expect(second.attributes).toMatchObject({
      'http.request.resend_count': 1,
      'server.port': healthy.port,
      'gen_ai.response.model': 'sim-instant',
    });
    expect(second.status.code).toBe(SpanStatusCode.UNSET);
    // The retry rescued the request: the server span is no error.
    expect(server.status.code).toBe(SpanStatusCode.UNSET);
    const traceId = server.spanContext().traceId;
    expect(failing.requests().at(-1)?.headers.traceparent).toBe(`00-${traceId}-${idOf(first)}-01`);
    expect(healthy.requests().at(-1)?.headers.traceparent).toBe(`00-${traceId}-${idOf(second)}-01`);
    failing.reset();
  });

  it('a tool loop: chat, execute_tool and chat again, all under the server span', async () => {
    const res = await post(
      stack.url,
      withSim(
        chat(PROMPT, {
          model: 'instant',
          tools: [{ type: 'function', function: { name: 'calculator' } }],
        }),
        { tool_calls: [{ name: 'calculator', arguments: JSON.stringify({ expression: '2+2' }) }] },
      ),
      { 'x-request-id': 'tel-tools' },
    );
    expect(res.status).toBe(200);
    const { server, spans } = await traceOf('tel-tools');
    expect(spans.map((s) => s.name)).toEqual([
      'POST /v1/chat/completions',
      'route instant',
      'chat sim-instant',
      'execute_tool calculator',
      'chat sim-instant',
    ]);
    for (const span of spans.slice(1)) expect(parentOf(span)).toBe(idOf(server));
    const [tool] = named(spans, 'execute_tool calculator');
    expect(tool.kind).toBe(SpanKind.INTERNAL);
    expect(tool.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'calculator',
      'gen_ai.tool.type': 'function',
      'tiergate.tool.outcome': 'ok',
    });
    expect(tool.attributes['gen_ai.tool.call.id']).toMatch(/^call_/);
    expect(tool.attributes['gen_ai.tool.call.arguments']).toBeUndefined();
    expect(tool.attributes['gen_ai.tool.call.result']).toBeUndefined();
    const [round1, round2] = named(spans, 'chat sim-instant');
    expect(round1.attributes['gen_ai.response.finish_reasons']).toEqual(['tool_calls']);
    expect(round2.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
    expect(round2.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(
      Number(round1.attributes['gen_ai.usage.input_tokens']),
    );
    expectNoContent(spans);
  });

  it('a request refused before routing still gets its server span', async () => {
    const res = await fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'tel-401' },
      body: JSON.stringify(chat('hi')),
    });
    expect(res.status).toBe(401);
    const { server, spans } = await traceOf('tel-401');
    expect(spans).toHaveLength(1);
    expect(server.attributes['http.response.status_code']).toBe(401);
    // A 4xx is the caller's doing: not an error of the gateway's span.
    expect(server.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('/metrics: requests, durations, tokens, time to first token, upstream attempts, tools', async () => {
    const text = await (await fetch(`${stack.url}/metrics`)).text();
    const line = (pattern: RegExp): number => {
      const match = pattern.exec(text);
      if (!match) throw new Error(`no line matches ${pattern}`);
      return Number(match[1]);
    };
    expect(
      line(
        /^tiergate_requests_total\{operation="chat",api="chat",tier="instant",model="instant",status="200"\} (\d+)$/m,
      ),
    ).toBeGreaterThanOrEqual(5);
    expect(
      line(
        /^tiergate_requests_total\{operation="chat",api="chat",tier="",model="",status="401"\} (\d+)$/m,
      ),
    ).toBe(1);
    expect(
      line(
        /^tiergate_requests_total\{operation="chat",api="chat",tier="instant",model="instant",status="499"\} (\d+)$/m,
      ),
    ).toBe(1);
    expect(line(/^tiergate_requests_in_flight\{operation="chat",api="chat"\} (\d+)$/m)).toBe(0);
    expect(
      line(
        /^gen_ai_server_request_duration_seconds_count\{gen_ai_operation_name="chat",api="chat",gen_ai_request_model="instant",tier="instant",error_type=""\} (\d+)$/m,
      ),
    ).toBeGreaterThanOrEqual(5);
    expect(
      line(
        /^gen_ai_server_time_to_first_token_seconds_count\{gen_ai_operation_name="chat",gen_ai_request_model="instant",tier="instant"\} (\d+)$/m,
      ),
    ).toBeGreaterThanOrEqual(2);
    expect(
      line(
        /^gen_ai_client_token_usage_count\{gen_ai_operation_name="chat",gen_ai_request_model="sim-instant",gen_ai_token_type="input",tier="instant"\} (\d+)$/m,
      ),
    ).toBeGreaterThanOrEqual(5);
    expect(text).toMatch(
      /^gen_ai_client_token_usage_bucket\{le="16",gen_ai_operation_name="chat",gen_ai_request_model="sim-instant",gen_ai_token_type="output",tier="instant"\} \d+$/m,
    );
    const failing = `${stack.sims[0].url}`;
    expect(
      line(
        new RegExp(
          `^gen_ai_client_operation_duration_seconds_count\\{gen_ai_operation_name="chat",gen_ai_request_model="sim-instant",pool="instant",upstream="${failing}",error_type="upstream_error"\\} (\\d+)$`,
          'm',
        ),
      ),
    ).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(
      /^gen_ai_client_operation_time_to_first_chunk_seconds_count\{gen_ai_operation_name="chat",gen_ai_request_model="sim-instant",pool="instant",upstream="[^"]+"\} [1-9]/m,
    );
    expect(
      line(/^tiergate_upstream_retries_total\{pool="instant",reason="[a-z_]+"\} (\d+)$/m),
    ).toBeGreaterThanOrEqual(1);
    expect(line(/^tiergate_tool_calls_total\{tool="calculator",outcome="ok"\} (\d+)$/m)).toBe(1);
    expect(line(/^tiergate_tool_call_duration_seconds_count\{tool="calculator"\} (\d+)$/m)).toBe(1);
    expect(
      line(/^tiergate_route_decisions_total\{tier="instant",reason="model:instant"\} (\d+)$/m),
    ).toBeGreaterThanOrEqual(5);
    expect(text).toMatch(/^tiergate_upstream_in_flight\{pool="instant",upstream="[^"]+"\} 0$/m);
    expect(text).toMatch(
      /^tiergate_upstream_state\{pool="instant",upstream="[^"]+",state="healthy"\} 1$/m,
    );
    expect(text).toContain('# TYPE tiergate_upstream_shed_total counter');
    expect(text).toContain('# TYPE tiergate_rate_limited_total counter');
  });

  it('logs one JSON line per request: ids, key name, tier, model, status, duration, tokens; no secrets, no prompt', async () => {
    const lines = stack.logs.filter((l) => l.msg === 'request completed');
    const json = lines.find((l) => l.request_id === 'tel-json');
    const { server } = await traceOf('tel-json');
    expect(json).toMatchObject({
      level: 'info',
      request_id: 'tel-json',
      trace_id: server.spanContext().traceId,
      span_id: idOf(server),
      trace_sampled: true,
      method: 'POST',
      route: '/v1/chat/completions',
      status: 200,
      key: 'env-1',
      operation: 'chat',
      api: 'chat',
      tier: 'instant',
      model: 'instant',
      upstream_model: 'sim-instant',
      route_reason: 'model:instant',
      stream: false,
    });
    expect(json!.duration_ms).toEqual(expect.any(Number));
    expect(json!.tokens_in).toBeGreaterThan(0);
    expect(json!.tokens_out).toBeGreaterThan(0);
    const streamed = lines.find((l) => l.request_id === 'tel-stream');
    expect(streamed).toMatchObject({ stream: true, status: 200 });
    expect(streamed!.ttft_ms).toEqual(expect.any(Number));
    expect(lines.find((l) => l.request_id === 'tel-abort')).toMatchObject({
      status: 499,
      aborted: true,
      // The key's accounting settles before the line is written, whatever ended the request.
      outcome: 'aborted',
    });
    expect(json).toMatchObject({ outcome: 'ok', usage_reported: true, tool_rounds: 0 });
    // One line per request: the usage is on it, not on a second line.
    expect(stack.logs.filter((l) => l.request_id === 'tel-json')).toHaveLength(1);
    // Probes and scrapes are not logged.
    expect(lines.some((l) => l.route === '/metrics')).toBe(false);
    const all = stack.logText();
    expect(all).not.toContain(TEST_KEY);
    expect(all.toLowerCase()).not.toContain('bearer');
    expect(all).not.toContain('pelican');
  });
});

describe('Telemetry with content capture (OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT)', () => {
  let stack: TelemetryStack;

  beforeAll(async () => {
    stack = await startTelemetryStack({ captureContent: true });
  });
  afterAll(() => stack.close());

  it('records prompts, completions and tool arguments and results on the spans', async () => {
    const res = await post(
      stack.url,
      withSim(
        chat(PROMPT, {
          model: 'instant',
          tools: [{ type: 'function', function: { name: 'calculator' } }],
        }),
        { tool_calls: [{ name: 'calculator', arguments: JSON.stringify({ expression: '2+2' }) }] },
      ),
      { 'x-request-id': 'tel-capture' },
    );
    expect(res.status).toBe(200);
    const { spans } = await traceOf('tel-capture');
    const [round1, round2] = named(spans, 'chat sim-instant');
    const input = JSON.parse(String(round1.attributes['gen_ai.input.messages'])) as unknown[];
    expect(input).toEqual([{ role: 'user', parts: [{ type: 'text', content: PROMPT }] }]);
    expect(String(round2.attributes['gen_ai.output.messages'])).toMatch(/Tool results: .*4/);
    const [tool] = named(spans, 'execute_tool calculator');
    expect(tool.attributes['gen_ai.tool.call.arguments']).toBe('{"expression":"2+2"}');
    expect(String(tool.attributes['gen_ai.tool.call.result'])).toContain('4');
    // Logs stay content-free whatever the spans say.
    expect(stack.logText()).not.toContain('pelican');
  });
});
