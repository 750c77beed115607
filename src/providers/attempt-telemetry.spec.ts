import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { ErrorCode, GatewayException } from '../common/errors';
import { ClientClosedError } from '../common/http';
import { MetricsService } from '../telemetry';
// The sampling mode the SDK module declares at boot (not part of the telemetry module's API).
import { assumeParentBasedSampling } from '../telemetry/tracing';
import { AttemptTelemetry, type UpstreamCallDescription } from './attempt-telemetry';

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
);

const UPSTREAM = 'http://10.0.0.7:8000/v1';
const chat = (stream: boolean): UpstreamCallDescription => ({
  operation: 'chat',
  model: 'Qwen/Qwen2.5-7B-Instruct',
  stream,
  body: { model: 'Qwen/Qwen2.5-7B-Instruct', messages: [{ role: 'user', content: 'pelican' }] },
});

function onlySpan(): ReadableSpan {
  const spans = exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0];
}

describe('AttemptTelemetry: one client span per upstream attempt (GenAI conventions)', () => {
  let metrics: MetricsService;
  let attempts: AttemptTelemetry;

  beforeEach(() => {
    exporter.reset();
    metrics = new MetricsService();
    attempts = new AttemptTelemetry({ metrics });
  });

  it('a whole answer: model, finish reasons and usage; its context is the traceparent to send', async () => {
    const traced = attempts.start(chat(false), 'instant', UPSTREAM, 1, ROOT_CONTEXT);
    expect(trace.getSpan(traced.context)?.spanContext().spanId).toMatch(/^[0-9a-f]{16}$/);
    traced.succeeded({
      raw: '…',
      value: {
        id: 'chatcmpl-1',
        model: 'Qwen/Qwen2.5-7B-Instruct',
        choices: [
          { index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' },
        ],
        usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
      },
    });
    const span = onlySpan();
    expect(span.name).toBe('chat Qwen/Qwen2.5-7B-Instruct');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'Qwen/Qwen2.5-7B-Instruct',
      'server.address': '10.0.0.7',
      'server.port': 8000,
      'gen_ai.response.model': 'Qwen/Qwen2.5-7B-Instruct',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 3,
    });
    const text = await metrics.render();
    expect(text).toContain(
      `gen_ai_client_operation_duration_seconds_count{gen_ai_operation_name="chat",gen_ai_request_model="Qwen/Qwen2.5-7B-Instruct",pool="instant",upstream="${UPSTREAM}",error_type=""} 1`,
    );
  });

  it('a stream: what the chunks say, and the time to the first content delta', async () => {
    const traced = attempts.start(chat(true), 'instant', UPSTREAM, 1, ROOT_CONTEXT);
    traced.chunk({ model: 'm-1', choices: [{ delta: { role: 'assistant', content: '' } }] });
    traced.firstContent();
    traced.chunk({ model: 'm-1', choices: [{ delta: { content: 'hi' }, finish_reason: 'stop' }] });
    traced.chunk({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 1 } });
    traced.end();
    const span = onlySpan();
    expect(span.attributes).toMatchObject({
      'gen_ai.response.model': 'm-1',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 5,
      'gen_ai.usage.output_tokens': 1,
    });
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThanOrEqual(0);
    expect(await metrics.render()).toMatch(
      /gen_ai_client_operation_time_to_first_chunk_seconds_count\{[^}]*pool="instant"[^}]*\} 1/,
    );
  });

  it('a failed attempt that is retried: error.type and ERROR; the retry has resend_count', () => {
    attempts
      .start(chat(false), 'instant', UPSTREAM, 1, ROOT_CONTEXT)
      .failed(new GatewayException(ErrorCode.UpstreamTimeout, 'timed out'), false);
    attempts.start(chat(false), 'instant', UPSTREAM, 2, ROOT_CONTEXT).succeeded({ value: {} });
    const [first, second] = exporter.getFinishedSpans();
    expect(first.status).toEqual({ code: SpanStatusCode.ERROR, message: 'timed out' });
    expect(first.attributes['error.type']).toBe('upstream_timeout');
    expect(first.attributes['http.request.resend_count']).toBeUndefined();
    expect(second.attributes['http.request.resend_count']).toBe(1);
    expect(second.status.code).toBe(SpanStatusCode.UNSET);
  });

  it.each([
    [
      'the caller left during the call',
      (t: ReturnType<AttemptTelemetry['start']>) => t.failed(new ClientClosedError(), true),
    ],
    [
      'the consumer stopped reading the stream',
      (t: ReturnType<AttemptTelemetry['start']>) => t.end(true),
    ],
  ])('%s: aborted, not an error', (_what, finish) => {
    finish(attempts.start(chat(true), 'instant', UPSTREAM, 1, ROOT_CONTEXT));
    const span = onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes['tiergate.aborted']).toBe(true);
    expect(span.attributes['error.type']).toBeUndefined();
  });

  it('ends once, whatever is reported after', () => {
    const traced = attempts.start(chat(true), 'instant', UPSTREAM, 1, ROOT_CONTEXT);
    traced.end();
    traced.end(true);
    traced.failed(new Error('late'), false);
    expect(exporter.getFinishedSpans()).toHaveLength(1);
    expect(onlySpan().status.code).toBe(SpanStatusCode.UNSET);
  });

  it('an attempt left out by parent-based sampling goes upstream with its parent’s context as is', () => {
    const unsampled = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.NONE,
    });
    assumeParentBasedSampling(true);
    try {
      const traced = attempts.start(chat(true), 'instant', UPSTREAM, 1, unsampled);
      expect(traced.context).toBe(unsampled);
      traced.end();
      const sampled = attempts.start(chat(true), 'instant', UPSTREAM, 1, ROOT_CONTEXT);
      expect(sampled.context).not.toBe(ROOT_CONTEXT);
      expect(trace.getSpan(sampled.context)?.isRecording()).toBe(true);
      sampled.end();
    } finally {
      assumeParentBasedSampling(false);
    }
    expect(exporter.getFinishedSpans()).toHaveLength(1);
  });

  it('records no message content unless content capture is on', () => {
    attempts.start(chat(false), 'instant', UPSTREAM, 1, ROOT_CONTEXT).succeeded({
      value: { choices: [{ message: { role: 'assistant', content: 'secret' } }] },
    });
    const captured = new AttemptTelemetry({ captureContent: true });
    const traced = captured.start(chat(true), 'instant', UPSTREAM, 1, ROOT_CONTEXT);
    traced.chunk({ choices: [{ delta: { content: 'an ' } }] });
    traced.chunk({ choices: [{ delta: { content: 'answer' }, finish_reason: 'stop' }] });
    traced.end();
    const [plain, withContent] = exporter.getFinishedSpans();
    expect(JSON.stringify(plain.attributes)).not.toMatch(/pelican|secret/);
    expect(JSON.parse(String(withContent.attributes['gen_ai.input.messages']))).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'pelican' }] },
    ]);
    expect(JSON.parse(String(withContent.attributes['gen_ai.output.messages']))).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'an answer' }], finish_reason: 'stop' },
    ]);
  });
  it('a plain content delta told by its text records what the chunk would have', () => {
    const captured = new AttemptTelemetry({ captureContent: true });
    const pieces = ['an ', '\u00e9', ''];
    const byChunk = captured.start(chat(true), 'instant', UPSTREAM, 1, ROOT_CONTEXT);
    const byText = captured.start(chat(true), 'instant', UPSTREAM, 1, ROOT_CONTEXT);
    for (const piece of pieces) {
      const chunk = { model: 'm-1', choices: [{ index: 0, delta: { content: piece } }] };
      byChunk.chunk(chunk);
      byText.content(piece, { chunk });
    }
    for (const traced of [byChunk, byText]) {
      traced.chunk({ model: 'm-1', choices: [{ delta: {}, finish_reason: 'stop' }] });
      traced.end();
    }
    const [one, other] = exporter.getFinishedSpans();
    expect(other.attributes['gen_ai.response.model']).toBe('m-1');
    expect(other.attributes).toEqual(one.attributes);
  });
});
