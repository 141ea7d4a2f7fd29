/**
 * The Contacts feature's state and commands: the company directory as the manager last gave it, the
 * personal contacts the app keeps (HostBridge loadContacts/saveContacts) and the search text. One
 * controller per host (`contactsFor`), so the Contacts area and the call history read the same state.
 */
import type { HostBridge } from '../../../shared/host/host-bridge.js';
import { personalContactLimit, personalContactSchema, type PersonalContact } from '../../../shared/contacts/personal-contact.js';
import { createStore, type Store } from '../state/store.js';
import { directoryEntries, personalEntries, type ContactEntry } from './contact-search.js';

export type DirectoryStatus = 'idle' | 'loading' | 'ready' | 'signed-out' | 'unavailable';

export interface ContactsState {
  readonly directoryStatus: DirectoryStatus;
  readonly directory: readonly ContactEntry[];
  readonly personal: readonly PersonalContact[];
  readonly query: string;
}

export const initialContactsState: ContactsState = { directoryStatus: 'idle', directory: [], personal: [], query: '' };

/** Every entry, directory first. */
export function allEntries(state: ContactsState): ContactEntry[] {
  return [...state.directory, ...personalEntries(state.personal)];
}

/** Adds a contact, or replaces the one with the same id. */
export function withPersonal(list: readonly PersonalContact[], contact: PersonalContact): PersonalContact[] {
  const index = list.findIndex((existing) => existing.id === contact.id);
  if (index === -1) return [...list, contact];
  return list.map((existing, i) => (i === index ? contact : existing));
}

export function withoutPersonal(list: readonly PersonalContact[], id: string): PersonalContact[] {
  return list.filter((contact) => contact.id !== id);
}

/** Why a personal contact was not saved. */
export type SaveProblem = 'invalid' | 'full' | 'not-saved';

export interface Contacts {
  readonly store: Store<ContactsState>;
  /** Asks the manager for the directory again (after a sign-in, on opening Contacts). */
  refreshDirectory(): Promise<void>;
  setQuery(query: string): void;
  /** Adds (no id) or changes a personal contact; null when saved. */
  savePersonal(input: { readonly id?: string; readonly name: string; readonly number: string }): Promise<SaveProblem | null>;
  removePersonal(id: string): Promise<void>;
}

const newContactId = (): string => `pc_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;

export function createContacts(host: Pick<HostBridge, 'getDirectory' | 'loadContacts' | 'saveContacts'>): Contacts {
  const store = createStore(initialContactsState);
  const loaded = host.loadContacts().then(
    (personal) => store.update((state) => ({ ...state, personal })),
    (error: unknown) => console.error('Could not read the personal contacts', error),
  );
  const persist = async (next: PersonalContact[]): Promise<boolean> => {
    try {
      await host.saveContacts(next);
      store.update((state) => ({ ...state, personal: next }));
      return true;
    } catch (error) {
      console.error('Could not save the personal contacts', error);
      return false;
    }
  };
  return {
    store,
    async refreshDirectory() {
      store.update((state) => (state.directoryStatus === 'ready' ? state : { ...state, directoryStatus: 'loading' }));
      const result = await host.getDirectory().catch(() => null);
      if (result?.ok === true) {
        const directory = directoryEntries(result.value);
        store.update((state) => ({ ...state, directoryStatus: 'ready', directory }));
        return;
      }
      const status: DirectoryStatus = result !== null && result.failure.kind === 'signed-out' ? 'signed-out' : 'unavailable';
      store.update((state) => ({ ...state, directoryStatus: status, directory: [] }));
    },
    setQuery(query) {
      store.update((state) => (state.query === query ? state : { ...state, query }));
    },
    async savePersonal(input) {
      await loaded;
      const parsed = personalContactSchema.safeParse({ id: input.id ?? newContactId(), name: input.name, number: input.number });
      if (!parsed.success) return 'invalid';
      const current = store.getState().personal;
      if (input.id === undefined && current.length >= personalContactLimit) return 'full';
      return (await persist(withPersonal(current, parsed.data))) ? null : 'not-saved';
    },
    async removePersonal(id) {
      await loaded;
      await persist(withoutPersonal(store.getState().personal, id));
    },
  };
}

const controllers = new WeakMap<object, Contacts>();

/** The one Contacts controller of a host (the Contacts area and the history share it). */
export function contactsFor(host: Pick<HostBridge, 'getDirectory' | 'loadContacts' | 'saveContacts'>): Contacts {
  let contacts = controllers.get(host);
  if (contacts === undefined) {
    contacts = createContacts(host);
    controllers.set(host, contacts);
  }
  return contacts;
}
