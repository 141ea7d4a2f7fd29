import type { CurrencyCode } from './currency';
import { toDecimalString } from './money';

/**
 * Formats minor units for people, at the edge only (house style 10). Intl.NumberFormat receives the exact
 * decimal string (ES2023 accepts numeric strings), so no float ever carries the amount.
 */
export function formatMoney(amountMinor: number, currency: CurrencyCode, locale: string): string {
  const formatter = new Intl.NumberFormat(locale, { style: 'currency', currency });
  return formatter.format(toDecimalString(amountMinor, currency) as Intl.StringNumericLiteral);
}
