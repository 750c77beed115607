import type { FastifyReply, FastifyRequest } from 'fastify';
import { EventEmitter } from 'node:events';
import type { CallerIdentity } from '../auth';
import type { RequestAccounting } from '../common/usage';
import { Admission, type AdmissionGrant, type LimitsService, type ResponseEnd } from '../limits';
import type { RequestTelemetry } from '../telemetry';
import { admitAndServe, admitRequest } from './inference-admission';
import type { ModelCatalogService } from './model-catalog.service';

const CALLER: CallerIdentity = { keyName: 'team-a', policy: { limits: {} } };
const ACCOUNTED: RequestAccounting = {
  outcome: 'ok',
  reasoningTokens: 0,
  totalTokens: 3,
  usageReported: true,
  toolRounds: 0,
};

/** Limits that admit everything and record each settlement (the first one settles). */
function limits(headers: Record<string, string> = {}) {
  const settled: ResponseEnd[] = [];
  const admitted: CallerIdentity[] = [];
  const grant = (caller: CallerIdentity): AdmissionGrant => ({
    decision: 'admitted',
    admission: new Admission(caller, 'chat', undefined, false, undefined),
    headers,
    settle: (response) => {
      settled.push(response);
      return settled.length === 1 ? ACCOUNTED : undefined;
    },
  });
  const service = {
    callerOf: (caller: CallerIdentity | undefined) => caller ?? CALLER,
    admit: (caller: CallerIdentity) => {
      admitted.push(caller);
      return Promise.resolve(grant(caller));
    },
  } as unknown as LimitsService;
  return { service, settled, admitted };
}

/** A reply whose raw response closes when told to. */
function reply() {
  const raw = Object.assign(new EventEmitter(), {
    closed: false,
    writableFinished: true,
    statusCode: 200,
  });
  const headers: Record<string, string> = {};
  const value = {
    raw,
    headers: (h: Record<string, string>) => Object.assign(headers, h),
  } as unknown as FastifyReply;
  return { reply: value, raw, headers };
}

const OPTIONS = { endpoint: 'chat', promptTokens: 1, stream: false } as const;
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('admitRequest', () => {
  it('admits the request’s caller and sets the grant’s headers before anything is sent', async () => {
    const { service, admitted } = limits({ 'x-ratelimit-limit-requests': '5' });
    const { reply: r, headers } = reply();
    const admission = await admitRequest(service, { caller: CALLER } as FastifyRequest, r, OPTIONS);
    expect(admitted).toEqual([CALLER]);
    expect(admission.caller).toBe(CALLER);
    expect(headers).toEqual({ 'x-ratelimit-limit-requests': '5' });
  });

  it('settles once, with the raw response, when it closes', async () => {
    const { service, settled } = limits();
    const { reply: r, raw } = reply();
    await admitRequest(service, {} as FastifyRequest, r, OPTIONS);
    expect(settled).toHaveLength(0);
    raw.emit('close');
    raw.emit('close');
    await flush();
    expect(settled).toEqual([raw]);
  });

  it('settles at once a request whose caller left before it was admitted', async () => {
    const { service, settled } = limits();
    const { reply: r, raw } = reply();
    raw.closed = true;
    await admitRequest(service, {} as FastifyRequest, r, OPTIONS);
    await flush();
    expect(settled).toHaveLength(1);
  });

  it('with telemetry, settles just before the log line and hands it the accounting', async () => {
    const { service, settled } = limits();
    const { reply: r, raw } = reply();
    let finish: (() => void) | undefined;
    const telemetry = {
      beforeEnd: (f: () => void) => (finish = f),
    } as unknown as RequestTelemetry;
    await admitRequest(service, { telemetry } as FastifyRequest, r, OPTIONS);
    raw.emit('close');
    await flush();
    expect(settled).toHaveLength(0);
    finish?.();
    expect(settled).toEqual([raw]);
    expect(telemetry.accounting).toBe(ACCOUNTED);
  });
});

describe('admitAndServe', () => {
  const catalog = {
    defaultModel: 'instant',
    resolve: () => ({ kind: 'tier', tier: 'instant' }),
  } as unknown as ModelCatalogService;
  const boom = new Error('upstream gone');

  it.each<[string, (admission: Admission) => Promise<void>]>([
    ['rejected', () => Promise.reject(boom)],
    [
      'thrown before serve returns a promise',
      () => {
        throw boom;
      },
    ],
  ])(
    'records a failure of serve (%s) on the admission, once, and passes it on',
    async (_n, serve) => {
      const { service } = limits();
      const failures: unknown[] = [];
      let served: Admission | undefined;
      const result = admitAndServe(
        { limits: service, catalog },
        { request: {} as FastifyRequest, reply: reply().reply },
        { ...OPTIONS, model: undefined },
        (admission) => {
          served = admission;
          admission.fail = (error: unknown) => void failures.push(error);
          return serve(admission);
        },
      );
      await expect(result).rejects.toBe(boom);
      expect(served).toBeDefined();
      expect(failures).toEqual([boom]);
    },
  );

  it('resolves when serve does, with no failure recorded', async () => {
    const { service, admitted } = limits();
    const failures: unknown[] = [];
    await admitAndServe(
      { limits: service, catalog },
      { request: {} as FastifyRequest, reply: reply().reply },
      { ...OPTIONS, model: undefined },
      (admission) => {
        admission.fail = (error: unknown) => void failures.push(error);
        return Promise.resolve();
      },
    );
    expect(admitted).toEqual([CALLER]);
    expect(failures).toEqual([]);
  });
});
