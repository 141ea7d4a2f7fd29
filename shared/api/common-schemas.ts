import { z } from 'zod';
import { currencyCodes } from '../money/currency';

/** The path every endpoint of this version lives under. */
export const apiBasePath = '/api/v1';

/** An amount in minor units: a safe integer (zod 4's `z.int()` refuses anything outside ±2^53-1). */
export const amountMinorSchema = z.int().meta({ description: 'Integer amount in minor units (cents for EUR).' });
/** A strictly positive amount in minor units. */
export const positiveAmountMinorSchema = z.int().positive().meta({ description: 'Positive integer amount in minor units.' });
/** A non-negative amount in minor units. */
export const nonNegativeAmountMinorSchema = z.int().nonnegative();
/** ISO 4217 code among those the wallet supports. */
export const currencySchema = z.enum(currencyCodes);
/** ISO 8601 timestamp in UTC. */
export const timestampSchema = z.iso.datetime();
/** Opaque identifiers minted by the manager. */
export const idSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
/** ISO 3166-1 alpha-2 country code. */
export const countrySchema = z.string().regex(/^[A-Z]{2}$/);

/** The body of every error answer: a stable machine code, a sentence for people, and field issues. */
export const errorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** Stable error codes: clients branch on these, never on messages. */
export const errorCodes = [
  'bad_request',
  'validation_failed',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'idempotency_key_reused',
  'idempotency_key_in_progress',
  'amount_not_allowed',
  'payment_declined',
  'payload_too_large',
  'unsupported_media_type',
  'too_many_requests',
  'csrf_failed',
  'service_unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

/** Money as it travels: integer minor units plus currency. */
export const moneySchema = z.strictObject({ amountMinor: amountMinorSchema, currency: currencySchema });

/** `:id` path parameter. */
export const idParamsSchema = z.strictObject({ id: idSchema });
/** `:companyId` path parameter. */
export const companyIdParamsSchema = z.strictObject({ companyId: idSchema });
