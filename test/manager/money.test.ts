import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMoney } from '../../shared/money/format-money';
import { addMinor, MoneyRangeError, parseDecimalToMinor, subMinor, toDecimalString } from '../../shared/money/money';

const safe = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });

describe('money arithmetic', () => {
  it('adds and subtracts exactly, or throws outside the safe range', () => {
    fc.assert(
      fc.property(safe, safe, (a, b) => {
        const exact = BigInt(a) + BigInt(b);
        const inRange = exact <= BigInt(Number.MAX_SAFE_INTEGER) && exact >= BigInt(Number.MIN_SAFE_INTEGER);
        if (inRange) expect(BigInt(addMinor(a, b))).toBe(exact);
        else expect(() => addMinor(a, b)).toThrow(MoneyRangeError);
        const difference = BigInt(a) - BigInt(b);
        const differenceInRange = difference <= BigInt(Number.MAX_SAFE_INTEGER) && difference >= BigInt(Number.MIN_SAFE_INTEGER);
        if (differenceInRange) expect(BigInt(subMinor(a, b))).toBe(difference);
        else expect(() => subMinor(a, b)).toThrow(MoneyRangeError);
      }),
      { numRuns: 2000 },
    );
  });

  it('a + b - b === a whenever it does not overflow', () => {
    const small = fc.integer({ min: -(2 ** 50), max: 2 ** 50 });
    fc.assert(
      fc.property(small, small, (a, b) => {
        expect(subMinor(addMinor(a, b), b)).toBe(a);
      }),
    );
  });

  it('refuses floats, NaN, infinities and unsafe integers', () => {
    for (const bad of [0.1, 1.5, Number.NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53)]) {
      expect(() => addMinor(bad, 0)).toThrow(MoneyRangeError);
      expect(() => subMinor(0, bad)).toThrow(MoneyRangeError);
    }
  });

  it('round-trips decimal strings exactly', () => {
    fc.assert(
      fc.property(safe, (a) => {
        expect(parseDecimalToMinor(toDecimalString(a, 'EUR'), 'EUR')).toBe(a);
        expect(parseDecimalToMinor(toDecimalString(a, 'JPY'), 'JPY')).toBe(a);
      }),
    );
    expect(toDecimalString(5, 'EUR')).toBe('0.05');
    expect(toDecimalString(-1234, 'EUR')).toBe('-12.34');
    expect(parseDecimalToMinor('25', 'EUR')).toBe(2500);
    expect(parseDecimalToMinor('25.5', 'EUR')).toBe(2550);
    expect(() => parseDecimalToMinor('25.555', 'EUR')).toThrow(MoneyRangeError);
    expect(() => parseDecimalToMinor('1e3', 'EUR')).toThrow(MoneyRangeError);
    expect(() => parseDecimalToMinor('99999999999999999', 'EUR')).toThrow(MoneyRangeError);
  });

  it('formats at the edge with Intl, from the exact decimal', () => {
    expect(formatMoney(2500, 'EUR', 'en-IE')).toBe('€25.00');
    expect(formatMoney(2500, 'EUR', 'fr-FR').replace(/\s/g, ' ')).toBe('25,00 €');
    expect(formatMoney(Number.MAX_SAFE_INTEGER, 'EUR', 'en-US')).toBe('€90,071,992,547,409.91');
  });
});
