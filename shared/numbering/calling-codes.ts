/**
 * Countries and their calling codes, from libphonenumber's metadata (the ITU-T E.164 assignments as
 * libphonenumber-js/max ships them): no hand table to keep in step. Names come from the platform's CLDR data
 * (`Intl.DisplayNames`), so they exist in every UI language.
 */
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export interface CallingCodeEntry {
  /** ISO 3166-1 alpha-2 (or libphonenumber's region code: AC, TA, XK). */
  readonly country: string;
  /** The country calling code, digits without '+'. Shared codes (+1, +7, +44...) appear once per country. */
  readonly prefix: string;
  /** English short name, for rate lists and the sample deck. */
  readonly name: string;
}

const englishNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

/** Every country libphonenumber knows, with its calling code. */
export const callingCodes: readonly CallingCodeEntry[] = getCountries().map((country) => ({
  country,
  prefix: getCountryCallingCode(country),
  name: englishNames.of(country) ?? country,
}));

const byCountry = new Map(callingCodes.map((entry) => [entry.country, entry]));

/** Whether libphonenumber knows `country` (so numbers of it can be parsed and typed). */
export function isKnownCountry(country: string): country is CountryCode {
  return byCountry.has(country);
}

/** The calling code of an ISO country; null when unknown. */
export function callingCodeOf(country: string): string | null {
  return byCountry.get(country)?.prefix ?? null;
}

/**
 * The ISO country of an E.164 number's digits (no '+'): libphonenumber's region for a valid number, else the
 * main country of its calling code; null when no code matches.
 */
export function countryOfDigits(digits: string): string | null {
  if (!/^[1-9]\d{0,14}$/.test(digits)) return null;
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  if (parsed?.country) return parsed.country;
  return parsed ? (mainCountryOfCode(parsed.countryCallingCode) ?? null) : null;
}

function mainCountryOfCode(code: string): string | undefined {
  // libphonenumber lists the main country of a shared code first in its metadata; getCountries() is
  // alphabetical, so pick the well-known main ones explicitly and the only one otherwise.
  const main: Readonly<Record<string, string>> = { '1': 'US', '7': 'RU', '44': 'GB', '39': 'IT', '47': 'NO', '61': 'AU', '212': 'MA', '262': 'RE', '290': 'SH', '358': 'FI', '590': 'GP', '599': 'CW' };
  if (main[code]) return main[code];
  return callingCodes.find((entry) => entry.prefix === code)?.country;
}

/** The English name of an ISO country; the code itself when unknown. */
export function countryName(country: string): string {
  return byCountry.get(country)?.name ?? country;
}
