import { Logger } from '@nestjs/common';
import type { ApiKeyService, CallerIdentity } from '../auth';
import { ErrorCode, GatewayException } from '../common/errors';
import { ClientClosedError } from '../common/http';
import type { RateLimitsConfig, RedisFailureMode } from '../config';
import type { AdmitRequest, LimitStore, SettleRequest, WindowState } from './limit-store.interface';
import type { Admission } from './admission';
import { LimitsService } from './limits.service';
import { MemoryLimitStore } from './memory-limit.store';
import type { UsageMetrics, UsageRecord } from './usage-metrics';

const STATE: WindowState = {
  window: 7,
  elapsedMs: 0,
  requests: { previous: 0, current: 1 },
  tokens: { previous: 0, current: 0 },
  inFlight: 1,
};

/** Records what it is asked; `failing` makes every call reject, as an unreachable Redis does. */
class FakeStore implements LimitStore {
  readonly kind = 'redis';
  healthy = true;
  failing = false;
  admitted: AdmitRequest[] = [];
  settled: SettleRequest[] = [];
  private leases = 0;
  newLeaseId() {
    return `lease-${++this.leases}`;
  }
  admit(request: AdmitRequest) {
    if (this.failing) return Promise.reject(new Error('down'));
    this.admitted.push(request);
    return Promise.resolve({ admitted: true, state: STATE });
  }
  settle(request: SettleRequest) {
    this.settled.push(request);
    return Promise.resolve();
  }
  peek() {
    return this.failing ? Promise.reject(new Error('down')) : Promise.resolve(STATE);
  }
}

function caller(limits: RateLimitsConfig): CallerIdentity {
  return { keyName: 'team-a', policy: { limits } };
}

function service(store: LimitStore, onError: RedisFailureMode = 'open') {
  const records: UsageRecord[] = [];
  const metrics = {
    record: (r: UsageRecord) => records.push(r),
    rateLimited: jest.fn(),
  } as unknown as UsageMetrics;
  // The part of the limits slice the service reads.
  const config = { limits: { reserveCompletionTokens: 100, redis: { onError } } };
  const keys = { anonymous: caller({}) } as unknown as ApiKeyService;
  return { limits: new LimitsService(store, keys, metrics, config as never), records, metrics };
}

/** How a response ended, as the settlement reads it. */
const finished = () => ({ writableFinished: true, statusCode: 200 });

