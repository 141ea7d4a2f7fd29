/**
 * Emergency calls go straight out: no gate, no warning, no manager question, even with a zero balance, the
 * manager unreachable or nobody signed in to it (CPCE art. D98-8: operators route emergency numbers free of
 * charge; EU Directive 2018/1972 art. 109 for 112).
 *
 * This check is synchronous and depends on nothing but the dialled string and a country, so the dial
 * intent (dial-intent.ts) runs it first, on the raw input, before the string is even parsed; the call
 * placer (renderer/src/calling/call-placer.ts) then dials an emergency intent before any wallet code and
 * before any `await`.
 */
import { classifyNumber } from '../numbering/classify.js';
import { emergencyNumbersFor } from '../numbering/emergency-numbers.js';

// The separators people type or paste between digits ("1 1 2", "11-2").
const separators = /[\s.\-()/]/g;

/** `dialed` without the separators people type between digits. */
export function stripDialSeparators(dialed: string): string {
  return dialed.replace(separators, '');
}

/** Whether `dialed` is an emergency number for a caller in `country` (ISO 3166-1 alpha-2). Never throws. */
export function isEmergencyDial(dialed: string, country: string): boolean {
  try {
    const digits = stripDialSeparators(dialed);
    if (emergencyNumbersFor(country).includes(digits)) return true;
    return classifyNumber({ dialed, callerCountry: country }).kind === 'emergency';
  } catch {
    // classifyNumber is total; this is belt and braces: an error here must not look like "not emergency"
    // to a caller dialling a short code, so fall back to the plain list check above.
    return emergencyNumbersFor(country).includes(dialed.trim());
  }
}
