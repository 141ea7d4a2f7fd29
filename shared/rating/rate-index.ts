import type { RateDeck, RateRow } from './rate-deck';
import { parseRatingKey, rowTypesFor } from './rating-key';

/** A deck indexed for longest-prefix lookups and per-country listings. */
export interface RateIndex {
  readonly deck: RateDeck;
  /** Every row of each prefix (several countries or types may share one). */
  readonly byPrefix: ReadonlyMap<string, readonly RateRow[]>;
  readonly longestPrefix: number;
}

/** Indexes a parsed deck (`parseRateDeck` refuses a duplicate prefix, country and type). */
export function indexRateDeck(deck: RateDeck): RateIndex {
  const byPrefix = new Map<string, RateRow[]>();
  let longestPrefix = 0;
  for (const row of deck.rows) {
    const rows = byPrefix.get(row.prefix) ?? [];
    rows.push(row);
    byPrefix.set(row.prefix, rows);
    longestPrefix = Math.max(longestPrefix, row.prefix.length);
  }
  return { deck, byPrefix, longestPrefix };
}

/**
 * The rate for a rating key: the row with the longest prefix of the key's digits. A structured key
 * (`US/premium/19005551234`, shared/rating/rating-key.ts) only takes a row of its country and of a type
 * that may price its class; a bare prefix key ('442079460000', 'FR:118712') takes the first row of the
 * longest matching prefix. At most 16 map lookups, whatever the deck's size.
 */
export function findRate(index: RateIndex, ratingKey: string): RateRow | null {
  const parsed = parseRatingKey(ratingKey);
  const digits = parsed ? parsed.digits : ratingKey;
  const types = parsed ? rowTypesFor(parsed.rateClass) : null;
  for (let length = Math.min(index.longestPrefix, digits.length); length >= 1; length -= 1) {
    const rows = index.byPrefix.get(digits.slice(0, length));
    if (!rows) continue;
    if (!parsed || !types) return rows[0] ?? null;
    for (const type of types) {
      const row = rows.find((candidate) => candidate.country === parsed.country && candidate.numberType === type);
      if (row) return row;
    }
  }
  return null;
}

/** Every row for one ISO country, sorted by prefix, for the International Rates page. */
export function ratesForCountry(index: RateIndex, country: string): RateRow[] {
  return index.deck.rows
    .filter((row) => row.country === country)
    .sort((a, b) => a.prefix.localeCompare(b.prefix) || a.numberType.localeCompare(b.numberType));
}

/** Countries present in the deck with the destination name of their shortest prefix, sorted by name. */
export function deckCountries(index: RateIndex): Array<{ country: string; name: string }> {
  const names = new Map<string, { name: string; prefixLength: number }>();
  for (const row of index.deck.rows) {
    const current = names.get(row.country);
    // The shortest prefix is the country-wide row, whose destination reads "Germany" rather than "Germany - Mobile".
    if (!current || row.prefix.length < current.prefixLength) {
      names.set(row.country, { name: row.destination.split(' - ')[0] ?? row.destination, prefixLength: row.prefix.length });
    }
  }
  return [...names.entries()]
    .map(([country, { name }]) => ({ country, name }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
