import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { RequestLog } from './request-logging';
import { RequestTelemetry } from './request-telemetry';

describe('RequestTelemetry.beforeEnd', () => {
  const order: string[] = [];
  const log = { write: () => order.push('log line') } as unknown as RequestLog;
  const record = (): RequestTelemetry =>
    new RequestTelemetry(
      { method: 'POST', id: 'req-1' } as never,
      { raw: { writableFinished: true, statusCode: 200 } } as never,
      '/v1/chat/completions',
      undefined,
      {} as never,
      ROOT_CONTEXT,
      log,
    );

  beforeEach(() => (order.length = 0));

  it('runs every finisher once, in order, before the log line', () => {
    const telemetry = record();
    telemetry.beforeEnd(() => order.push('first'));
    telemetry.beforeEnd(() => order.push('second'));
    telemetry.end();
    telemetry.end();
    expect(order).toEqual(['first', 'second', 'log line']);
  });

  it('runs a finisher given after the end at once', () => {
    const telemetry = record();
    telemetry.end();
    telemetry.beforeEnd(() => order.push('late'));
    expect(order).toEqual(['log line', 'late']);
  });

  it('puts what a finisher records on the line', () => {
    const telemetry = record();
    let seen: unknown;
    (log as { write: (r: RequestTelemetry) => void }).write = (r) => (seen = r.accounting);
    telemetry.beforeEnd(() => {
      telemetry.accounting = {
        outcome: 'ok',
        reasoningTokens: 0,
        totalTokens: 3,
        usageReported: true,
        toolRounds: 0,
      };
    });
    telemetry.end();
    expect(seen).toMatchObject({ outcome: 'ok', totalTokens: 3 });
  });
});

describe('RequestTelemetry.addUsage', () => {
  it("sums the request's tokens over its calls and observes each call by tier and model", () => {
    const observe = jest.fn();
    const telemetry = new RequestTelemetry(
      { method: 'POST', id: 'req-2' } as never,
      { raw: { writableFinished: true, statusCode: 200 } } as never,
      '/v1/chat/completions',
      'chat',
      { tokenUsage: { observe }, requestsInFlight: { inc: jest.fn() } } as never,
      ROOT_CONTEXT,
    );
    telemetry.addUsage({ prompt_tokens: 10, completion_tokens: 2 }, 'thinking', 'qwq');
    telemetry.addUsage({ prompt_tokens: 14, completion_tokens: 'n/a' }, 'instant', 'qwen');
    telemetry.addUsage(null, 'instant', 'qwen');
    expect([telemetry.inputTokens, telemetry.outputTokens]).toEqual([24, 2]);
    const labels = (type: string, tier: string, model: string) => ({
      gen_ai_operation_name: 'chat',
      gen_ai_request_model: model,
      gen_ai_token_type: type,
      tier,
    });
    expect(observe.mock.calls).toEqual([
      [labels('input', 'thinking', 'qwq'), 10],
      [labels('output', 'thinking', 'qwq'), 2],
      [labels('input', 'instant', 'qwen'), 14],
    ]);
  });
});

describe('RequestTelemetry: the spend meter and the cost', () => {
  const make = (metrics: object) =>
    new RequestTelemetry(
      { method: 'POST', id: 'req-3' } as never,
      { raw: { writableFinished: true, statusCode: 200 } } as never,
      '/v1/chat/completions',
      undefined,
      metrics as never,
      ROOT_CONTEXT,
    );

  it('tells the usage observer each call with its tier and pool model id', () => {
    const telemetry = make({ tokenUsage: { observe: jest.fn() } });
    const observe = jest.fn();
    telemetry.usageObserver = { observe };
    telemetry.addUsage({ prompt_tokens: 1, completion_tokens: 2 }, 'thinking', 'qwq');
    telemetry.addUsage(undefined, 'instant', 'qwen');
    expect(observe.mock.calls).toEqual([
      [{ prompt_tokens: 1, completion_tokens: 2 }, 'thinking', 'qwq'],
    ]);
  });

  it('sets tiergate.cost on a recorded span', () => {
    const telemetry = make({});
    const setAttribute = jest.fn();
    Object.assign(telemetry, {
      recording: true,
      span: {
        setAttribute,
        setStatus: jest.fn(),
        end: jest.fn(),
        spanContext: () => ({ traceId: '', spanId: '', traceFlags: 0 }),
      },
    });
    telemetry.cost = 0.25;
    telemetry.end();
    expect(setAttribute).toHaveBeenCalledWith('tiergate.cost', 0.25);
  });
});
