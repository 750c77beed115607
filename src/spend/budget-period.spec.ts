import {
  formatDurationMs,
  parseDurationMs,
  periodLabel,
  periodWindow,
  resetsAt,
  ROLLING_BUCKETS,
} from './budget-period';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('periodWindow: calendar periods in UTC', () => {
  it.each<[string, 'day' | 'week' | 'month', string, string, string]>([
    [
      'a day',
      'day',
      '2026-12-07T17:24:00.000Z',
      '2026-12-07T00:00:00.000Z',
      '2026-12-08T00:00:00.000Z',
    ],
    [
      'the last millisecond of a day',
      'day',
      '2026-12-07T23:59:59.999Z',
      '2026-12-07T00:00:00.000Z',
      '2026-12-08T00:00:00.000Z',
    ],
    [
      'the first of the next',
      'day',
      '2026-12-08T00:00:00.000Z',
      '2026-12-08T00:00:00.000Z',
      '2026-12-09T00:00:00.000Z',
    ],
    [
      'a week starts on Monday',
      'week',
      '2026-12-07T10:00:00.000Z',
      '2026-12-07T00:00:00.000Z',
      '2026-12-14T00:00:00.000Z',
    ],
    [
      'a Sunday belongs to the week before',
      'week',
      '2026-12-13T23:00:00.000Z',
      '2026-12-07T00:00:00.000Z',
      '2026-12-14T00:00:00.000Z',
    ],
    [
      'a week across a year',
      'week',
      '2027-01-01T12:00:00.000Z',
      '2026-12-28T00:00:00.000Z',
      '2027-01-04T00:00:00.000Z',
    ],
    [
      'a month',
      'month',
      '2026-12-31T23:59:59.999Z',
      '2026-12-01T00:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ],
    [
      'February of a leap year',
      'month',
      '2028-02-29T12:00:00.000Z',
      '2028-02-01T00:00:00.000Z',
      '2028-03-01T00:00:00.000Z',
    ],
  ])('%s', (_, period, now, start, end) => {
    const window = periodWindow({ period }, at(now));
    expect([iso(window.start), iso(window.end)]).toEqual([start, end]);
    // One bucket: the period itself.
    expect([window.bucket, window.first]).toEqual([window.start, window.start]);
    expect(window.name).toBe(period);
    expect(resetsAt(window, undefined)).toBe(at(end));
  });

  it('does not depend on the machine’s time zone (a local-time midnight is not UTC)', () => {
    const local = periodWindow({ period: 'day' }, at('2026-12-07T00:30:00.000+05:00'));
    expect(iso(local.start)).toBe('2026-12-06T00:00:00.000Z');
  });
});

describe('periodWindow: a rolling window', () => {
  const rolling = { period: 'rolling' as const, rollingMs: 24 * 3_600_000 };
  const bucketMs = (24 * 3_600_000) / ROLLING_BUCKETS;

  it('is kept as buckets of a 60th of the window, the oldest dropping out whole', () => {
    const now = at('2026-12-07T17:24:00.000Z');
    const window = periodWindow(rolling, now);
    expect(window.name).toBe('rolling:86400000');
    expect(window.bucketMs).toBe(bucketMs);
    expect(window.bucket % bucketMs).toBe(0);
    expect(window.bucket).toBeLessThanOrEqual(now);
    expect(now - window.bucket).toBeLessThan(bucketMs);
    expect(window.bucket - window.first).toBe((ROLLING_BUCKETS - 1) * bucketMs);
    expect(window.start).toBe(now - 24 * 3_600_000);
  });

  it('resets when its oldest spend leaves the window; with none, at the end of its bucket', () => {
    const now = at('2026-12-07T17:24:00.000Z');
    const window = periodWindow(rolling, now);
    const oldest = window.first + 3 * bucketMs;
    expect(resetsAt(window, oldest)).toBe(oldest + 24 * 3_600_000);
    expect(resetsAt(window, undefined)).toBe(window.bucket + bucketMs);
  });
});

describe('durations and labels', () => {
  it.each<[string, number | undefined]>([
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['90m', 5_400_000],
    ['30s', 30_000],
    ['1500ms', 1500],
    ['0h', undefined],
    ['1w', undefined],
    ['h', undefined],
  ])('parseDurationMs(%p) = %p', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it.each<[number, string]>([
    [86_400_000, '24h'],
    [604_800_000, '7d'],
    [5_400_000, '90m'],
    [1500, '1500ms'],
  ])('formatDurationMs(%p) = %p', (ms, text) => expect(formatDurationMs(ms)).toBe(text));

  it('labels a period for reports', () => {
    expect(periodLabel({ period: 'week' })).toBe('week');
    expect(periodLabel({ period: 'rolling', rollingMs: 86_400_000 })).toBe('rolling_24h');
  });
});
