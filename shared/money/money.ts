import type { CurrencyCode } from './currency';
import { isCurrencyCode, minorUnitExponent } from './currency';

/**
 * An amount of money: an integer count of the currency's minor unit (cents for EUR) and its ISO 4217 code.
 * Never a float: every operation below keeps the amount an integer within ±Number.MAX_SAFE_INTEGER, where
 * JavaScript numbers are exact, and throws instead of losing a cent (house style 10).
 */
export interface Money {
  readonly amountMinor: number;
  readonly currency: CurrencyCode;
}

/** Thrown when an amount is not a safe integer or an operation would leave the safe-integer range. */
export class MoneyRangeError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'MoneyRangeError';
  }
}

/** Thrown when two amounts of different currencies meet in one operation. */
export class CurrencyMismatchError extends TypeError {
  constructor(a: CurrencyCode, b: CurrencyCode) {
    super(`Currency mismatch: ${a} and ${b}`);
    this.name = 'CurrencyMismatchError';
  }
}

/** Throws unless `value` is an integer within ±Number.MAX_SAFE_INTEGER; returns it for chaining. */
export function assertSafeMinor(value: number): number {
  if (!Number.isSafeInteger(value)) {
    throw new MoneyRangeError(`Not a safe integer amount of minor units: ${String(value)}`);
  }
  return value;
}

/** Builds a Money after checking the amount and the currency code. */
export function money(amountMinor: number, currency: string): Money {
  if (!isCurrencyCode(currency)) {
    throw new TypeError(`Unsupported currency: ${currency}`);
  }
  return { amountMinor: assertSafeMinor(amountMinor), currency };
}

/** a + b in minor units; throws MoneyRangeError rather than return an inexact result. */
export function addMinor(a: number, b: number): number {
  assertSafeMinor(a);
  assertSafeMinor(b);
  // The sum of two safe integers is exact whenever it is itself safe, so checking the result suffices.
  return assertSafeMinor(a + b);
}

/** a - b in minor units; throws MoneyRangeError rather than return an inexact result. */
export function subMinor(a: number, b: number): number {
  assertSafeMinor(a);
  assertSafeMinor(b);
  return assertSafeMinor(a - b);
}

/** The sum of many minor-unit amounts, checked at every step. */
export function sumMinor(values: Iterable<number>): number {
  let total = 0;
  for (const value of values) total = addMinor(total, value);
  return total;
}

/** a + b for two Money values of the same currency. */
export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new CurrencyMismatchError(a.currency, b.currency);
  return { amountMinor: addMinor(a.amountMinor, b.amountMinor), currency: a.currency };
}

/** a - b for two Money values of the same currency. */
export function subMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new CurrencyMismatchError(a.currency, b.currency);
  return { amountMinor: subMinor(a.amountMinor, b.amountMinor), currency: a.currency };
}

/**
 * The amount as an exact decimal string in major units ("12.34", "-0.05", "7" for JPY). Built from the
 * integer's digits, never by dividing a float.
 */
export function toDecimalString(amountMinor: number, currency: CurrencyCode): string {
  assertSafeMinor(amountMinor);
  const exponent = minorUnitExponent(currency);
  const negative = amountMinor < 0;
  const digits = String(Math.abs(amountMinor));
  if (exponent === 0) return (negative ? '-' : '') + digits;
  const padded = digits.padStart(exponent + 1, '0');
  const whole = padded.slice(0, padded.length - exponent);
  const fraction = padded.slice(padded.length - exponent);
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/**
 * Parses a decimal string in major units ("25", "25.5", "25.50") into minor units, exactly. Refuses more
 * fraction digits than the currency has, signs other than a leading minus, exponents and whitespace.
 */
export function parseDecimalToMinor(text: string, currency: CurrencyCode): number {
  const exponent = minorUnitExponent(currency);
  const match = /^(-?)(\d{1,16})(?:\.(\d+))?$/.exec(text);
  if (!match) throw new MoneyRangeError(`Not a decimal amount: ${JSON.stringify(text)}`);
  const [, sign = '', whole = '0', fraction = ''] = match;
  if (fraction.length > exponent) {
    throw new MoneyRangeError(`Too many decimals for ${currency}: ${text}`);
  }
  const digits = whole + fraction.padEnd(exponent, '0');
  const value = Number(digits);
  // Parsing the digit string directly is exact for safe integers; a longer string is out of range.
  assertSafeMinor(value);
  return sign === '-' && value !== 0 ? -value : value;
}
