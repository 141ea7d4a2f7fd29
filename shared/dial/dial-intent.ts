/**
 * A dialled string, parsed once into everything the call path needs (house style 16): the SIP target, how
 * to show it, its E.164 form, what the proxy will see as dialled, its classification, and whether it is an
 * emergency call. The dialer builds one intent per Call press (and one per key press for the cost line);
 * the call placer, the wallet's gate and the SIP adapter all read that same intent, so nothing downstream
 * parses or classifies the number again.
 *
 *   input ──► isEmergencyDial (raw string, first, never throws)
 *         ──► parseDialString (dial country: how national digits are read)
 *         ──► classifyNumber  (caller country: the company's, as the proxy and the manager classify)
 */
import { classifyNumber, type NumberClassification } from '../numbering/classify.js';
import type { DialCountry } from '../settings.js';
import { displayFor, parseDialString, sipUserPart, type DialTarget } from './dial-string.js';
import { isEmergencyDial, stripDialSeparators } from './emergency-dial.js';

/** A target that can be called (everything but `invalid`). */
export type CallableTarget = Exclude<DialTarget, { kind: 'invalid' }>;
export type InvalidTarget = Extract<DialTarget, { kind: 'invalid' }>;

export interface DialIntent {
  /** What the user typed, as typed. */
  readonly input: string;
  readonly target: CallableTarget;
  /** The number as the caller reads it ("01 23 45 67 89" at home, "+44 20 7946 0000" abroad, "1002"). */
  readonly display: string;
  /** E.164 with '+', or null for extensions and short codes. */
  readonly e164: string | null;
  /** The Request-URI user the proxy receives and the manager quotes: E.164, extension or short code. */
  readonly dialed: string;
  /** Classified for the caller's country, as the proxy and the manager classify `dialed`. */
  readonly classification: NumberClassification;
  /** An emergency number of the dial country or of the caller's country: it goes out before anything else. */
  readonly emergency: boolean;
}

export type DialIntentResult = { readonly ok: true; readonly intent: DialIntent } | { readonly ok: false; readonly target: InvalidTarget };

export interface DialPlace {
  /** The dialer's country (settings): how a national number without its country code is read. */
  readonly dialCountry: DialCountry;
  /** The caller's country: the company's when signed in to one, else the dial country. */
  readonly callerCountry: string;
}

/** Parses and classifies `input` once. Never throws; an invalid string comes back with its reason. */
export function dialIntentFor(input: string, place: DialPlace): DialIntentResult {
  // First, on the raw string, so that no parsing rule can ever stand between a caller and 112.
  const emergency = typeof input === 'string' && (isEmergencyDial(input, place.dialCountry) || isEmergencyDial(input, place.callerCountry));
  const parsed = parseDialString(input, place.dialCountry);
  let target: CallableTarget;
  if (parsed.kind !== 'invalid') target = parsed;
  else if (emergency) target = { kind: 'short-code', digits: stripDialSeparators(input) };
  else return { ok: false, target: parsed };
  const dialed = sipUserPart(target);
  const classification = classifyNumber({ dialed, callerCountry: place.callerCountry });
  return {
    ok: true,
    intent: {
      input,
      target,
      display: displayFor(target, place.dialCountry),
      e164: target.kind === 'phone' ? target.e164 : null,
      dialed,
      classification,
      emergency: emergency || classification.kind === 'emergency',
    },
  };
}
