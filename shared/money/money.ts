/**
 * Money as integer counts of the currency's minor unit (cents for EUR), never floats: every operation here
 * keeps an amount an integer within ±Number.MAX_SAFE_INTEGER, where JavaScript numbers are exact, and throws
 * instead of losing a cent (house style 10).
 */
import type { CurrencyCode } from './currency';
import { minorUnitExponent } from './currency';

/** Thrown when an amount is not a safe integer or an operation would leave the safe-integer range. */
export class MoneyRangeError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'MoneyRangeError';
  }
}

/** Throws unless `value` is an integer within ±Number.MAX_SAFE_INTEGER; returns it for chaining. */
export function assertSafeMinor(value: number): number {
  if (!Number.isSafeInteger(value)) {
    throw new MoneyRangeError(`Not a safe integer amount of minor units: ${String(value)}`);
  }
  return value;
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
