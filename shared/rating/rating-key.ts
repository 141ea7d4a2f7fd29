import type { RateNumberType } from './rate-deck';

/**
 * What a call must be priced as: a deck number type, or `fixed-or-mobile` where the destination's plan does
 * not tell landlines from mobiles (NANP, Denmark), which a landline or a mobile row may price.
 */
export type RateClass = RateNumberType | 'fixed-or-mobile';

/** The deck country of international networks that belong to no country (satellite, +800, +979...). */
export const nonGeographicRateCountry = 'XS';

/**
 * A rating key: `<country>/<class>/<digits>` (e.g. `US/premium/19005551234`, `FR/directory/FR:118712`).
 * `findRate` only takes a row of that country and of a type that may price that class, by longest prefix
 * of the digits: a premium number is never priced by the country's landline row, a Jamaican number never by
 * the US "+1" row, whatever prefixes a deck has. No matching row: no rate, and the call is refused.
 */
export function ratingKeyFor(country: string, rateClass: RateClass, digits: string): string {
  return `${country}/${rateClass}/${digits}`;
}

export interface ParsedRatingKey {
  readonly country: string;
  readonly rateClass: RateClass;
  readonly digits: string;
}

const rateClasses: ReadonlySet<string> = new Set<RateClass>(['landline', 'mobile', 'fixed-or-mobile', 'premium', 'shared-cost', 'directory', 'high-cost', 'toll-free', 'other']);

/** The parts of a rating key; null for a bare digit prefix (a legacy key) or anything malformed. */
export function parseRatingKey(key: string): ParsedRatingKey | null {
  const match = /^([A-Z]{2})\/([a-z-]+)\/([A-Z]{2}:\d{1,15}|\d{1,15})$/.exec(key);
  if (!match || !rateClasses.has(match[2] ?? '')) return null;
  return { country: match[1] ?? '', rateClass: match[2] as RateClass, digits: match[3] ?? '' };
}

/** The deck number types that may price a class, best first when two rows share a prefix. */
export function rowTypesFor(rateClass: RateClass): readonly RateNumberType[] {
  // A fixed-or-mobile number is priced as a mobile when the deck has both at the same prefix: the dearer
  // reading, so a mobile is never charged at a landline price.
  return rateClass === 'fixed-or-mobile' ? ['mobile', 'landline'] : [rateClass];
}
