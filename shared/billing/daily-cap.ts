import type { CurrencyCode } from '../money/currency';
import { minorUnitExponent } from '../money/currency';

/**
 * The daily spending cap a new company starts with, in minor units of its currency: about 50 EUR a day.
 * Enough for a small office's ordinary paid calls (at the sample deck's 0.02-0.30 EUR a minute, hours of
 * them), while a stolen password dialling premium or satellite numbers (1-10 EUR a minute) costs the
 * company at most that much a day instead of its whole balance and every automatic refill. The admin can
 * change or remove it (Settings, PUT /api/v1/company/daily-cap).
 */
const defaultDailyCapMajor: Readonly<Record<CurrencyCode, number>> = {
  EUR: 50,
  USD: 50,
  GBP: 50,
  CHF: 50,
  CAD: 75,
  DKK: 400,
  SEK: 600,
  NOK: 600,
  PLN: 200,
  JPY: 8000,
};

/** The default daily cap of a new company, minor units (EUR: 5000, i.e. 50.00 EUR). */
export function defaultDailyCapMinor(currency: CurrencyCode): number {
  return defaultDailyCapMajor[currency] * 10 ** minorUnitExponent(currency);
}
