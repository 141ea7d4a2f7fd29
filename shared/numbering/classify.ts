import { parsePhoneNumberFromString, type PhoneNumber } from 'libphonenumber-js/max';
import { assertNever } from '../assert-never';
import type { RateClass } from '../rating/rating-key';
import { nonGeographicRateCountry, ratingKeyFor } from '../rating/rating-key';
import type { CallingPlan } from './calling-plan';
import { defaultCallingPlan } from './calling-plan';
import { isKnownCountry } from './calling-codes';
import { emergencyNumbersFor } from './emergency-numbers';
import { isExtensionFor } from './extension-range';
import type { LineType } from './line-types';
import { lineTypeOf } from './line-types';
import { overseasCandidate } from './national-dialling';
import { shortNumberClassOf } from './short-numbers';

/**
 * How Cabine treats a dialled number. The app and the manager both call `classifyNumber`, so the warning the
 * app shows before a call and the decision the manager takes when the proxy asks are the same.
 *
 * Country and line type come from libphonenumber-js/max (every country it knows); by hand there are only
 * the calling plan (calling-plan.ts), the emergency and short-number tables (emergency-numbers.ts,
 * short-numbers.ts, national-dialling.ts) and the mapping from line types to kinds below (docs/rating.md).
 *
 * - emergency: always routed, never charged
 * - internal: another extension of the company (extension-range.ts)
 * - included: covered by the calling plan
 * - toll-free: free to the caller (freephone of the caller's own country, UIFN +800, free short numbers and
 *   the EU's 116 numbers)
 * - international: outside the plan, paid from the Prepaid Account
 * - premium / shared-cost / directory / high-cost: paid services, paid from the Prepaid Account and subject to
 *   the admin's premium barring
 * - invalid: not a number Cabine can route
 */
export type NumberKind =
  | 'emergency'
  | 'internal'
  | 'included'
  | 'toll-free'
  | 'international'
  | 'premium'
  | 'shared-cost'
  | 'directory'
  | 'high-cost'
  | 'invalid';

/** Every kind, for schemas. */
export const numberKinds = [
  'emergency', 'internal', 'included', 'toll-free', 'international', 'premium', 'shared-cost', 'directory', 'high-cost', 'invalid',
] as const satisfies readonly NumberKind[];

/** Who pays: nobody, the Prepaid Account, or the call is refused outright. */
export type Billing = 'free' | 'wallet' | 'refused';

/** The outcome of classifying a dialled string. */
export interface NumberClassification {
  readonly kind: NumberKind;
  readonly billing: Billing;
  /** The number in E.164 ('+33612345678') when it has one; null for short codes and extensions. */
  readonly e164: string | null;
  /**
   * The key a rate deck is searched with (shared/rating/rating-key.ts): country, rate class and digits, e.g.
   * 'US/premium/19005551234', or 'FR/directory/FR:118712' for a national short code, which no E.164 prefix can
   * collide with. Null when the call is never rated.
   */
  readonly ratingKey: string | null;
  /** ISO country of the destination when known. */
  readonly country: string | null;
  /** Line type within the destination's national plan, when the plan is known. */
  readonly lineType: LineType | null;
  /** True for paid services an admin may bar employees from. */
  readonly paidService: boolean;
  /** Why the number is invalid; absent otherwise. */
  readonly invalidReason?: string;
}

/** What `classifyNumber` needs. */
export interface ClassifyInput {
  /** What the user dialled: E.164 ('+44 20 7946 0000'), '00' + digits, national digits, or a short code. */
  readonly dialed: string;
  /** ISO country of the caller's company; decides short codes and national dialling. */
  readonly callerCountry: string;
  /** The plan; the default plan when omitted. */
  readonly plan?: CallingPlan;
}

/** Paid-service kinds: the set an admin's premium barring covers. */
export const paidServiceKinds: ReadonlySet<NumberKind> = new Set(['premium', 'shared-cost', 'directory', 'high-cost']);

