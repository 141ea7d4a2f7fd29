import { assertNever } from '../assert-never';
import type { CallingPlan } from './calling-plan';
import { defaultCallingPlan } from './calling-plan';
import { countryOfDigits } from './calling-codes';
import { emergencyNumbersFor } from './emergency-numbers';
import type { LineType } from './national-plans';
import { lineTypeOf, nationalPlans } from './national-plans';

/**
 * How Cabine treats a dialled number. The app and the manager both call `classifyNumber`, so the warning the
 * app shows before a call and the decision the manager takes when the proxy asks are the same.
 *
 * - emergency: always routed, never charged
 * - internal: another extension of the company (4 digits starting 1 or 2)
 * - included: covered by the calling plan
 * - toll-free: free to the caller (FR 0800-0805, UIFN +800)
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
   * The key a rate deck is searched with: E.164 digits without '+', or '<ISO>:<digits>' for a national short
   * code (FR:118712), which no E.164 prefix can collide with. Null when the call is never rated.
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
 * International networks outside any country (ITU-T E.164 "global services"): satellite systems and the
 * international premium and shared-cost services are high-cost; +800 (UIFN) is free to the caller.
 */
const globalServices: ReadonlyArray<readonly [string, NumberKind]> = [
  ['870', 'high-cost'],
  ['881', 'high-cost'],
  ['882', 'high-cost'],
  ['883', 'high-cost'],
  ['979', 'premium'],
  ['808', 'shared-cost'],
  ['800', 'toll-free'],
];

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

function result(kind: NumberKind, e164: string | null, ratingKey: string | null, country: string | null, lineType: LineType | null): NumberClassification {
  const billing = billingOf(kind);
  return {
    kind,
    billing,
    e164,
    ratingKey: billing === 'wallet' ? ratingKey : null,
    country,
    lineType,
    paidService: paidServiceKinds.has(kind),
  };
}

function classifyShortCode(digits: string, callerCountry: string): NumberClassification | null {
  if (emergencyNumbersFor(callerCountry).includes(digits)) return result('emergency', null, null, callerCountry, null);
  if (/^[12]\d{3}$/.test(digits)) return result('internal', null, null, null, null);
  if (callerCountry === 'FR') {
    // ARCEP: directory enquiries are the 118XYZ numbers; 3BPQ four-digit numbers are value-added services.
    if (/^118\d{3}$/.test(digits)) return result('directory', null, `FR:${digits}`, 'FR', null);
    if (/^3\d{3}$/.test(digits)) return result('premium', null, `FR:${digits}`, 'FR', null);
  }
  return null;
}

/** Turns national or '00' dialling into E.164 digits (no '+'), or returns null when it cannot. */
function toInternationalDigits(digits: string, callerCountry: string): string | null {
  if (digits.startsWith('00')) return digits.slice(2);
  const plan = nationalPlans[callerCountry];
  if (plan?.trunkPrefix && digits.startsWith(plan.trunkPrefix)) {
    return plan.callingCode + digits.slice(plan.trunkPrefix.length);
  }
  if (plan && plan.trunkPrefix === null && digits.length >= 6) return plan.callingCode + digits;
  return null;
}

/** Classifies a dialled string for a caller; pure and total (never throws). */
export function classifyNumber(input: ClassifyInput): NumberClassification {
  const plan = input.plan ?? defaultCallingPlan;
  const cleaned = input.dialed.replace(separators, '');
  if (cleaned.length === 0) return invalid('empty');
  if (cleaned.length > 20) return invalid('too long');

  let international: string;
  if (cleaned.startsWith('+')) {
    international = cleaned.slice(1);
    if (!/^\d+$/.test(international)) return invalid('not digits');
  } else {
    if (!/^\d+$/.test(cleaned)) return invalid('not digits');
    const short = classifyShortCode(cleaned, input.callerCountry);
    if (short) return short;
    const converted = toInternationalDigits(cleaned, input.callerCountry);
    if (converted === null) return invalid('unknown short code or national format');
    international = converted;
  }

  // E.164: a country code that never starts with 0 and at most 15 digits in all (ITU-T E.164 §6).
  if (!/^[1-9]\d{6,14}$/.test(international)) return invalid('not an E.164 number');
  const e164 = `+${international}`;

  for (const [prefix, kind] of globalServices) {
    if (international.startsWith(prefix)) return result(kind, e164, international, null, null);
  }

  const country = countryOfDigits(international);
  if (country === null) return invalid('unknown country code');

  const nationalPlan = nationalPlans[country];
  if (!nationalPlan) return result('international', e164, international, country, null);
  const national = international.slice(nationalPlan.callingCode.length);
  const lineType = lineTypeOf(nationalPlan, national);
  if (lineType === 'invalid') return invalid(`not a valid ${country} number`);

  if (plan.included[country]?.includes(lineType)) return result('included', e164, international, country, lineType);
  switch (lineType) {
    case 'toll-free':
      // Freephone is free from inside the country only; from abroad it is an ordinary international call.
      return result(country === input.callerCountry ? 'toll-free' : 'international', e164, international, country, lineType);
    case 'premium':
      return result('premium', e164, international, country, lineType);
    case 'shared-cost':
      return result('shared-cost', e164, international, country, lineType);
    case 'landline':
    case 'mobile':
    case 'other':
      return result('international', e164, international, country, lineType);
    default:
      return assertNever(lineType);
  }
}
