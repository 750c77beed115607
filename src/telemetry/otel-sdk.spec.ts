import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { DEFAULT_TRACE_SAMPLE_RATIO, hasTraceparent, samplerFor } from './otel-sdk';

describe('samplerFor', () => {
  const decide = (traceId: string, parentFlags?: TraceFlags): SamplingDecision => {
    const sampler = samplerFor({})!;
    const context =
      parentFlags === undefined
        ? ROOT_CONTEXT
        : trace.setSpanContext(ROOT_CONTEXT, {
            traceId,
            spanId: '00f067aa0ba902b7',
            traceFlags: parentFlags,
            isRemote: true,
          });
    return sampler.shouldSample(
      context,
      traceId,
      'POST /v1/chat/completions',
      SpanKind.SERVER,
      {},
      [],
    ).decision;
  };

  it('leaves the choice to the SDK when OTEL_TRACES_SAMPLER is set', () => {
    expect(samplerFor({ sampler: 'always_on' })).toBeUndefined();
  });

  it(`traces about ${DEFAULT_TRACE_SAMPLE_RATIO * 100} % of the requests that come without a decision`, () => {
    let sampled = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const traceId = (i * 2654435761).toString(16).padStart(8, '0').repeat(4).slice(0, 32);
      if (decide(traceId) === SamplingDecision.RECORD_AND_SAMPLED) sampled++;
    }
    expect(sampled / n).toBeGreaterThan(DEFAULT_TRACE_SAMPLE_RATIO * 0.8);
    expect(sampled / n).toBeLessThan(DEFAULT_TRACE_SAMPLE_RATIO * 1.2);
  });

  it("always follows the caller's traceparent", () => {
    const traceId = 'ffffffffffffffffffffffffffffffff';
    expect(decide(traceId, TraceFlags.SAMPLED)).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide('00000000000000000000000000000001', TraceFlags.NONE)).toBe(
      SamplingDecision.NOT_RECORD,
    );
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
