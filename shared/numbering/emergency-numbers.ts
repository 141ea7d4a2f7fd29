/**
 * Emergency and urgent-help short codes, always allowed and never charged. France's list is the one the
 * French electronic-communications code obliges operators to route free of charge (CPCE art. D98-8 and the
 * ARCEP list of "numéros d'urgence"); 112 works everywhere in the EU (Universal Service Directive art. 26)
 * and on every GSM network, so it is added for every country.
 */
export const emergencyNumbersByCountry: Readonly<Record<string, readonly string[]>> = {
  FR: ['15', '17', '18', '112', '114', '115', '119', '191', '196', '197', '116000', '116117'],
  // National equivalents of the countries the dialer offers (each operator's published emergency list):
  // police, fire and ambulance where they differ from 112.
  BE: ['100', '101', '112'],
  CH: ['112', '117', '118', '144'],
  LU: ['112', '113'],
  DE: ['110', '112'],
  ES: ['112', '061', '062', '080', '085', '088', '091', '092'],
  IT: ['112', '113', '115', '118'],
  GB: ['999', '112'],
  NL: ['112'],
  PT: ['112'],
  IE: ['999', '112'],
  AT: ['112', '122', '133', '144'],
  US: ['911'],
  CA: ['911'],
};

/** The number that reaches emergency services from any country. */
export const universalEmergencyNumber = '112';

/** Emergency short codes for a caller in `country` (always including 112). */
export function emergencyNumbersFor(country: string): readonly string[] {
  const local = emergencyNumbersByCountry[country] ?? [];
  return local.includes(universalEmergencyNumber) ? local : [...local, universalEmergencyNumber];
}
