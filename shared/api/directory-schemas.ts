import { z } from 'zod';
import { idSchema } from './common-schemas';
import { e164Pattern } from './number-schemas';

/**
 * The company directory (issue 12 §7, docs/manager.md "Directory"): who and what a signed-in person of the
 * company can call. Only the reader's own company, never another's; people who are deactivated or removed
 * are not listed (nobody would answer). Emails are shown to admins only (an employee sees their own): an
 * employee calls colleagues by extension and needs no addresses to do it, and the list of a company's
 * addresses is what a phishing mail wants.
 */

const e164Schema = z.string().regex(e164Pattern);

/** No query: the company is the reader's; anything in the query string is refused rather than ignored. */
export const directoryQuerySchema = z.strictObject({});

export const directoryPersonSchema = z.strictObject({
  id: idSchema,
  displayName: z.string(),
  extension: z.string().regex(/^\d{2,6}$/),
  /** The company numbers that ring this person: their own, then their ring groups' (E.164, sorted). */
  numbers: z.array(e164Schema),
  email: z.string().nullable().meta({ description: "Admins: everyone's; employees: their own, null for the others." }),
  role: z.enum(['admin', 'employee']),
});
export type DirectoryPerson = z.infer<typeof directoryPersonSchema>;

export const directoryGroupSchema = z.strictObject({
  id: idSchema,
  name: z.string(),
  /** The numbers pointed at the group: calling one rings every member. */
  numbers: z.array(e164Schema),
  memberIds: z.array(idSchema),
});
export type DirectoryGroup = z.infer<typeof directoryGroupSchema>;

export const directoryNumberSchema = z.strictObject({
  e164: e164Schema,
  label: z.string().nullable(),
  main: z.boolean(),
  /** Whom it rings: a person's name, a ring group's name, or null (assigned to nobody yet). */
  ringsName: z.string().nullable(),
});
export type DirectoryNumber = z.infer<typeof directoryNumberSchema>;

export const directoryResponseSchema = z.strictObject({
  people: z.array(directoryPersonSchema),
  groups: z.array(directoryGroupSchema),
  numbers: z.array(directoryNumberSchema),
});
export type DirectoryResponse = z.infer<typeof directoryResponseSchema>;
