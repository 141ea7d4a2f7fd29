import type { RateDeck, RateRow } from './rate-deck';

/** A deck indexed for longest-prefix lookups and per-country listings. */
export interface RateIndex {
  readonly deck: RateDeck;
  readonly byPrefix: ReadonlyMap<string, RateRow>;
  readonly longestPrefix: number;
}

/** Indexes a parsed deck (prefixes are unique: `parseRateDeck` refuses duplicates). */
export function indexRateDeck(deck: RateDeck): RateIndex {
  const byPrefix = new Map<string, RateRow>();
  let longestPrefix = 0;
  for (const row of deck.rows) {
    byPrefix.set(row.prefix, row);
    longestPrefix = Math.max(longestPrefix, row.prefix.length);
  }
  return { deck, byPrefix, longestPrefix };
}

/**
 * The rate for a rating key (E.164 digits, or 'FR:118712'): the row with the longest prefix of the key.
 * At most 16 map lookups, whatever the deck's size.
 */
export function findRate(index: RateIndex, ratingKey: string): RateRow | null {
  for (let length = Math.min(index.longestPrefix, ratingKey.length); length >= 1; length -= 1) {
    const row = index.byPrefix.get(ratingKey.slice(0, length));
    if (row) return row;
  }
  return null;
}

/** Every row for one ISO country, sorted by prefix, for the International Rates page. */
export function ratesForCountry(index: RateIndex, country: string): RateRow[] {
  return index.deck.rows
    .filter((row) => row.country === country)
    .sort((a, b) => a.prefix.localeCompare(b.prefix));
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
