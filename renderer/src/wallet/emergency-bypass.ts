/**
 * Emergency calls go straight out: no gate, no warning, no manager question, even with a zero balance, the
 * manager unreachable or nobody signed in to it (CPCE art. D98-8: operators route emergency numbers free of
 * charge; EU Directive 2018/1972 art. 109 for 112).
 *
 * This check is synchronous and depends on nothing but the dialled string and the caller's country, so
 * the gated dial (gated-phone.ts) runs it first, before any wallet code and before any `await`: no state of
 * the wallet, no network and no exception in wallet code can delay or stop an emergency call.
 */
import { classifyNumber } from '../../../shared/numbering/classify.js';
import { emergencyNumbersFor } from '../../../shared/numbering/emergency-numbers.js';

// The separators people type or paste between digits ("1 1 2", "11-2").
const separators = /[\s.\-()/]/g;

/** Whether `dialed` is an emergency number for a caller in `country` (ISO 3166-1 alpha-2). Never throws. */
export function isEmergencyDial(dialed: string, country: string): boolean {
  try {
    const digits = dialed.replace(separators, '');
    if (emergencyNumbersFor(country).includes(digits)) return true;
    return classifyNumber({ dialed, callerCountry: country }).kind === 'emergency';
  } catch {
    // classifyNumber is total; this is belt and braces: an error here must not look like "not emergency"
    // to a caller dialling a short code, so fall back to the plain list check above.
    return emergencyNumbersFor(country).includes(dialed.trim());
  }
}
