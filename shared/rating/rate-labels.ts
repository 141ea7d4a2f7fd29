/**
 * How rate destinations and number types read in each UI language, for the app's rates browser and the
 * manager's rates page (one catalog, so the two never word a destination differently). The deck's own
 * `destination` column is the supplier's English text; pages show the country's name in the UI language
 * (`Intl.DisplayNames`, shared/numbering/country-search.ts) and the type from here instead.
 */
import { classifyNumber } from '../numbering/classify';
import { localCountryName } from '../numbering/country-search';
import type { RateNumberType, RateRow } from './rate-deck';
import type { RateClass } from './rating-key';
import { nonGeographicRateCountry, parseRatingKey } from './rating-key';

export type RateLabelLanguage = 'en' | 'fr';

interface RateLabels {
  readonly types: Readonly<Record<RateClass, string>>;
  /** Destination of rows that belong to no country (satellite, +979...). */
  readonly internationalNetworks: string;
  /** French short-code ranges: "France, 118 numbers". */
  readonly shortCodes: (country: string, digits: string) => string;
  readonly search: string;
  readonly searchButton: string;
  readonly searchHint: string;
  readonly noMatch: string;
  readonly matches: string;
}

export const rateLabels: Readonly<Record<RateLabelLanguage, RateLabels>> = {
  en: {
    types: {
      landline: 'Landline', mobile: 'Mobile', premium: 'Premium-rate', 'shared-cost': 'Shared-cost', directory: 'Directory enquiries',
      'high-cost': 'High-cost (satellite, international networks)', 'toll-free': 'Toll-free', other: 'Other services (VoIP, UAN...)',
      'fixed-or-mobile': 'Landline or mobile',
    },
    internationalNetworks: 'International networks',
    shortCodes: (country, digits) => `${country}, short numbers ${digits}…`,
    search: 'Search the rates',
    searchButton: 'Search',
    searchHint: 'Country name in English or French, dialling code (+44) or a phone number',
    noMatch: 'No country matches.',
    matches: 'Countries found',
  },
  fr: {
    types: {
      landline: 'Fixe', mobile: 'Mobile', premium: 'Surtaxé', 'shared-cost': 'Coût partagé', directory: 'Renseignements',
      'high-cost': 'Coût élevé (satellite, réseaux internationaux)', 'toll-free': 'Gratuit', other: 'Autres services (VoIP, UAN…)',
      'fixed-or-mobile': 'Fixe ou mobile',
    },
    internationalNetworks: 'Réseaux internationaux',
    shortCodes: (country, digits) => `${country}, numéros courts ${digits}…`,
    search: 'Rechercher dans les tarifs',
    searchButton: 'Rechercher',
    searchHint: 'Nom du pays en français ou en anglais, indicatif (+44) ou numéro de téléphone',
    noMatch: 'Aucun pays ne correspond.',
    matches: 'Pays trouvés',
  },
};

/** The language of the labels for a UI language or locale ('fr-CA' reads French). */
export function rateLabelLanguage(language: string): RateLabelLanguage {
  return language.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

/** What a rate row's destination reads in `language`: the country's own name, or the network's. */
export function rateDestinationLabel(row: Pick<RateRow, 'prefix' | 'country'>, language: string): string {
  const labels = rateLabels[rateLabelLanguage(language)];
  if (row.country === nonGeographicRateCountry) return `${labels.internationalNetworks} +${row.prefix}`;
  const country = localCountryName(row.country, language);
  const shortRange = /^[A-Z]{2}:(\d+)$/.exec(row.prefix);
  return shortRange ? labels.shortCodes(country, shortRange[1] ?? '') : country;
}

/** A deck number type in `language`. */
export function rateTypeLabel(type: RateNumberType, language: string): string {
  return rateLabels[rateLabelLanguage(language)].types[type];
}

/**
 * What a charged call's destination reads in `language` (activity lines and receipts): the country's name
 * and the rate class the call was priced as, from the number itself (as authorize classified it), instead
 * of the deck's English `destination`. `prefix` is the deck row's (a short-code range: 'FR:3').
 */
export function callDestinationLabel(call: { readonly number: string; readonly prefix: string }, language: string, callerCountry = 'FR'): string {
  const labels = rateLabels[rateLabelLanguage(language)];
  const shortRange = /^([A-Z]{2}):(\d+)$/.exec(call.prefix);
  if (shortRange) return labels.shortCodes(localCountryName(shortRange[1] ?? '', language), shortRange[2] ?? '');
  const key = parseRatingKey(classifyNumber({ dialed: call.number, callerCountry }).ratingKey ?? '');
  if (key === null) return call.number;
  const place = key.country === nonGeographicRateCountry ? labels.internationalNetworks : localCountryName(key.country, language);
  return `${place} · ${labels.types[key.rateClass]}`;
}
