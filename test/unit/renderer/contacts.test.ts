/**
 * Contacts (renderer/src/contacts, issue 12 §7): search with accents and case ignored, by name, extension
 * or number; the directory as entries; a history number matched to a contact; the store's personal
 * contacts (validated, persisted through the host); the two hosts' storage (web localStorage, the
 * desktop's userData file).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DirectoryResponse } from '../../../shared/api/directory-schemas.js';
import type { PersonalContact } from '../../../shared/contacts/personal-contact.js';
import { managerFailure, managerOk, type ManagerResult } from '../../../shared/manager-link/manager-result.js';
import { readFileIfExists, writeFileAtomic } from '../../../electron/atomic-file.js';
import { createContactsStore } from '../../../electron/contacts.js';
import { contactNameFor, directoryEntries, foldText, personalEntries, searchContacts } from '../../../renderer/src/contacts/contact-search.js';
import { allEntries, createContacts } from '../../../renderer/src/contacts/contacts-store.js';
import { createBrowserHost, storageKeys } from '../../../renderer/src/host/browser-host.js';
import type { ManagerHostPart } from '../../../renderer/src/host/web-manager-link.js';

const directory: DirectoryResponse = {
  people: [
    { id: 'usr_1', displayName: 'Hélène Dupré', extension: '1001', numbers: ['+33199001001'], email: null, role: 'admin' },
    { id: 'usr_2', displayName: 'Bruno Petit', extension: '1002', numbers: [], email: 'bruno@cabine.test', role: 'employee' },
  ],
  groups: [{ id: 'grp_1', name: 'Ventes', numbers: ['+33199001002'], memberIds: ['usr_1'] }],
  numbers: [
    { e164: '+33199001001', label: null, main: false, ringsName: 'Hélène Dupré' },
    { e164: '+33199001002', label: 'Sales', main: false, ringsName: 'Ventes' },
    { e164: '+33199001003', label: 'Reception', main: true, ringsName: null },
  ],
};
const personal: PersonalContact[] = [{ id: 'pc_1', name: 'Plombier Ångström', number: '06 12 34 56 78' }];

describe('contact search', () => {
  const entries = [...directoryEntries(directory), ...personalEntries(personal)];
  const names = (query: string) => searchContacts(entries, query).map((entry) => entry.name);

  it('folds accents and case', () => {
    expect(foldText('  HÉLÈNE Ångström ')).toBe('helene angstrom');
    expect(names('helene')).toEqual(['Hélène Dupré']);
    expect(names('DUPRE')).toEqual(['Hélène Dupré']);
    expect(names('angstrom')).toEqual(['Plombier Ångström']);
  });

  it('finds by extension and by any part of a number; every word must match', () => {
    // Digits match anywhere: 1002 is Bruno's extension and the end of the Ventes number.
    expect(names('1002')).toEqual(['Bruno Petit', 'Ventes']);
    expect(names('199001001')).toEqual(['Hélène Dupré']);
    expect(names('+33199001003')).toEqual(['Reception']);
    expect(names('345678')).toEqual(['Plombier Ångström']);
    expect(names('bruno 1001')).toEqual([]);
    expect(names('')).toHaveLength(entries.length);
  });

  it('lists people (dialled by extension), ring groups and the company lines not already shown', () => {
    expect(directoryEntries(directory).map((entry) => [entry.kind, entry.name, entry.dial])).toEqual([
      ['person', 'Hélène Dupré', '1001'], ['person', 'Bruno Petit', '1002'], ['group', 'Ventes', '+33199001002'], ['number', 'Reception', '+33199001003'],
    ]);
  });

  it('names a history number: extension, E.164 in any spelling, a personal contact in national form', () => {
    expect(contactNameFor(entries, '1002', 'FR')).toBe('Bruno Petit');
    expect(contactNameFor(entries, '+33 1 99 00 10 01', 'FR')).toBe('Hélène Dupré');
    expect(contactNameFor(entries, '01 99 00 10 03', 'FR')).toBe('Reception');
    expect(contactNameFor(entries, '+33612345678', 'FR')).toBe('Plombier Ångström');
    expect(contactNameFor(entries, '+33699999999', 'FR')).toBeNull();
    expect(contactNameFor(entries, 'not a number', 'FR')).toBeNull();
  });
});

/** A host's contacts half, in memory, with a directory answer chosen by the test. */
function fakeHost(answer: ManagerResult<DirectoryResponse>) {
  let saved: readonly PersonalContact[] = personal;
  return {
    saves: 0,
    getDirectory: () => Promise.resolve(answer),
    loadContacts: () => Promise.resolve(saved),
    saveContacts(contacts: readonly PersonalContact[]) {
      this.saves += 1;
      saved = contacts;
      return Promise.resolve();
    },
    saved: () => saved,
  };
}