/**
 * High-risk destination classes: blocked for a company until an admin allows them (the manager refuses them
 * with `class_blocked`, whatever client sends the INVITE). Satellite and international-network ranges are
 * the classic targets of toll fraud (premium-rate revenue share with stolen SIP credentials).
 */
export const highRiskKinds: ReadonlySet<NumberKind> = new Set(['high-cost']);

/**
 * International networks outside any country (ITU-T E.164 "global services"): the satellite systems and the
 * international networks are high-cost, whatever number type libphonenumber gives them (its metadata for
 * +882/+883 is incomplete, so their numbers are accepted on length alone).
 */
const highCostCodes: ReadonlySet<string> = new Set(['870', '881', '882', '883']);

// Visual separators people type or paste; anything else makes the string invalid.
const separators = /[\s.\-()/]/g;

function invalid(reason: string): NumberClassification {
  return { kind: 'invalid', billing: 'refused', e164: null, ratingKey: null, country: null, lineType: null, paidService: false, invalidReason: reason };
}

function billingOf(kind: NumberKind): Billing {
  switch (kind) {
    case 'emergency':
    case 'internal':
    case 'included':
    case 'toll-free':
      return 'free';
    case 'international':
    case 'premium':
    case 'shared-cost':
    case 'directory':
    case 'high-cost':
      return 'wallet';
    case 'invalid':
      return 'refused';
    default:
      return assertNever(kind);
  }
}

interface Destination {
  readonly e164: string | null;
  /** Digits the deck's prefixes are matched against: E.164 digits, or '<ISO>:<digits>' for short codes. */
  readonly digits: string | null;
  readonly country: string | null;
  readonly lineType: LineType | null;
}

function result(kind: NumberKind, destination: Destination, rateClass: RateClass | null): NumberClassification {
  const billing = billingOf(kind);
  const ratingKey = billing === 'wallet' && rateClass !== null && destination.digits !== null
    ? ratingKeyFor(destination.country ?? nonGeographicRateCountry, rateClass, destination.digits)
    : null;
  return {
    kind,
    billing,
    e164: destination.e164,
    ratingKey,
    country: destination.country,
    lineType: destination.lineType,
    paidService: paidServiceKinds.has(kind),
  };
}

function shortCode(digits: string, country: string): Destination {
  return { e164: null, digits: `${country}:${digits}`, country, lineType: null };
}

/** Short strings: emergency first, then the company's extensions, then the country's short numbers. */
function classifyShortCode(digits: string, callerCountry: string): NumberClassification | null {
  if (emergencyNumbersFor(callerCountry).includes(digits)) return result('emergency', { e164: null, digits: null, country: callerCountry, lineType: null }, null);
  if (isExtensionFor(digits, callerCountry)) return result('internal', { e164: null, digits: null, country: null, lineType: null }, null);
  const shortClass = shortNumberClassOf(digits, callerCountry);
  switch (shortClass) {
    case null:
      return null;
    case 'free':
      return result('toll-free', shortCode(digits, callerCountry), null);
    case 'directory':
      return result('directory', shortCode(digits, callerCountry), 'directory');
    case 'premium':
      return result('premium', shortCode(digits, callerCountry), 'premium');
    case 'operator':
      return invalid('operator service number, not reachable through Cabine');
    default:
      return assertNever(shortClass);
  }
}

/** Parses a dialled string (no separators) into a libphonenumber number, or null. */
function parseNumber(cleaned: string, callerCountry: string): PhoneNumber | null {
  if (cleaned.startsWith('+')) return parsePhoneNumberFromString(cleaned) ?? null;
  const overseas = overseasCandidate(cleaned, callerCountry);
  if (overseas !== null) {
    const parsed = parsePhoneNumberFromString(overseas);
    if (parsed?.isValid()) return parsed;
  }
  // libphonenumber strips the caller country's international prefix ('00', '011' in NANP) and its trunk
  // prefix. A caller country it does not know still gets the ITU's recommended '00'.
  if (isKnownCountry(callerCountry)) return parsePhoneNumberFromString(cleaned, { defaultCountry: callerCountry }) ?? null;
  return cleaned.startsWith('00') ? (parsePhoneNumberFromString(`+${cleaned.slice(2)}`) ?? null) : null;
}

