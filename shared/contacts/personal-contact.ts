import { z } from 'zod';

/**
 * Personal contacts (issue 12 §7): the people a user keeps for themselves, stored by the app (the desktop's
 * userData file, the web softphone's localStorage), never sent to the manager. The number is kept as the
 * user typed it; calling it goes through the same dial pipeline as the dialer (shared/dial/dial-intent.ts).
 */

/** How many personal contacts the app keeps. */
export const personalContactLimit = 500;

// eslint-disable-next-line no-control-regex -- rejecting control characters is the point
const printable = /^[^\u0000-\u001f\u007f]*$/;

export const personalContactSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  name: z.string().trim().min(1).max(80).regex(printable),
  /** Digits, spaces and the dial characters people type (+, *, #, dots, dashes, brackets). */
  number: z.string().trim().min(1).max(40).regex(/^[0-9+*#\s.()-]+$/),
});
export type PersonalContact = z.infer<typeof personalContactSchema>;

export const personalContactListSchema = z.array(personalContactSchema).max(personalContactLimit);

/** Stored contacts, keeping those that pass the schema (one bad entry costs that entry, not the list). */
export function parseStoredContacts(stored: unknown): PersonalContact[] {
  if (!Array.isArray(stored)) return [];
  const contacts: PersonalContact[] = [];
  for (const item of stored) {
    const parsed = personalContactSchema.safeParse(item);
    if (parsed.success && !contacts.some((contact) => contact.id === parsed.data.id)) contacts.push(parsed.data);
  }
  return contacts.slice(0, personalContactLimit);
}
