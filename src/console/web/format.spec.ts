import {
  formatClock,
  formatContext,
  formatCount,
  formatMoney,
  formatMs,
  formatRate,
  formatShare,
  formatSigned,
  NONE,
} from './format';

describe('the console formats', () => {
  it.each([
    [0, '0'],
    [1234, '1,234'],
    [999_999, '999,999'],
    [1_250_000, '1.3M'],
    [null, NONE],
    [Number.NaN, NONE],
  ])('count %p as %p', (value, text) => {
    expect(formatCount(value)).toBe(text);
  });

  it.each([
    [0.4219, '0.42 ms'],
    [12.4, '12 ms'],
    [999.4, '999 ms'],
    [1234, '1.23 s'],
    [null, NONE],
    [undefined, NONE],
  ])('milliseconds %p as %p', (value, text) => {
    expect(formatMs(value)).toBe(text);
  });

  it.each([
    [0, '0 %'],
    [0.0123, '1.2 %'],
    [0.5, '50 %'],
    [1, '100 %'],
    [null, NONE],
  ])('share %p as %p', (value, text) => {
    expect(formatShare(value)).toBe(text);
  });

  it.each([
    [0.254, '0.25/s'],
    [12.6, '13/s'],
    [null, NONE],
  ])('rate %p as %p', (value, text) => {
    expect(formatRate(value)).toBe(text);
  });

  it('keeps the significant digits of a fraction of a cent, rounds large amounts to cents', () => {
    expect(formatMoney(0.000123, 'USD')).toBe('$0.000123');
    expect(formatMoney(1.5, 'USD')).toBe('$1.50');
    expect(formatMoney(1234.567, 'USD')).toBe('$1,234.57');
    expect(formatMoney(0, 'EUR')).toBe('€0.00');
    expect(formatMoney(null, 'USD')).toBe(NONE);
  });

  it('writes an amount in a currency Intl does not know with its code', () => {
    expect(formatMoney(2, 'CREDITS')).toBe('2.0000 CREDITS');
  });

  it('signs contributions', () => {
    expect(formatSigned(3.4391)).toBe('+3.44');
    expect(formatSigned(-0.94)).toBe('−0.94');
  });

  it('writes times as a 24-hour clock, and nothing for a missing or broken time', () => {
    expect(formatClock('2026-12-07T17:05:09.000Z', 'UTC')).toBe('17:05:09');
    expect(formatClock(null)).toBe(NONE);
    expect(formatClock('yesterday')).toBe(NONE);
  });

  it('says when a context window is unknown', () => {
    expect(formatContext(8192)).toBe('8,192 tokens');
    expect(formatContext(null)).toBe('unknown');
  });
});
