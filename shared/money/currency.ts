/**
 * ISO 4217 currencies the wallet accepts, with their minor-unit exponent. The list is short on purpose:
 * adding a currency is a product decision (card processor, rate deck and receipts must all support it).
 * Exponents from the ISO 4217 list maintained by SIX: https://www.six-group.com/en/products-services/financial-information/data-standards.html
 */
export const currencyExponents = {
  EUR: 2,
  USD: 2,
  GBP: 2,
  CHF: 2,
  DKK: 2,
  SEK: 2,
  NOK: 2,
  PLN: 2,
  CAD: 2,
  JPY: 0,
} as const;

/** An ISO 4217 alphabetic code the wallet supports. */
export type CurrencyCode = keyof typeof currencyExponents;

/** Every supported currency code, for schemas and pickers. */
export const currencyCodes = Object.keys(currencyExponents) as [CurrencyCode, ...CurrencyCode[]];

/** True when `code` is a supported ISO 4217 code (exact, upper case). */
export function isCurrencyCode(code: string): code is CurrencyCode {
  return Object.hasOwn(currencyExponents, code);
}

/** Digits after the decimal point in the currency's major unit (EUR 2: 1 EUR = 100 cents). */
export function minorUnitExponent(currency: CurrencyCode): number {
  return currencyExponents[currency];
}
