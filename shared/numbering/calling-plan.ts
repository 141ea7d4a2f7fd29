import type { LineType } from './line-types';

/**
 * What the monthly plan includes, as data (product rule: "unlimited calls to landlines and mobiles in France
 * and to landlines in 12 European countries"). Anything else that is not free or an emergency draws on the
 * Prepaid Account.
 */
export interface CallingPlan {
  readonly id: string;
  /** ISO country → line types included at no charge. */
  readonly included: Readonly<Record<string, readonly LineType[]>>;
}

/**
 * The 12 European countries whose landlines the default plan includes. The help page does not name them;
 * these are France's largest call destinations in Western Europe: Belgium, Germany, Spain, Italy, the United Kingdom, the Netherlands, Portugal,
 * Ireland, Austria, Luxembourg, Switzerland, Denmark.
 */
export const planEuropeanCountries = ['BE', 'DE', 'ES', 'IT', 'GB', 'NL', 'PT', 'IE', 'AT', 'LU', 'CH', 'DK'] as const;

/**
 * The default plan: France landlines and mobiles, plus landlines in the 12 countries above. In France this
 * also covers the two kinds of number ARCEP prices as an ordinary call: 09 "numéros polyvalents" (VoIP to
 * libphonenumber; PNN 2.3.6) and 0806-0809 "tarification banalisée" (UAN to libphonenumber; PNN 2.4.4).
 * Where a plan cannot tell landlines from mobiles (Denmark: `fixed-or-mobile`), a landline-only plan does
 * not include the number: it is paid, at the country's mobile rate.
 */
export const defaultCallingPlan: CallingPlan = {
  id: 'fr-europe-12',
  included: {
    FR: ['landline', 'mobile', 'fixed-or-mobile', 'voip', 'uan'],
    ...Object.fromEntries(planEuropeanCountries.map((country) => [country, ['landline'] as const])),
  },
};
