import { z } from 'zod';
import { numberKinds } from '../numbering/classify';
import { currencySchema, idSchema, nonNegativeAmountMinorSchema, timestampSchema } from './common-schemas';
import { rateAmountSchema } from './rate-schemas';

/** `:seq` path parameter: a ledger transaction's sequence number (the activity item's `seq`). */
export const receiptParamsSchema = z.strictObject({ seq: z.string().regex(/^[1-9]\d{0,14}$/).transform(Number).meta({ description: 'Decimal digits, no sign or exponent.' }) });

/**
 * One charged call, as its receipt shows it: where it went, the tariff it was authorized with (kept on the
 * reservation, so a later deck never reprices it), how long it lasted and was billed, and the ledger's
 * charge. `priceMinor` is the ledger's amount; `computedMinor` is `callCostMinor(tariff, chargedSeconds)`
 * (shared/rating/tariff.ts), the same except when the wallet held less than the price (then the charge
 * was capped at the balance).
 */
export const callReceiptSchema = z.strictObject({
  seq: z.int().positive().meta({ description: 'The charge\'s ledger sequence number.' }),
  reference: z.string().meta({ description: 'The billing id, `<SIP Call-ID>~<id>`.' }),
  sipCallId: z.string(),
  chargedAt: timestampSchema,
  startedAt: timestampSchema.meta({ description: 'When the proxy authorized the call.' }),
  caller: z.strictObject({ userId: idSchema, displayName: z.string(), extension: z.string().nullable() }),
  number: z.string().meta({ description: 'The number called, E.164.' }),
  dialed: z.string(),
  kind: z.enum(numberKinds),
  destination: z.string(),
  prefix: z.string(),
  deckVersion: z.string(),
  currency: currencySchema,
  pricePerMinute: rateAmountSchema,
  connectionFee: rateAmountSchema,
  increment: z.string().meta({ description: 'first/next billing increments in seconds, e.g. "60/60".' }),
  answeredSeconds: z.int().nonnegative().meta({ description: 'Talk time the proxy reported.' }),
  fundedSeconds: z.int().nonnegative().meta({ description: 'The longest the call was allowed (the proxy cut it there).' }),
  chargedSeconds: z.int().nonnegative().meta({ description: 'min(answered, funded): the seconds the price is for.' }),
  billedSeconds: z.int().nonnegative().meta({ description: 'chargedSeconds rounded up to the increments.' }),
  computedMinor: nonNegativeAmountMinorSchema,
  priceMinor: nonNegativeAmountMinorSchema.meta({ description: 'What the ledger charged.' }),
});
export type CallReceipt = z.infer<typeof callReceiptSchema>;
