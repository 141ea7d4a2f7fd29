import { z } from 'zod';
import { barringRules } from '../billing/barring';
import { numberKinds } from '../numbering/classify';
import { rateNumberTypes } from '../rating/rate-deck';
import { refusalReasonSchema } from './call-schemas';
import { countrySchema, currencySchema, nonNegativeAmountMinorSchema } from './common-schemas';

/** A rate amount: exact integer in ten-thousandths of the major unit, plus its decimal rendering. */
export const rateAmountSchema = z.strictObject({
  units: z.int().nonnegative().meta({ description: 'Ten-thousandths of the currency major unit.' }),
  decimal: z.string().meta({ description: 'Exact decimal in major units, e.g. "0.0230".' }),
});

export const rateViewSchema = z.strictObject({
  prefix: z.string(),
  destination: z.string(),
  country: z.string(),
  numberType: z.enum(rateNumberTypes),
  pricePerMinute: rateAmountSchema,
  connectionFee: rateAmountSchema,
  increment: z.string().meta({ description: 'first/next billing increments in seconds, e.g. "60/60".' }),
});
export type RateView = z.infer<typeof rateViewSchema>;

export const ratesQuerySchema = z.strictObject({ country: countrySchema });
export const ratesResponseSchema = z.strictObject({
  country: countrySchema,
  currency: currencySchema,
  deckVersion: z.string(),
  sample: z.boolean().meta({ description: 'True while the shipped SAMPLE deck is in use: prices are illustrative.' }),
  rates: z.array(rateViewSchema),
});
export type RatesResponse = z.infer<typeof ratesResponseSchema>;

export const rateCountriesResponseSchema = z.strictObject({
  countries: z.array(z.strictObject({ country: z.string(), name: z.string() })),
});

export const quoteQuerySchema = z.strictObject({ number: z.string().min(1).max(64) });

/**
 * What the app should say before a call. `class_blocked`, `barred`, `no_rate`, `daily_cap`, `monthly_budget`,
 * `insufficient_funds` and `invalid_number` are the refusals authorizeCall would answer with, so the app can
 * refuse before dialling; the others are warnings.
 */
export const quoteWarningSchema = z.enum(['paid_service', 'barred', 'class_blocked', 'low_balance', 'insufficient_funds', 'no_rate', 'invalid_number', 'high_cost', 'daily_cap', 'monthly_budget']);

/**
 * Why the call policy (shared/billing/call-policy.ts, `CallRefusal`) refuses a call: authorize's reasons
 * without `released`, which is about a call id the proxy gave up on, not about the call.
 */
export const callRefusalSchema = refusalReasonSchema.exclude(['released']);

/** The call policy's decision (`CallVerdict` in shared/billing/call-policy.ts), the one authorize takes. */
export const callVerdictSchema = z.discriminatedUnion('allowed', [
  z.strictObject({
    allowed: z.literal(true),
    charged: z.boolean().meta({ description: 'True when the wallet pays for the call.' }),
    confirm: z.enum(['none', 'paid', 'premium']).meta({
      description: 'What the app asks before placing it: none (free, included, internal, emergency), paid (the paid-call confirmation), premium (paid services and high-cost numbers: explicit confirmation).',
    }),
    maxDurationSeconds: z.int().nonnegative().meta({ description: 'The longest call the wallet and the daily cap fund now (the service maximum when free).' }),
  }),
  z.strictObject({
    allowed: z.literal(false),
    reason: callRefusalSchema.meta({ description: 'The first rule that refuses, in authorize\'s order.' }),
  }),
]);
export type CallVerdictView = z.infer<typeof callVerdictSchema>;

export const quoteResponseSchema = z.strictObject({
  number: z.string(),
  e164: z.string().nullable(),
  kind: z.enum(numberKinds),
  billing: z.enum(['free', 'wallet', 'refused']),
  country: z.string().nullable(),
  rate: rateViewSchema.nullable(),
  currency: currencySchema,
  balanceMinor: nonNegativeAmountMinorSchema,
  minutesAffordable: z.int().nonnegative().nullable().meta({ description: 'Whole minutes the available balance buys; null when free.' }),
  budgetLeftMinor: nonNegativeAmountMinorSchema.nullable().optional().meta({ description: 'What the caller\'s monthly budget leaves (it also bounds minutesAffordable); null or absent: no budget.' }),
  costOfFirstMinuteMinor: nonNegativeAmountMinorSchema.nullable(),
  warnings: z.array(quoteWarningSchema),
  barredBy: z.enum(barringRules).nullable().optional().meta({
    description: 'With the `barred` warning, which of the caller\'s rules bars it: paid_service (premium barring), plan_only (limited to the plan), country (not one of the allowed countries).',
  }),
  verdict: callVerdictSchema.meta({ description: 'The decision authorize would take now (the warnings say why, and what else to show).' }),
});
export type QuoteResponse = z.infer<typeof quoteResponseSchema>;
