/**
 * Finds countries from what someone types in a rates search box: a country's name in English or French
 * (the platform's CLDR names, `Intl.DisplayNames`, accents and case ignored), its ISO code, its dialling
 * code ("+44", "0044", "1"), or a whole phone number, international or national for the caller's country
 * (the country the number belongs to, as the classifier reads it: "+1 658 …" is Jamaica). Pure.
 */
import { callingCodeOf } from './calling-codes';
import { classifyNumber } from './classify';

/** The languages country names are matched in. */
export const countrySearchLanguages = ['en', 'fr'] as const;

const fold = (text: string): string => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

const nameCache = new Map<string, Intl.DisplayNames>();
function displayNames(language: string): Intl.DisplayNames {
  let names = nameCache.get(language);
  if (!names) {
    names = new Intl.DisplayNames([language], { type: 'region', fallback: 'code' });
    nameCache.set(language, names);
  }
  return names;
}

/** A country's name in `language` (the ISO code when the platform has none). */
export function localCountryName(country: string, language: string): string {
  try {
    return displayNames(language).of(country) ?? country;
  } catch {
    return country;
  }
}

/**
 * The countries among `countries` that `query` names, best match first: a number's own country; every
 * country of a dialling code; names that start with the query, then names that contain it. Empty query:
 * every country. At most 200 characters of the query are read.
 */
export function searchCountries(query: string, countries: readonly string[], callerCountry: string): string[] {
  const text = typeof query === 'string' ? query.slice(0, 200).trim() : '';
  if (text === '') return [...countries];
  const known = new Set(countries);

  if (/^\+?[\d\s().\-/]+$/.test(text)) {
    const digits = text.replace(/\D/g, '');
    const international = text.startsWith('+') || digits.startsWith('00');
    const code = digits.startsWith('00') ? digits.slice(2) : digits;
    // A whole number: the country it belongs to.
    if (digits.length >= 6) {
      const classified = classifyNumber({ dialed: text, callerCountry });
      if (classified.country && known.has(classified.country)) return [classified.country];
    }
    // A dialling code: every country that has it ("1": the NANP countries).
    if (code.length >= 1 && code.length <= 4 && (international || digits.length <= 3)) {
      return countries.filter((country) => callingCodeOf(country) === code);
    }
    return [];
  }

  const folded = fold(text);
  if (folded === '') return [];
  const starts: string[] = [];
  const contains: string[] = [];
  for (const country of countries) {
    const names = countrySearchLanguages.map((language) => fold(localCountryName(country, language)));
    if (country.toLowerCase() === folded || names.some((name) => name.startsWith(folded))) starts.push(country);
    else if (names.some((name) => name.includes(folded))) contains.push(country);
  }
  return [...starts, ...contains];
}
