import { z } from 'zod';
import { numberKinds } from '../numbering/classify';
import { currencySchema, nonNegativeAmountMinorSchema } from './common-schemas';

/**
 * The SIP proxy's API. Kamailio's http_client posts these bodies and reads the answers with its jansson
 * module, so answers are flat JSON objects of strings, numbers and booleans.
 */
export const callIdSchema = z.string().min(1).max(255).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

export const authorizeCallRequestSchema = z.strictObject({
  callId: callIdSchema,
  callerExtension: z.string().regex(/^\d{2,8}$/),
  sipDomain: z.string().min(1).max(253).optional(),
  dialed: z.string().min(1).max(64),
});
export type AuthorizeCallRequest = z.infer<typeof authorizeCallRequestSchema>;

/**
 * Why the manager refused a call. `class_blocked`: the destination's class is high-risk (satellite and
 * international networks, `highRiskKinds` in shared/numbering) and the company has not allowed it.
 * `barred`: the caller's barring (shared/billing/barring.ts: paid services, plan only, chosen countries).
 * `monthly_budget`: the caller's monthly budget, set by an admin, is spent (shared/billing/monthly-budget.ts).
 * `released`: this call id was already released or completed (the proxy gave up on the attempt, possibly
 * before this authorize arrived); it can never be authorized again, and nothing is reserved.
 */
export const refusalReasonSchema = z.enum(['insufficient_funds', 'barred', 'class_blocked', 'daily_cap', 'monthly_budget', 'invalid', 'no_rate', 'unknown_caller', 'released']);
export type RefusalReason = z.infer<typeof refusalReasonSchema>;

export const authorizeCallResponseSchema = z.strictObject({
  allowed: z.boolean(),
  reason: z.union([refusalReasonSchema, z.literal('ok')]),
  callId: callIdSchema,
  kind: z.enum(numberKinds),
  charged: z.boolean().meta({ description: 'True when the wallet pays: complete() will charge it.' }),
  e164: z.string(),
  maxDurationSeconds: z.int().nonnegative().meta({ description: 'Hang up after this many answered seconds.' }),
  reservedMinor: nonNegativeAmountMinorSchema,
  currency: currencySchema,
  balanceMinor: nonNegativeAmountMinorSchema.meta({ description: 'So the proxy can announce the balance before connecting.' }),
  prefix: z.string(),
  deckVersion: z.string(),
  announcement: z.string().optional().meta({ description: 'Paid calls: absolute path of the WAV prompt the proxy plays to the caller before the call goes to the trunk (docs/sip-server.md).' }),
  announcementMs: z.int().positive().optional().meta({ description: 'Length of the prompt in ms.' }),
});
export type AuthorizeCallResponse = z.infer<typeof authorizeCallResponseSchema>;

export const completeCallRequestSchema = z.strictObject({
  callId: callIdSchema,
  answeredSeconds: z.int().nonnegative().max(7 * 24 * 3600),
});
export type CompleteCallRequest = z.infer<typeof completeCallRequestSchema>;

export const completeCallResponseSchema = z.strictObject({
  callId: callIdSchema,
  status: z.enum(['completed', 'released']),
  chargedMinor: nonNegativeAmountMinorSchema,
  billedSeconds: z.int().nonnegative(),
  currency: currencySchema,
  balanceMinor: nonNegativeAmountMinorSchema,
});
export type CompleteCallResponse = z.infer<typeof completeCallResponseSchema>;

export const releaseCallRequestSchema = z.strictObject({ callId: callIdSchema });
export type ReleaseCallRequest = z.infer<typeof releaseCallRequestSchema>;

/**
 * The answer to a release: always 200 and idempotent. For a call id the manager never authorized (the
 * proxy gave up before the authorize answered, or it never arrived) the release leaves a tombstone, so an
 * authorize arriving later is refused with `released`; there is then no company, hence no currency or balance.
 */
export const releaseCallResponseSchema = z.strictObject({
  callId: callIdSchema,
  status: z.enum(['completed', 'released']).meta({ description: 'completed: the call had already been charged; the release changed nothing.' }),
  chargedMinor: nonNegativeAmountMinorSchema,
  billedSeconds: z.int().nonnegative(),
  currency: currencySchema.nullable(),
  balanceMinor: nonNegativeAmountMinorSchema.nullable(),
  tombstone: z.boolean().meta({ description: 'True when no authorization exists for this id: the release was recorded so a later authorize is refused.' }),
});
export type ReleaseCallResponse = z.infer<typeof releaseCallResponseSchema>;

/**
 * Interim re-authorization of a call in progress (the proxy's equivalent of a Diameter Credit-Control
 * CCR-Update, RFC 4006 section 5.1): after a top-up or refill the call may run longer. Never shortens a call.
 */
export const extendCallRequestSchema = z.strictObject({ callId: callIdSchema });
export type ExtendCallRequest = z.infer<typeof extendCallRequestSchema>;

export const extendCallResponseSchema = z.strictObject({
  callId: callIdSchema,
  maxDurationSeconds: z.int().nonnegative().meta({ description: 'The call may now last this many answered seconds in all (never less than before).' }),
  extended: z.boolean().meta({ description: 'True when maxDurationSeconds grew with this request.' }),
});
export type ExtendCallResponse = z.infer<typeof extendCallResponseSchema>;
