/** Money and rates formatted for people, at the edge, with Intl (house style 10). */
import type { RateView } from '../../../shared/api/rate-schemas.js';
import { formatMoney } from '../../../shared/money/format-money.js';
import type { CurrencyCode } from '../../../shared/money/currency.js';
import type { Tariff } from '../../../shared/rating/tariff.js';

export { formatMoney };

/**
 * A rate (exact decimal in major units, "0.0230") with as many decimals as it needs, at least the
 * currency's: "0,023 €" rather than a rounded "0,02 €" that would hide a third of the price.
 */
export function formatRate(decimal: string, currency: CurrencyCode, locale: string): string {
  const formatter = new Intl.NumberFormat(locale, { style: 'currency', currency, maximumFractionDigits: 4 });
  return formatter.format(decimal as Intl.StringNumericLiteral);
}

/** The tariff of a rate as the manager sent it ("60/60" increments). */
export function tariffOf(rate: RateView): Tariff {
  const [first, next] = rate.increment.split('/').map((part) => Number.parseInt(part, 10));
  return {
    pricePerMinute: rate.pricePerMinute.units,
    connectionFee: rate.connectionFee.units,
    increment: { first: first !== undefined && first > 0 ? first : 60, next: next !== undefined && next > 0 ? next : 60 },
  };
}
