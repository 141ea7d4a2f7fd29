/**
 * The personal contacts file in userData (`contacts.json`): validated entry by entry on load (a bad entry
 * costs that entry), replaced whole on save, written atomically, saves serialised.
 */
import { parseStoredContacts, personalContactListSchema, type PersonalContact } from '../shared/contacts/personal-contact.js';

export interface ContactsFiles {
  read(path: string): Promise<Uint8Array | null>;
  write(path: string, data: string): Promise<void>;
}

export interface ContactsDeps {
  readonly filePath: string;
  readonly files: ContactsFiles;
  readonly log: (message: string) => void;
}

export interface ContactsStore {
  load(): Promise<readonly PersonalContact[]>;
  save(contacts: readonly PersonalContact[]): Promise<void>;
}

export function createContactsStore({ filePath, files, log }: ContactsDeps): ContactsStore {
  let pending: Promise<unknown> = Promise.resolve();
  const read = async (): Promise<PersonalContact[]> => {
    const bytes = await files.read(filePath);
    if (bytes === null) return [];
    try {
      const data: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
      return parseStoredContacts(typeof data === 'object' && data !== null && 'contacts' in data ? data.contacts : []);
    } catch {
      log('contacts: the contacts file is not JSON; starting a new one');
      return [];
    }
  };
  return {
    load: async () => {
      await pending.catch(() => undefined);
      return read();
    },
    save: (contacts) => {
      const valid = personalContactListSchema.safeParse(contacts);
      if (!valid.success) return Promise.reject(valid.error);
      const next = pending.catch(() => undefined).then(() => files.write(filePath, JSON.stringify({ version: 1, contacts: valid.data })));
      pending = next;
      return next;
    },
  };
}
