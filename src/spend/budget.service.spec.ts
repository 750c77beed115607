import { Logger } from '@nestjs/common';
import { GatewayException } from '../common/errors';
import { BudgetService, BUDGET_RESET_HEADER, BUDGET_WARNING_HEADER } from './budget.service';
import { MemorySpendStore } from './memory-spend.store';
import { toNanos } from './money';
import type { BudgetsOptions } from './spend.options';
import type { SpendStore } from './spend-store.interface';

// Threshold crossings are logged; the tests read them here rather than on the console.
const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
afterAll(() => warn.mockRestore());

const NOW = Date.parse('2026-12-07T17:00:00.000Z');
const TOMORROW = '2026-12-08T00:00:00.000Z';

const OPTIONS: BudgetsOptions = {
  default: { period: 'month', mode: 'soft', warnAt: [0.8, 0.95] },
  keys: {
    hard: { amount: 1, period: 'day', mode: 'hard', warnAt: [0.5] },
    soft: { amount: 1, period: 'day', mode: 'soft', warnAt: [0.5, 0.9] },
  },
  keyPrefix: 'x:',
};

function service(
  store: SpendStore = new MemorySpendStore(),
  onError: 'open' | 'closed' = 'closed',
) {
  return new BudgetService(OPTIONS, 'USD', store, onError, () => NOW);
}

const refusalOf = async (promise: Promise<unknown>): Promise<GatewayException> => {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(GatewayException);
  return error as GatewayException;
};

describe('BudgetService: hard budgets', () => {
  it('reserves while the budget holds, then refuses with 429 insufficient_quota and the reset time', async () => {
    const budgets = service();
    const reservation = (await budgets.reserve('hard', toNanos(0.4))).reservation;
    expect(reservation?.nanos).toBe(toNanos(0.4));
    await budgets.reserve('hard', toNanos(0.4));
    const refusal = await refusalOf(budgets.reserve('hard', toNanos(0.4)));
    expect([refusal.status, refusal.type, refusal.code]).toEqual([
      429,
      'insufficient_quota',
      'insufficient_quota',
    ]);
    expect(refusal.message).toContain(TOMORROW);
    expect(refusal.message).toContain('budget of 1 USD per day');
    expect(refusal.headers).toMatchObject({
      [BUDGET_RESET_HEADER]: TOMORROW,
      'retry-after': String(7 * 3600),
      'x-should-retry': 'false',
    });
  });

  it('settling a reservation to the real cost frees the difference', async () => {
    const budgets = service();
    const { reservation } = await budgets.reserve('hard', toNanos(0.9));
    await refusalOf(budgets.reserve('hard', toNanos(0.2)));
    await budgets.settle('hard', reservation, toNanos(0.1));
    expect((await budgets.reserve('hard', toNanos(0.2))).reservation).toBeDefined();
    expect(await budgets.statusOf('hard')).toEqual({
      period: 'day',
      periodStart: '2026-12-07T00:00:00.000Z',
      resetsAt: TOMORROW,
      amount: 1,
      spent: 0.3,
      remaining: 0.7,
      mode: 'hard',
    });
  });

  it('a request that costs nothing at worst reserves nothing', async () => {
    const store = new MemorySpendStore();
    const charge = jest.spyOn(store, 'charge');
    expect(await service(store).reserve('hard', 0)).toEqual({ headers: {} });
    expect(charge).not.toHaveBeenCalled();
  });
});

describe('BudgetService: thresholds (soft and hard alike)', () => {
  it('warns in a header once spend with the reservation reached a threshold, and logs each crossing once', async () => {
    warn.mockClear();
    const budgets = service();
    const headers = [];
    for (let i = 0; i < 4; i++) headers.push((await budgets.reserve('soft', toNanos(0.3))).headers);
    expect(headers.map((h) => h[BUDGET_WARNING_HEADER]?.split(';')[0])).toEqual([
      undefined,
      'threshold=0.5',
      'threshold=0.9',
      'threshold=0.9',
    ]);
    expect(headers[1][BUDGET_WARNING_HEADER]).toBe(
      `threshold=0.5; spent=0.6; budget=1; currency=USD; resets_at=${TOMORROW}`,
    );
    const crossings = warn.mock.calls.map(([message]) => String(message));
    expect(crossings).toEqual([
      expect.stringMatching(
        /API key 'soft' has spent 0\.6 of its 1 USD budget per day \(warning threshold 50 %\)/,
      ),
      expect.stringMatching(/spent 0\.9 of .*threshold 90 %/),
    ]);
  });

  it('a soft budget never refuses', async () => {
    const budgets = service();
    for (let i = 0; i < 5; i++) await budgets.reserve('soft', toNanos(0.5));
    expect((await budgets.reportOf('soft')).spent).toBe(2.5);
    expect((await budgets.reportOf('soft')).remaining).toBe(0);
  });
});

describe('BudgetService: no budget', () => {
  it('reserves nothing, adds the cost when the request ends, and reports a null budget', async () => {
    const budgets = service();
    expect(await budgets.reserve('someone', toNanos(5))).toEqual({ headers: {} });
    await budgets.settle('someone', undefined, toNanos(0.25));
    expect(await budgets.reportOf('someone')).toEqual({
      currency: 'USD',
      period: 'month',
      period_start: '2026-12-01T00:00:00.000Z',
      resets_at: '2027-01-01T00:00:00.000Z',
      spent: 0.25,
      budget: null,
      remaining: null,
      mode: null,
    });
    expect(await budgets.statusOf('someone')).toBeUndefined();
  });
});

describe('BudgetService: the store unreachable', () => {
  const broken = (): SpendStore => ({
    kind: 'redis',
    charge: () => Promise.reject(new Error('down')),
    adjust: () => Promise.reject(new Error('down')),
    peek: () => Promise.reject(new Error('down')),
  });

  it('on_error open: admitted unmetered', async () => {
    expect(await service(broken(), 'open').reserve('hard', toNanos(0.1))).toEqual({ headers: {} });
  });

  it('on_error closed: 503 overloaded', async () => {
    const refusal = await refusalOf(service(broken(), 'closed').reserve('hard', toNanos(0.1)));
    expect([refusal.status, refusal.code]).toEqual([503, 'overloaded']);
  });

  it('settling never throws; the report is a 503', async () => {
    await expect(service(broken()).settle('hard', undefined, 5)).resolves.toBeUndefined();
    expect((await refusalOf(service(broken()).reportOf('hard'))).status).toBe(503);
  });
});
