import { z } from 'zod';
import { amountMinorSchema, currencySchema, idSchema, nonNegativeAmountMinorSchema, positiveAmountMinorSchema, timestampSchema } from './common-schemas';

export const autoRefillSettingsSchema = z.strictObject({
  enabled: z.boolean(),
  thresholdMinor: positiveAmountMinorSchema.meta({ description: 'A refill starts when a debit takes the balance below this.' }),
  amountMinor: positiveAmountMinorSchema.meta({ description: 'Amount added per refill; one of the top-up amounts.' }),
});
export type AutoRefillSettings = z.infer<typeof autoRefillSettingsSchema>;

export const autoRefillViewSchema = autoRefillSettingsSchema.extend({
  consecutiveDeclines: z.int().nonnegative(),
  disabledReason: z.string().nullable().meta({ description: 'English; readers word it from consecutiveDeclines (refill turns itself off only after declines in a row).' }),
  nextAttemptAt: timestampSchema.nullable().optional().meta({ description: 'When the next refill attempt may start after a decline or the day\'s limit; null: none waiting.' }),
});
export type AutoRefillView = z.infer<typeof autoRefillViewSchema>;

export const walletViewSchema = z.strictObject({
  companyId: idSchema,
  balanceMinor: nonNegativeAmountMinorSchema,
  reservedMinor: nonNegativeAmountMinorSchema.meta({ description: 'Held for calls in progress.' }),
  availableMinor: nonNegativeAmountMinorSchema,
  currency: currencySchema,
  lowBalance: z.boolean(),
  autoRefill: autoRefillViewSchema,
  dailyCapMinor: z.int().positive().nullable(),
  spentTodayMinor: nonNegativeAmountMinorSchema,
});
export type WalletView = z.infer<typeof walletViewSchema>;

export const topUpOptionsResponseSchema = z.strictObject({
  currency: currencySchema,
  amountsMinor: z.array(positiveAmountMinorSchema),
});
export type TopUpOptionsResponse = z.infer<typeof topUpOptionsResponseSchema>;

export const topUpRequestSchema = z.strictObject({
  amountMinor: positiveAmountMinorSchema,
  currency: currencySchema,
});
export type TopUpRequest = z.infer<typeof topUpRequestSchema>;

export const topUpStatusSchema = z.enum(['pending', 'succeeded', 'declined', 'cancelled']);
export type TopUpStatus = z.infer<typeof topUpStatusSchema>;

/** Why a card payment failed; the sandbox produces each of them from a documented test card. */
export const declineCodeSchema = z.enum(['card_declined', 'insufficient_funds', 'authentication_required', 'no_card_on_file', 'processing_error']);
export type DeclineCode = z.infer<typeof declineCodeSchema>;

export const topUpViewSchema = z.strictObject({
  id: idSchema,
  companyId: idSchema,
  amountMinor: positiveAmountMinorSchema,
  currency: currencySchema,
  status: topUpStatusSchema,
  declineCode: declineCodeSchema.nullable(),
  receiptNumber: z.string().nullable(),
  cardLast4: z.string().nullable(),
  createdAt: timestampSchema,
  cancelledAt: timestampSchema.nullable(),
});
export type TopUpView = z.infer<typeof topUpViewSchema>;

export const topUpResponseSchema = z.strictObject({
  topUp: topUpViewSchema,
  balanceMinor: nonNegativeAmountMinorSchema,
});
export type TopUpResponse = z.infer<typeof topUpResponseSchema>;

export const cardRequestSchema = z.strictObject({
  number: z.string().regex(/^[0-9 ]{12,23}$/),
  expMonth: z.int().min(1).max(12),
  expYear: z.int().min(2000).max(2100),
  cvc: z.string().regex(/^\d{3,4}$/),
});
export type CardRequest = z.infer<typeof cardRequestSchema>;

export const cardViewSchema = z.strictObject({
  brand: z.string(),
  last4: z.string(),
  expMonth: z.int(),
  expYear: z.int(),
});
export type CardView = z.infer<typeof cardViewSchema>;

export const cardResponseSchema = z.strictObject({ card: cardViewSchema.nullable() });

export const activityKindSchema = z.enum(['call_charge', 'topup', 'auto_refill', 'reversal']);
export type ActivityKind = z.infer<typeof activityKindSchema>;

