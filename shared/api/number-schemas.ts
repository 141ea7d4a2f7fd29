import { z } from 'zod';
import { idSchema, timestampSchema } from './common-schemas';

/**
 * Company numbers (DIDs) and ring groups. A number belongs to at most one company on the whole stack (the
 * operator assigns it); the company's admin points it at one person or at a ring group (several people rung
 * at once), and may name one of the company's numbers its main number (the caller ID of people without a
 * number of their own, docs/manager.md "Company numbers").
 */

/** E.164 as stored and shown: "+", a non-zero digit, 7 to 14 more digits (ITU-T E.164 section 6: at most 15). */
export const e164Pattern = /^\+[1-9][0-9]{7,14}$/;

/**
 * A phone number as people type it: spaces, dots, dashes and brackets are ignored, "00" is read as "+".
 * Anything else is refused (national forms need a country, and a DID is always given in full).
 */
export const e164InputSchema = z
  .string()
  .max(32)
  .transform((value) => value.replace(/[\s.()-]/g, '').replace(/^00/, '+'))
  .pipe(z.string().regex(e164Pattern, 'a number in international form, e.g. +33 1 99 00 12 34'));

export const numberAssignmentSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('user'), id: idSchema, displayName: z.string(), extension: z.string().nullable() }),
  z.strictObject({ kind: z.literal('group'), id: idSchema, name: z.string() }),
]);

export const companyNumberViewSchema = z.strictObject({
  id: idSchema,
  e164: z.string().regex(e164Pattern),
  companyId: idSchema,
  label: z.string().nullable(),
  main: z.boolean().meta({ description: "The company's main number: the caller ID of people without a number of their own." }),
  assignedTo: numberAssignmentSchema.nullable(),
  createdAt: timestampSchema,
});
export type CompanyNumberView = z.infer<typeof companyNumberViewSchema>;

export const companyNumberListSchema = z.strictObject({ numbers: z.array(companyNumberViewSchema) });

export const labelSchema = z.string().trim().min(1).max(64).regex(/^[^\p{Cc}]*$/u, 'no control characters');

/** The operator gives a company a number. */
export const addCompanyNumberRequestSchema = z.strictObject({ e164: e164InputSchema, label: labelSchema.optional() });

/** The admin points a number at a person, a ring group, or nobody (it then rings nobody: 404 to the caller). */
export const assignNumberRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('user'), userId: idSchema }),
  z.strictObject({ kind: z.literal('group'), groupId: idSchema }),
  z.strictObject({ kind: z.literal('none') }),
]);
export type AssignNumberRequest = z.infer<typeof assignNumberRequestSchema>;

export const mainNumberRequestSchema = z.strictObject({ numberId: idSchema.nullable() });

export const ringGroupMemberSchema = z.strictObject({ userId: idSchema, displayName: z.string(), extension: z.string().nullable() });
export const ringGroupViewSchema = z.strictObject({ id: idSchema, name: z.string(), members: z.array(ringGroupMemberSchema) });
export type RingGroupView = z.infer<typeof ringGroupViewSchema>;
export const ringGroupListSchema = z.strictObject({ groups: z.array(ringGroupViewSchema) });

/** A ring group: a name and 1 to 20 people of the company who all ring at once. */
export const ringGroupRequestSchema = z.strictObject({
  name: labelSchema,
  memberIds: z.array(idSchema).min(1).max(20).refine((ids) => new Set(ids).size === ids.length, 'each person once'),
});

/** The signed-in user's outgoing caller ID: their own number, else the company's main number, else none. */
export const myNumberViewSchema = z.strictObject({
  callerId: z.string().regex(e164Pattern).nullable(),
  source: z.enum(['own', 'main', 'none']),
  numbers: z.array(z.string().regex(e164Pattern)).meta({ description: 'The numbers that ring this person (their own and their groups\').' }),
});

// ----- the SIP proxy's side (flat JSON for Kamailio's jansson) -----

/** Kamailio posts the called number as the carrier wrote it (its Request-URI user). */
export const proxyNumberQuerySchema = z.strictObject({ number: z.string().min(1).max(40) });
/**
 * Where a call to a DID goes: the owning company's SIP domain and the extensions to ring, comma-separated
 * ("" when the number is unknown or rings nobody; Kamailio answers 404 then).
 */
export const proxyNumberResponseSchema = z.strictObject({
  found: z.boolean(),
  e164: z.string(),
  sipDomain: z.string(),
  extensions: z.string(),
});

export const proxyCallerIdQuerySchema = z.strictObject({
  sipDomain: z.string().min(1).max(253),
  extension: z.string().regex(/^\d{2,8}$/),
});
/** The number the trunk is shown for an outgoing call (P-Asserted-Identity); "" when the caller has none. */
export const proxyCallerIdResponseSchema = z.strictObject({ callerId: z.string() });
