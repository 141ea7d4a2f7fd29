/**
 * National short numbers: what libphonenumber-js does not cover (it ships no short-number metadata), so
 * this table is ours, with its sources. Short numbers have no E.164 form: they are dialled as they are and
 * routed by the network of the caller's country, so they are looked up for the caller's country only.
 *
 * Emergency numbers are not here: shared/numbering/emergency-numbers.ts, checked first and synchronously.
 */

/** What a short number is, for billing. */
export type ShortNumberClass =
  /** Free to the caller (and never barred): free-rate short numbers, EU harmonised 116 numbers. */
  | 'free'
  /** Directory enquiries: a paid service. */
  | 'directory'
  /** A paid value-added service (premium-rate). */
  | 'premium'
  /** An operator's own assistance line: answers only from that operator's subscriber lines, not via a trunk. */
  | 'operator';

interface ShortRange {
  readonly pattern: RegExp;
  readonly class: ShortNumberClass;
  /** Where the rule comes from. */
  readonly source: string;
}

/**
 * EU member states and EEA countries, where the 116 numbers are reserved for harmonised services of social
 * value (Commission Decision 2007/116/EC as amended by 2007/698/EC and 2009/884/EC; now Directive (EU)
 * 2018/1972 art. 96: "free of charge"): 116000 missing children, 116006 victims of crime, 116111 child
 * helplines, 116117 non-emergency medical on-call, 116123 emotional support.
 */
export const harmonised116Countries: ReadonlySet<string> = new Set([
  'AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT',
  'RO', 'SE', 'SI', 'SK', 'IS', 'LI', 'NO',
]);

const eu116: ShortRange = { pattern: /^116\d{3}$/, class: 'free', source: 'Decision 2007/116/EC; Directive (EU) 2018/1972 art. 96' };

/**
 * France: ARCEP, plan national de numérotation (décision n° 2018-0881 modifiée, annexe 1 as replaced by
 * décision n° 2022-1583), section 2.4 "Numéros spéciaux et courts". First match wins.
 */
const france: readonly ShortRange[] = [
  eu116,
  // 2.4.9 numéros courts à tarification gratuite: 3000-3007, 3009-3169, 3180-3199 (e.g. 3114 suicide
  // prevention, 3018 cyber-harassment, 3020 school harassment).
  { pattern: /^3(?:00[0-7]|0(?:09|[1-9]\d)|1[0-6]\d|18\d|19\d)$/, class: 'free', source: 'ARCEP PNN 2.4.9' },
  // 2.4.8 numéros courts à fonctionnalité banalisée (3008, 3170-3179): line services, free to the caller
  // (ARCEP décision n° 2010-0629).
  { pattern: /^3(?:008|17\d)$/, class: 'free', source: 'ARCEP PNN 2.4.8; décision 2010-0629' },
  // 2.4.10 numéros courts généralistes (32PQ-39PQ): each number has its own tariff. Public helplines known
  // to be free of charge: 3919 Violences Femmes Info (Service-Public.fr), 3977 maltreatment of vulnerable
  // adults (Ministère des Solidarités).
  { pattern: /^(?:3919|3977)$/, class: 'free', source: 'service-public.fr / solidarites.gouv.fr' },
  // The rest of 32PQ-39PQ may be charged at up to premium rates: paid, the cautious side for money.
  { pattern: /^3[2-9]\d{2}$/, class: 'premium', source: 'ARCEP PNN 2.4.10' },
  // 118XYZ directory enquiries.
  { pattern: /^118\d{3}$/, class: 'directory', source: 'ARCEP PNN, numéros courts de renseignements' },
  // 10YT operator assistance (1013, 1014, 1023, 1044...): ARCEP PNN 2.4.11. The numbers in use all lie in
  // 1010-1099, which is reserved here as a whole, so no company extension may take one
  // (shared/numbering/extension-range.ts). 1000-1009 stay extensions (the demo company's 1001-1003).
  { pattern: /^10[1-9]\d$/, class: 'operator', source: 'ARCEP PNN 2.4.11' },
];

/** Short-number tables per caller country; countries without one only have emergency numbers (and 116). */
const byCountry: Readonly<Record<string, readonly ShortRange[]>> = { FR: france };

/** The class of `digits` as a short number of `country`; null when it is not one. Emergency numbers excluded. */
export function shortNumberClassOf(digits: string, country: string): ShortNumberClass | null {
  const table = byCountry[country] ?? (harmonised116Countries.has(country) ? [eu116] : []);
  return table.find((range) => range.pattern.test(digits))?.class ?? null;
}

/** The source of the rule that classes `digits` (for docs and the golden table); null when none. */
export function shortNumberSourceOf(digits: string, country: string): string | null {
  const table = byCountry[country] ?? (harmonised116Countries.has(country) ? [eu116] : []);
  return table.find((range) => range.pattern.test(digits))?.source ?? null;
}