describe('LimitsService', () => {
  beforeAll(() => jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined));
  afterAll(() => jest.restoreAllMocks());

  it.each<[string, RateLimitsConfig, Partial<Parameters<LimitsService['admit']>[1]>, number]>([
    ['prompt plus max_tokens', {}, { promptTokens: 40, maxTokens: 60 }, 100],
    ['prompt plus the default reservation', {}, { promptTokens: 40 }, 140],
    ['each of n choices', {}, { promptTokens: 40, maxTokens: 10, choices: 3 }, 70],
    ['capped at the key’s tpm', { tpm: 50 }, { promptTokens: 40, maxTokens: 60 }, 50],
    ['capped for absurd max_tokens', {}, { promptTokens: 1, maxTokens: 1e308 }, 1e9],
  ])('reserves %s', async (_name, limits, options, expected) => {
    const store = new FakeStore();
    const { limits: service_ } = service(store);
    await service_.admit(caller(limits), {
      endpoint: 'chat',
      promptTokens: 0,
      stream: false,
      ...options,
    });
    expect(store.admitted[0].tokens).toBe(expected);
  });

  it.each<[string, (a: Admission) => void, number, string]>([
    ['a success charges the reported usage', (a) => a.addUsage({ total_tokens: 30 }), 30, 'ok'],
    [
      'usage of several calls adds up',
      (a) => [1, 2].forEach(() => a.addUsage({ prompt_tokens: 5, completion_tokens: 10 })),
      30,
      'ok',
    ],
    ['a success without usage keeps the reservation', () => undefined, 140, 'ok'],
    ['an error without usage is charged nothing', (a) => a.fail(new Error('x')), 0, 'error'],
    ['an abort keeps the reservation', (a) => a.fail(new ClientClosedError()), 140, 'aborted'],
  ])('settles once when the response closed: %s', async (_name, during, charged, outcome) => {
    const store = new FakeStore();
    const { limits, records } = service(store);
    const grant = await limits.admit(caller({ rpm: 5 }), {
      endpoint: 'chat',
      promptTokens: 40,
      stream: false,
    });
    during(grant.admission);
    expect(grant.settle(finished())).toMatchObject({ outcome, totalTokens: expect.any(Number) });
    expect(grant.settle(finished())).toBeUndefined();
    expect(store.settled).toHaveLength(1);
    expect(store.settled[0]).toMatchObject({ key: 'team-a', window: 7, tokenDelta: charged - 140 });
    expect(records).toHaveLength(1);
    expect(records[0].outcome).toBe(outcome);
  });

  it('counts a response that closed before it finished as aborted', async () => {
    const store = new FakeStore();
    const { limits, records } = service(store);
    const grant = await limits.admit(caller({}), {
      endpoint: 'chat',
      promptTokens: 1,
      stream: true,
    });
    grant.settle({ writableFinished: false, statusCode: 200 });
    expect(records[0].outcome).toBe('aborted');
  });

  it('answers OpenAI’s headers for the reply, before anything is sent', async () => {
    const grant = await service(new FakeStore()).limits.admit(caller({ rpm: 5 }), {
      endpoint: 'chat',
      promptTokens: 1,
      stream: true,
    });
    expect(grant.decision).toBe('admitted');
    expect(grant.headers).toMatchObject({
      'x-ratelimit-limit-requests': '5',
      'x-ratelimit-remaining-requests': '4',
    });
  });

  it('refuses with 429, the limit named, retry-after and the headers, and counts it', async () => {
    const store = new MemoryLimitStore();
    const { limits, metrics } = service(store);
    const identity = caller({ rpm: 1 });
    await limits.admit(identity, {
      endpoint: 'chat',
      promptTokens: 1,
      stream: false,
    });
    const error = await limits
      .admit(identity, { endpoint: 'chat', promptTokens: 1, stream: false })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayException);
    const e = error as GatewayException;
    expect([e.status, e.code, e.type]).toEqual([
      429,
      ErrorCode.RateLimitExceeded,
      'rate_limit_error',
    ]);
    expect(e.headers).toMatchObject({
      'x-ratelimit-limit-requests': '1',
      'x-ratelimit-remaining-requests': '0',
    });
    expect(Number(e.headers?.['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(metrics.rateLimited).toHaveBeenCalledWith('team-a', 'rpm');
  });

  it('fail-open: admits without headers or reservation when the store is unreachable', async () => {
    const store = Object.assign(new FakeStore(), { failing: true });
    const { limits, records } = service(store, 'open');
    const grant = await limits.admit(caller({ rpm: 1 }), {
      endpoint: 'chat',
      promptTokens: 1,
      stream: false,
    });
    expect(grant.decision).toBe('unmetered');
    expect(grant.admission.reservation).toBeUndefined();
    expect(grant.headers).toEqual({});
    grant.settle(finished());
    expect(store.settled).toHaveLength(0);
    expect(records).toHaveLength(1);
  });

  it('fail-closed: 503 overloaded with retry-after when the store is unreachable', async () => {
    const store = Object.assign(new FakeStore(), { failing: true });
    const { limits } = service(store, 'closed');
    const error = (await limits
      .admit(caller({}), {
        endpoint: 'chat',
        promptTokens: 1,
        stream: false,
      })
      .catch((e: unknown) => e)) as GatewayException;
    expect([error.status, error.code]).toEqual([503, ErrorCode.Overloaded]);
    expect(error.headers).toEqual({ 'retry-after': '1' });
    await expect(limits.report(caller({}))).rejects.toMatchObject({ status: 503 });
  });
});

describe('LimitsService with budgets (the spend module)', () => {
  function withSpend(store: LimitStore) {
    const ticket = { headers: { 'x-gateway-budget-warning': 'threshold=0.8' }, settle: jest.fn() };
    const spend = { admit: jest.fn(() => Promise.resolve(ticket)) };
    const metrics = { record: jest.fn(), rateLimited: jest.fn() } as unknown as UsageMetrics;
    const config = { limits: { reserveCompletionTokens: 100, redis: { onError: 'open' } } };
    const keys = { anonymous: caller({}) } as unknown as ApiKeyService;
    const limits = new LimitsService(store, keys, metrics, config as never, spend as never);
    return { limits, spend, ticket };
  }

  it('checks the budget first, with the completion budget of each choice, and adds its headers', async () => {
    const { limits, spend, ticket } = withSpend(new MemoryLimitStore());
    const grant = await limits.admit(caller({ rpm: 10 }), {
      endpoint: 'chat',
      requestedModel: 'auto',
      promptTokens: 12.5,
      maxTokens: null,
      choices: 2,
      stream: false,
    });
    expect(spend.admit).toHaveBeenCalledWith('team-a', {
      endpoint: 'chat',
      requestedModel: 'auto',
      promptTokens: 13,
      completionTokens: 100,
      choices: 2,
    });
    expect(grant.spend).toBe(ticket);
    expect(grant.headers).toMatchObject({
      'x-gateway-budget-warning': 'threshold=0.8',
      'x-ratelimit-limit-requests': '10',
    });
    grant.admission.routed('instant', 'qwen');
    grant.settle(finished());
    expect(ticket.settle).toHaveBeenCalledWith({
      outcome: 'ok',
      usageReported: false,
      promptTokens: 13,
      streamedTokens: 0,
      tier: 'instant',
      model: 'qwen',
    });
  });

  it('a request refused by a rate limit gives its budget reservation back (settled as an error, at 0)', async () => {
    const { limits, ticket } = withSpend(new MemoryLimitStore());
    const options = { endpoint: 'chat' as const, promptTokens: 1, stream: false };
    await limits.admit(caller({ rpm: 1 }), options);
    await expect(limits.admit(caller({ rpm: 1 }), options)).rejects.toMatchObject({
      code: 'rate_limit_exceeded',
    });
    expect(ticket.settle).toHaveBeenCalledWith(
      expect.objectContaining({ outcome: 'error', usageReported: false, streamedTokens: 0 }),
    );
  });

  it('a budget refusal reaches the caller before any rate limit is counted', async () => {
    const store = new MemoryLimitStore();
    const { limits, spend } = withSpend(store);
    const refusal = new GatewayException(ErrorCode.InsufficientQuota, 'over budget');
    spend.admit.mockImplementationOnce(() => Promise.reject(refusal));
    await expect(
      limits.admit(caller({ rpm: 5 }), { endpoint: 'chat', promptTokens: 1, stream: false }),
    ).rejects.toBe(refusal);
    expect((await store.peek('team-a')).requests.current).toBe(0);
  });
});
