import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ErrorCode, GatewayException } from '../common/errors';
import { ClientClosedError } from '../common/http';
import { assumeParentBasedSampling, errorTypeOf, startChildSpan } from './tracing';

const exporter = new InMemorySpanExporter();
// A sampler that is not parent-based: the shortcut must not depend on the SDK for its answer.
trace.setGlobalTracerProvider(
  new BasicTracerProvider({
    sampler: new AlwaysOnSampler(),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  }),
);

const unsampledParent = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  traceFlags: TraceFlags.NONE,
  isRemote: true,
});

describe('startChildSpan', () => {
  afterEach(() => {
    assumeParentBasedSampling(false);
    exporter.reset();
  });

  it('with parent-based sampling, a child of an unsampled span is a stand-in with its context', () => {
    assumeParentBasedSampling(true);
    const span = startChildSpan('route auto', undefined, unsampledParent);
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().spanId).toBe('00f067aa0ba902b7');
    span.end();
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('otherwise the SDK decides (here: always on)', () => {
    const span = startChildSpan('route auto', undefined, unsampledParent);
    expect(span.isRecording()).toBe(true);
    span.end();
    expect(exporter.getFinishedSpans()[0].parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
  });

  it('a sampled or absent parent always goes to the SDK', () => {
    assumeParentBasedSampling(true);
    startChildSpan('a', undefined, ROOT_CONTEXT).end();
    const parent = trace.setSpanContext(ROOT_CONTEXT, {
      ...trace.getSpanContext(unsampledParent)!,
      traceFlags: TraceFlags.SAMPLED,
    });
    startChildSpan('b', undefined, parent).end();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['a', 'b']);
  });
});

describe('errorTypeOf', () => {
  it.each([
    [new GatewayException(ErrorCode.UpstreamTimeout, 'x'), 'upstream_timeout'],
    [new TypeError('x'), 'TypeError'],
    ['a string', '_OTHER'],
    [new ClientClosedError(), undefined],
  ])('%s → %s', (error, type) => {
    expect(errorTypeOf(error)).toBe(type);
  });
});
