import { assertNever } from '../assert-never';
import { callingCodes } from '../numbering/calling-codes';
import type { NumberClassification } from '../numbering/classify';

/**
 * How far one user's outside calls may go, set by the company's admin:
 * - `plan`: only calls the company's plan includes (internal, included, toll-free): nothing is ever drawn
 *   from the Prepaid Account;
 * - `countries`: in addition, wallet-paid calls to the listed countries (ISO 3166-1 alpha-2);
 * - `all`: anything the other rules allow.
 * Emergency numbers are never affected. Premium barring (paid-service numbers) is a separate switch that
 * applies within any scope: a premium number in an allowed country is still barred when it is on.
 */
export const outsideCallScopes = ['plan', 'countries', 'all'] as const;
export type OutsideCallScope = (typeof outsideCallScopes)[number];

/** Everything that bars one user's calls. */
export interface CallBarring {
  /** Paid-service numbers (premium, shared-cost, directory, high-cost) barred. */
  readonly premiumBarred: boolean;
  readonly scope: OutsideCallScope;
  /** With scope `countries`: the countries wallet-paid calls may reach; empty otherwise. */
  readonly countries: readonly string[];
}

/** Which rule barred a call: the premium switch, the plan-only scope, or a country outside the list. */
export const barringRules = ['paid_service', 'plan_only', 'country'] as const;
export type BarringRule = (typeof barringRules)[number];

/** The countries a scope can name: those whose numbers Cabine can place (shared/numbering/calling-codes.ts). */
export const barringCountries: ReadonlySet<string> = new Set(callingCodes.map((entry) => entry.country));

/** What the rule needs to know about the dialled number (from `classifyNumber`). */
export type BarringInput = Pick<NumberClassification, 'kind' | 'billing' | 'country' | 'paidService'>;

/**
 * The one barring rule, used by the manager's authorize (refusal `barred`) and by the quote the app shows
 * before dialling (warning `barred`, `barredBy`). Null: not barred. Pure and total.
 *
 * Only calls paid from the wallet can be barred: emergency, internal, included and toll-free calls never
 * are, whatever the settings (a fraudster wants what costs money; the plan's calls cost nothing extra).
 * A wallet call with no country (satellite and other international networks) is outside every country list.
 */
export function barredBy(call: BarringInput, barring: CallBarring): BarringRule | null {
  if (call.kind === 'emergency' || call.billing !== 'wallet') return null;
  if (call.paidService && barring.premiumBarred) return 'paid_service';
  switch (barring.scope) {
    case 'all':
      return null;
    case 'plan':
      return 'plan_only';
    case 'countries':
      return call.country !== null && barring.countries.includes(call.country) ? null : 'country';
    default:
      return assertNever(barring.scope);
  }
}
