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
