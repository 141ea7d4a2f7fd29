import type { CurrencyCode } from '../money/currency';
import { minorUnitExponent } from '../money/currency';
import { assertSafeMinor, MoneyRangeError } from '../money/money';

/**
 * Rates are finer than a cent (0.0230 EUR a minute), so they are integers in ten-thousandths of the
 * currency's major unit: "rate units". 1 EUR = 10 000 rate units = 100 cents, so 1 cent = 100 rate units.
 */
export const rateScaleDigits = 4;

/** Rate units in one minor unit of `currency` (100 for EUR; 10 000 for JPY). */
export function rateUnitsPerMinor(currency: CurrencyCode): bigint {
  return 10n ** BigInt(rateScaleDigits - minorUnitExponent(currency));
}

/**
 * Billing increments "first/next": the first `first` seconds are billed as a block, then every started
 * `next` seconds. 60/60 bills whole minutes; 30/6 bills 30 s then 6 s steps; 1/1 is per-second.
 */
export interface BillingIncrement {
  readonly first: number;
  readonly next: number;
}

/** What a call to one destination costs: all amounts in rate units (see `rateScaleDigits`). */
export interface Tariff {
  readonly pricePerMinute: number;
  readonly connectionFee: number;
  readonly increment: BillingIncrement;
}

/** Longest answered duration we ever price (a week): keeps every product far inside the safe range. */
export const maxPricedSeconds = 7 * 24 * 3600;
/** The most a minute or a connection may cost: 1 000 major units. */
export const maxRateUnits = 1000 * 10 ** rateScaleDigits;

/** Throws unless the tariff is within the ranges the formula is proven for. */
export function assertValidTariff(tariff: Tariff): void {
  const { pricePerMinute, connectionFee, increment } = tariff;
  for (const [name, value] of [['pricePerMinute', pricePerMinute], ['connectionFee', connectionFee]] as const) {
    if (!Number.isSafeInteger(value) || value < 0 || value > maxRateUnits) throw new RangeError(`Invalid ${name}: ${String(value)}`);
  }
  for (const [name, value] of [['first', increment.first], ['next', increment.next]] as const) {
    if (!Number.isSafeInteger(value) || value < 1 || value > 3600) throw new RangeError(`Invalid increment ${name}: ${String(value)}`);
  }
}

/**
 * Seconds billed for `answered` seconds: 0 for an unanswered call, otherwise the first block plus every
 * started `next` block after it.
 */
export function billedSeconds(answered: number, increment: BillingIncrement): number {
  if (!Number.isSafeInteger(answered) || answered < 0 || answered > maxPricedSeconds) {
    throw new RangeError(`Invalid answered seconds: ${String(answered)}`);
  }
  if (answered === 0) return 0;
  if (answered <= increment.first) return increment.first;
  const rest = answered - increment.first;
  return increment.first + Math.ceil(rest / increment.next) * increment.next;
}

function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator - 1n) / denominator;
}

/**
 * The cost of a call in minor units (docs/rating.md):
 *
 *   billed = billedSeconds(answered, increment)
 *   cost   = 0                                                          if answered = 0
 *          = ceil( (connectionFee + pricePerMinute × billed / 60) / unitsPerMinor )   otherwise
 *
 * computed in integers (BigInt) with one rounding, upward, to the minor unit at the very end: the customer
 * is never charged more than one minor unit above the exact price, and rounding never compounds.
 */
export function callCostMinor(tariff: Tariff, answeredSeconds: number, currency: CurrencyCode): number {
  assertValidTariff(tariff);
  const billed = BigInt(billedSeconds(answeredSeconds, tariff.increment));
  if (billed === 0n) return 0;
  // fee + ppm × billed / 60, kept exact by scaling everything by 60 before the single division.
  const scaled = BigInt(tariff.connectionFee) * 60n + BigInt(tariff.pricePerMinute) * billed;
  return assertSafeMinor(Number(ceilDiv(scaled, 60n * rateUnitsPerMinor(currency))));
}

/**
 * The longest call (in answered seconds) that `availableMinor` pays for in full, capped at `capSeconds`.
 * It is the largest billing boundary B = first + k × next (B ≤ cap) with callCostMinor(B) ≤ available; any
 * call up to B seconds costs at most that, and one second more would cost more than is available
 * (unless the cap was reached). 0 when even the first block is not affordable.
 */
export function maxFundedSeconds(tariff: Tariff, availableMinor: number, currency: CurrencyCode, capSeconds: number): number {
  assertValidTariff(tariff);
  assertSafeMinor(availableMinor);
  if (!Number.isSafeInteger(capSeconds) || capSeconds < 0 || capSeconds > maxPricedSeconds) {
    throw new MoneyRangeError(`Invalid cap: ${String(capSeconds)}`);
  }
  const { first, next } = tariff.increment;
  // cost(B) ≤ available  ⇔  ceil(scaled / (60·u)) ≤ available  ⇔  fee·60 + ppm·B ≤ available·60·u.
  const budget = BigInt(availableMinor) * 60n * rateUnitsPerMinor(currency) - BigInt(tariff.connectionFee) * 60n;
  if (budget < 0n) return 0;
  let limit = BigInt(capSeconds);
  if (tariff.pricePerMinute > 0) {
    const affordable = budget / BigInt(tariff.pricePerMinute);
    if (affordable < limit) limit = affordable;
  }
  if (limit < BigInt(first)) {
    // Only a call that ends before the first block is even possible: is the first block affordable?
    return limit === BigInt(capSeconds) && callCostMinor(tariff, Math.min(first, maxPricedSeconds), currency) <= availableMinor
      ? capSeconds
      : 0;
  }
  const blocks = (limit - BigInt(first)) / BigInt(next);
  return Number(BigInt(first) + blocks * BigInt(next));
}

/** Whole minutes `availableMinor` buys at this tariff (for the "minutes left" hint). */
export function minutesAffordable(tariff: Tariff, availableMinor: number, currency: CurrencyCode, capSeconds: number): number {
  return Math.floor(maxFundedSeconds(tariff, availableMinor, currency, capSeconds) / 60);
}