describe('contacts store', () => {
  it('adds, edits and removes personal contacts through the host; refuses invalid ones', async () => {
    const host = fakeHost(managerOk(directory));
    const contacts = createContacts(host);
    expect(await contacts.savePersonal({ name: '', number: '0612' })).toBe('invalid');
    expect(await contacts.savePersonal({ name: 'Bad', number: 'call me' })).toBe('invalid');
    expect(host.saves).toBe(0);
    expect(await contacts.savePersonal({ name: 'Garage Müller', number: '+49 30 1234567' })).toBeNull();
    const added = host.saved().find((contact) => contact.name === 'Garage Müller');
    expect(added?.number).toBe('+49 30 1234567');
    expect(await contacts.savePersonal({ id: added?.id ?? '', name: 'Garage Müller KG', number: '+49 30 1234567' })).toBeNull();
    expect(host.saved().map((contact) => contact.name)).toEqual(['Plombier Ångström', 'Garage Müller KG']);
    await contacts.removePersonal('pc_1');
    expect(contacts.store.getState().personal.map((contact) => contact.name)).toEqual(['Garage Müller KG']);
    expect(host.saved()).toEqual(contacts.store.getState().personal);
  });

  it('loads the directory, and says so when signed out of the company account', async () => {
    const signedIn = createContacts(fakeHost(managerOk(directory)));
    await signedIn.refreshDirectory();
    expect(signedIn.store.getState().directoryStatus).toBe('ready');
    expect(allEntries(signedIn.store.getState()).map((entry) => entry.kind)).toEqual(['person', 'person', 'group', 'number', 'personal']);
    const signedOut = createContacts(fakeHost(managerFailure('signed-out', 'Not signed in')));
    await signedOut.refreshDirectory();
    expect(signedOut.store.getState()).toMatchObject({ directoryStatus: 'signed-out', directory: [] });
  });
});

describe('personal contacts storage', () => {
  it('web: localStorage, validated on the way in and out', async () => {
    const items = new Map<string, string>();
    const storage = { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value), removeItem: (key: string) => void items.delete(key) };
    const host = createBrowserHost({ storage }, {} as ManagerHostPart);
    await host.saveContacts(personal);
    expect(await host.loadContacts()).toEqual(personal);
    await expect(host.saveContacts([{ id: 'x', name: 'Evil', number: '<script>' }])).rejects.toThrow();
    // A tampered entry costs that entry only.
    items.set(storageKeys.contacts, JSON.stringify([...personal, { id: 'pc_2', name: '\u0007', number: '1' }, 'junk']));
    expect(await host.loadContacts()).toEqual(personal);
  });

  it('desktop: a userData file written atomically, bad entries dropped on load', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cabine-contacts-'));
    try {
      const filePath = join(dir, 'contacts.json');
      const logs: string[] = [];
      const store = createContactsStore({ filePath, files: { read: readFileIfExists, write: writeFileAtomic }, log: (line) => logs.push(line) });
      expect(await store.load()).toEqual([]);
      await store.save(personal);
      expect(JSON.parse(await readFile(filePath, 'utf8'))).toEqual({ version: 1, contacts: personal });
      expect(await store.load()).toEqual(personal);
      await writeFile(filePath, JSON.stringify({ version: 1, contacts: [...personal, { id: '', name: 'x', number: '1' }] }));
      expect(await store.load()).toEqual(personal);
      await writeFile(filePath, 'not json');
      expect(await store.load()).toEqual([]);
      expect(logs.some((line) => line.includes('not JSON'))).toBe(true);
      await expect(store.save([{ id: 'a', name: 'x', number: 'letters' }])).rejects.toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
