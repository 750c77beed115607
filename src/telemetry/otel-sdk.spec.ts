import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { readOtelSettings } from '../config/otel-env';
import { hasTraceparent, shutdownOtelSdk, startOtelSdk } from './otel-sdk';

describe('startOtelSdk', () => {
  afterEach(() => shutdownOtelSdk());

  it("samples as the SDK's defaults say when OTEL_TRACES_SAMPLER is unset: every request, the caller's decision first", () => {
    const settings = readOtelSettings({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
      OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'http,undici',
    });
    expect(startOtelSdk(settings, '0.0.0-test')).toBe('exporting');
    const tracer = trace.getTracer('spec');
    // Spans are not ended: nothing is exported (there is no collector).
    for (let i = 0; i < 50; i++) {
      const span = tracer.startSpan('POST /v1/chat/completions', {}, ROOT_CONTEXT);
      expect(span.spanContext().traceFlags & TraceFlags.SAMPLED).toBe(TraceFlags.SAMPLED);
    }
    const unsampledParent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      traceFlags: TraceFlags.NONE,
      isRemote: true,
    });
    expect(tracer.startSpan('child', {}, unsampledParent).isRecording()).toBe(false);
  });
});

describe('hasTraceparent (undici request headers)', () => {
  it.each([
    [['content-type', 'application/json', 'traceparent', '00-…'], true],
    [['content-type', 'application/json', 'TraceParent', '00-…'], true],
    [['content-type', 'application/json'], false],
    ['host: a\r\ntraceparent: 00-…\r\n', true],
    ['host: a\r\nx-traceparent: 1\r\n', false],
  ])('%j → %s', (headers, expected) => {
    expect(hasTraceparent(headers)).toBe(expected);
  });
});
