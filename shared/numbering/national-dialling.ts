/**
 * Nationally dialled numbers that libphonenumber reads with the wrong country code: France's overseas
 * departments share the French national plan (dialled "0" + 9 digits from metropolitan France) but have
 * their own country codes. ARCEP, plan national de numérotation (décision n° 2018-0881 modifiée), 2.3.3 and
 * 2.3.4: the ZABPQ of each territory. Dialled from France, "0262 12 34 56" is +262 262 12 34 56, not
 * +33 262 12 34 56.
 */
const frenchOverseas: ReadonlyArray<readonly [prefix: string, callingCode: string]> = [
  // Réunion, Mayotte: fixed 0262, 0263, 0269; mobile 0639, 0692, 0693.
  ['262', '262'], ['263', '262'], ['269', '262'], ['639', '262'], ['692', '262'], ['693', '262'],
  // Guadeloupe, Saint-Martin, Saint-Barthélemy: fixed 0590; mobile 0690, 0691.
  ['590', '590'], ['690', '590'], ['691', '590'],
  // Guyane: fixed 0594; mobile 0694.
  ['594', '594'], ['694', '594'],
  // Martinique: fixed 0596; mobile 0696, 0697.
  ['596', '596'], ['696', '596'], ['697', '596'],
];

/**
 * The E.164 candidate ('+' and digits) of a nationally dialled overseas French number, or null when
 * `digits` is not one. The caller still validates it (libphonenumber), and falls back to the national
 * reading when it is not valid there.
 */
export function overseasCandidate(digits: string, callerCountry: string): string | null {
  if (callerCountry !== 'FR' || !/^0\d{9}$/.test(digits)) return null;
  const significant = digits.slice(1);
  const entry = frenchOverseas.find(([prefix]) => significant.startsWith(prefix));
  return entry ? `+${entry[1]}${significant}` : null;
}
