import type { NumberType } from 'libphonenumber-js/max';
import { assertNever } from '../assert-never';

/**
 * What kind of line a number reaches, as libphonenumber's 'max' metadata says (its `getType()`, one set of
 * per-type patterns per country, maintained upstream from each regulator's plan). Cabine keeps no national
 * range tables of its own: a wrong type is fixed by updating libphonenumber-js.
 *
 * `fixed-or-mobile`: the country's plan does not tell them apart (NANP, Denmark...), so neither a landline
 * tariff nor a landline-only plan can be assumed.
 */
export type LineType =
  | 'landline'
  | 'mobile'
  | 'fixed-or-mobile'
  | 'toll-free'
  | 'premium'
  | 'shared-cost'
  | 'voip'
  | 'personal'
  | 'uan'
  | 'pager'
  | 'voicemail'
  | 'other';

/** Every line type, for schemas and translations. */
export const lineTypes = [
  'landline', 'mobile', 'fixed-or-mobile', 'toll-free', 'premium', 'shared-cost', 'voip', 'personal', 'uan', 'pager', 'voicemail', 'other',
] as const satisfies readonly LineType[];

/** The line type of libphonenumber's number type; `other` when the metadata gives none. */
export function lineTypeOf(type: NumberType): LineType {
  switch (type) {
    case 'FIXED_LINE':
      return 'landline';
    case 'MOBILE':
      return 'mobile';
    case 'FIXED_LINE_OR_MOBILE':
      return 'fixed-or-mobile';
    case 'TOLL_FREE':
      return 'toll-free';
    case 'PREMIUM_RATE':
      return 'premium';
    case 'SHARED_COST':
      return 'shared-cost';
    case 'VOIP':
      return 'voip';
    case 'PERSONAL_NUMBER':
      return 'personal';
    case 'UAN':
      return 'uan';
    case 'PAGER':
      return 'pager';
    case 'VOICEMAIL':
      return 'voicemail';
    case undefined:
      return 'other';
    default:
      return assertNever(type);
  }
}