export const activityItemSchema = z.strictObject({
  transactionId: idSchema,
  seq: z.int().positive(),
  kind: activityKindSchema,
  amountMinor: amountMinorSchema.meta({ description: 'Signed change of the wallet: negative for charges.' }),
  currency: currencySchema,
  balanceAfterMinor: nonNegativeAmountMinorSchema,
  createdAt: timestampSchema,
  reference: z.string(),
  call: z
    .strictObject({
      number: z.string(),
      answeredSeconds: z.int().nonnegative(),
      billedSeconds: z.int().nonnegative(),
      prefix: z.string(),
      destination: z.string(),
      deckVersion: z.string(),
      extension: z.string(),
    })
    .nullable(),
});
export type ActivityItem = z.infer<typeof activityItemSchema>;

export const activityQuerySchema = z.strictObject({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type ActivityQuery = z.infer<typeof activityQuerySchema>;

/** One automatic-refill attempt, whatever its outcome (a declined or skipped one moves no money, so it has no ledger line). */
export const refillAttemptSchema = z.strictObject({
  id: idSchema,
  status: z.enum(['pending', 'succeeded', 'declined', 'skipped_limit']),
  amountMinor: positiveAmountMinorSchema,
  currency: currencySchema,
  declineCode: declineCodeSchema.nullable(),
  cause: z.enum(['debit', 'charge', 'reservation', 'extension', 'settings', 'retry', 'refill']).meta({ description: 'What started it: a call (its charge, reservation or extension), the settings, a scheduled retry, or the previous refill.' }),
  attempt: z.int().positive().meta({ description: '1 for the first try, then one more per retry after a decline.' }),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type RefillAttempt = z.infer<typeof refillAttemptSchema>;

export const activityResponseSchema = z.strictObject({
  items: z.array(activityItemSchema),
  nextBefore: z.int().positive().nullable(),
  refillAttempts: z.array(refillAttemptSchema).meta({ description: 'The latest automatic-refill attempts (first page only; empty on later pages).' }),
});
export type ActivityResponse = z.infer<typeof activityResponseSchema>;

/**
 * The funded time of one of the reader's calls in progress, as the manager holds it: the proxy cuts the call
 * this many seconds after its answer unless an extension (a top-up, a refill) lengthens it first.
 */
export const callFundingSchema = z.strictObject({
  sipCallId: z.string().min(1).max(255).meta({ description: 'The SIP Call-ID of the call (the proxy\'s billing id up to its "~").' }),
  maxDurationSeconds: z.int().nonnegative().meta({ description: 'Seconds after the answer at which the proxy cuts the call: other calls\' reservations, the daily cap and extensions included.' }),
});
export type CallFunding = z.infer<typeof callFundingSchema>;

/** One Server-Sent Event on /wallet/events ("event: wallet"). */
export const walletEventSchema = z.strictObject({
  companyId: idSchema,
  balanceMinor: nonNegativeAmountMinorSchema,
  currency: currencySchema,
  lowBalance: z.boolean(),
  seq: z.int().nonnegative().meta({ description: 'Last ledger sequence number reflected.' }),
  calls: z.array(callFundingSchema).max(100).optional().meta({ description: 'The reader\'s own paid calls in progress and their funded time (absent from older managers).' }),
});
export type WalletEvent = z.infer<typeof walletEventSchema>;

export const notificationViewSchema = z.strictObject({
  id: idSchema,
  kind: z.enum(['auto_refill_declined', 'auto_refill_disabled', 'auto_refill_limit_reached', 'topup_cancelled']),
  message: z.string().meta({ description: 'The notice in English; readers word it in their language from kind and params.' }),
  params: z
    .record(z.string(), z.union([z.string(), z.number(), z.null()]))
    .meta({ description: 'The values of the notice (decline code, count, retry time in epoch ms...), for translation at the edge.' }),
  createdAt: timestampSchema,
});
export type NotificationView = z.infer<typeof notificationViewSchema>;
export const notificationListResponseSchema = z.strictObject({ notifications: z.array(notificationViewSchema) });

export const cancelTopUpRequestSchema = z.strictObject({ reason: z.string().min(3).max(500) });
export type CancelTopUpRequest = z.infer<typeof cancelTopUpRequestSchema>;

export const topUpListResponseSchema = z.strictObject({ topUps: z.array(topUpViewSchema) });

export const integrityReportSchema = z.strictObject({
  ok: z.boolean(),
  checkedCompanies: z.int().nonnegative(),
  checkedTransactions: z.int().nonnegative(),
  problems: z.array(z.string()),
});
export type IntegrityReport = z.infer<typeof integrityReportSchema>;