/** The kind of a valid number of a country, or of a global service, and how it is rated. */
function kindOf(lineType: LineType, country: string | null, callerCountry: string, plan: CallingPlan): [NumberKind, RateClass | null] {
  if (country !== null) {
    const included = plan.included[country] ?? [];
    const fixedOrMobileIncluded = included.includes('landline') && included.includes('mobile');
    if (included.includes(lineType) || (lineType === 'fixed-or-mobile' && fixedOrMobileIncluded)) return ['included', null];
  }
  switch (lineType) {
    case 'landline':
      return ['international', 'landline'];
    case 'mobile':
      return ['international', 'mobile'];
    case 'fixed-or-mobile':
      return ['international', 'fixed-or-mobile'];
    case 'toll-free':
      // Freephone is free from inside its country (and UIFN +800 from anywhere); from abroad it is an
      // ordinary international call, priced like a landline of that country.
      return country === null || country === callerCountry ? ['toll-free', null] : ['international', 'landline'];
    case 'premium':
      return ['premium', 'premium'];
    case 'personal':
      // Personal numbers (UK 070) are charged at up to premium rates and are a classic fraud target
      // (Ofcom, "Personal numbers"): a paid service, priced by the country's premium row.
      return ['premium', 'premium'];
    case 'shared-cost':
      return ['shared-cost', 'shared-cost'];
    case 'voip':
    case 'uan':
    case 'pager':
    case 'voicemail':
    case 'other':
      return ['international', 'other'];
    default:
      return assertNever(lineType);
  }
}

/** Classifies a dialled string for a caller; pure and total (never throws). */
export function classifyNumber(input: ClassifyInput): NumberClassification {
  const plan = input.plan ?? defaultCallingPlan;
  if (typeof input.dialed !== 'string') return invalid('not a string');
  const cleaned = input.dialed.replace(separators, '');
  if (cleaned.length === 0) return invalid('empty');
  if (cleaned.length > 20) return invalid('too long');
  if (!/^\+?\d+$/.test(cleaned)) return invalid('not digits');

  if (!cleaned.startsWith('+')) {
    const short = classifyShortCode(cleaned, input.callerCountry);
    if (short) return short;
    // Anything else this short is neither a short number nor a phone number of any plan.
    if (cleaned.length < 6) return invalid('unknown short code');
  }

  let parsed: PhoneNumber | null;
  try {
    parsed = parseNumber(cleaned, input.callerCountry);
  } catch {
    parsed = null;
  }
  if (parsed === null) return invalid('not a phone number');
  const e164 = parsed.number;
  const digits = e164.slice(1);
  // E.164: a country code that never starts with 0 and at most 15 digits in all (ITU-T E.164 §6).
  if (!/^[1-9]\d{6,14}$/.test(digits)) return invalid('not an E.164 number');

  if (highCostCodes.has(parsed.countryCallingCode)) {
    return result('high-cost', { e164, digits, country: null, lineType: parsed.isValid() ? lineTypeOf(parsed.getType()) : 'other' }, 'high-cost');
  }
  if (!parsed.isValid()) return invalid(parsed.country ? `not a valid ${parsed.country} number` : 'not a valid number');

  const country = parsed.country ?? null;
  const lineType = lineTypeOf(parsed.getType());
  const [kind, rateClass] = kindOf(lineType, country, input.callerCountry, plan);
  return result(kind, { e164, digits, country, lineType }, rateClass);
}
